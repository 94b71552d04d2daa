/**
 * End-to-end harness: the real App through Zapier's own createAppTester, over real HTTP to an in-process DingTalk
 * sandbox on a free loopback port, plus a small model of what Zapier does around an app:
 * - a connection: `sessionConfig.perform` fills authData; after a RefreshAuthError Zapier runs it again and
 *   reruns the step once;
 * - a Zap: turned on with an `isPopulatingDedupe` poll, then fired only for ids it has not seen (per-Zap dedupe).
 *
 * Time: only `Date` is faked (timers, microtasks and sockets stay real), frozen at a fixed instant and moved by
 * `clock.advance`. The sandbox's default clock is `Date.now() + offset`, so it moves with it: Zapier and DingTalk
 * agree on the time, tokens expire and QPS windows turn over exactly when a test says so, never by accident.
 *
 * Every request the sandbox receives (refused ones included, which the sandbox's meter does not count) is seen
 * through Node's `http.server.request.start` diagnostics channel.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { createAppTester, type Bundle, type ZObject } from 'zapier-platform-core';
import App from '../../index';
import { endpointFor } from '../../dingtalk/endpoints';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../sandbox';

export const MINUTE = 60 * 1000;
/** 10:00 in Hong Kong on a Wednesday. */
export const T0 = Date.parse('2026-11-25T02:00:00.000Z');

export const EXPENSE = 'PROC-SBX-EXPENSE-0001';
export const people = {
  chan: 'user-chan-0001',
  wong: 'user-wong-0003',
  /** The manager of chan and wong: every expense claim's first approver. */
  lee: 'user-lee-0002',
  /** Also approves expense claims over HK$5,000. */
  director: 'user-ng-0006',
} as const;

type Operation = (z: ZObject, bundle: Bundle) => unknown;
/** The App, typed as these tests use it. */
export const app = App as unknown as {
  authentication: { sessionConfig: { perform: Operation }; test: Operation };
  triggers: Record<string, { operation: { perform: Operation } }>;
  creates: Record<string, { operation: { perform: Operation } }>;
  searches: Record<string, { operation: { perform: Operation } }>;
  hydrators: Record<string, Operation>;
};

export const baseMeta = { isLoadingSample: false, isFillingDynamicDropdown: false, isPopulatingDedupe: false, isTestingAuth: false, limit: -1, page: 0 };

export type Row = Record<string, unknown>;
export type Delivered = Row & { id: string; outcome?: string | null; status?: string };

/** Everything except Date stays real: sockets, timers and the poll's own rate limiter run at real speed. */
const REAL = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;

export const clock = {
  now: () => Date.now(),
  advance(ms: number): number {
    jest.setSystemTime(Date.now() + ms);
    return Date.now();
  },
};

/** One request as it reached the sandbox. */
export interface Arrival {
  method: string;
  path: string;
  /** The endpoint name from dingtalk/endpoints.ts, or the path for anything else. */
  endpoint: string;
}

export interface Suite {
  readonly sandbox: Sandbox;
  /** Every request the sandbox received since the last `arrivals.splice(0)`, oldest first. */
  readonly arrivals: Arrival[];
  /** Runs `action` synchronously when the next request for `endpoint` arrives, before the sandbox reads it. */
  onNextArrival(endpoint: string, action: () => void, skip?: number): void;
}

const ENV_KEYS = ['DINGTALK_API_BASE_URL', 'DINGTALK_OAPI_BASE_URL'] as const;

/**
 * zapier-platform-core compiles the whole app definition (prepareApp: copy, compile, deep-freeze) twice on every
 * invocation, about 100 ms of CPU for this app, most of an e2e step's cost on a shared machine. The result depends
 * only on the definition, which never changes within a suite, and is deep-frozen, so the suite compiles it once
 * per definition. An ad hoc function (`_testRequest`) changes the definition, so it is never served from memory.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zapierSchemaTools = require('zapier-platform-core/src/tools/schema') as { prepareApp: (appRaw: object) => unknown };
const prepareAppOnce = (prepare: (appRaw: object) => unknown) => {
  const compiled = new WeakMap<object, unknown>();
  return (appRaw: object) => {
    if ('_testRequest' in appRaw) return prepare(appRaw);
    if (!compiled.has(appRaw)) compiled.set(appRaw, prepare(appRaw));
    return compiled.get(appRaw);
  };
};

/**
 * Registers beforeAll/afterAll: fake Date at T0, a sandbox on a free port, the base URLs pointed at it, loopback
 * allowed through nock; all undone afterwards. Faults are reset after every test.
 */
export function e2eSuite(options: Omit<SandboxOptions, 'now' | 'port'> = {}): Suite {
  let sandbox: Sandbox | undefined;
  const arrivals: Arrival[] = [];
  const hooks: { endpoint: string; action: () => void; skip: number }[] = [];
  const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  let port = -1;

  const onRequest = (message: unknown) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    if ((server.address() as AddressInfo | null)?.port !== port) return;
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const method = request.method ?? 'GET';
    const endpoint = endpointFor(method, url.href)?.name ?? url.pathname;
    arrivals.push({ method, path: url.pathname, endpoint });
    const hook = hooks.find((candidate) => candidate.endpoint === endpoint);
    if (!hook) return;
    if (hook.skip > 0) hook.skip -= 1;
    else {
      hooks.splice(hooks.indexOf(hook), 1);
      hook.action();
    }
  };

  const prepareApp = zapierSchemaTools.prepareApp;
  beforeAll(async () => {
    zapierSchemaTools.prepareApp = prepareAppOnce(prepareApp);
    nock.enableNetConnect('127.0.0.1');
    jest.useFakeTimers({ doNotFake: [...REAL] });
    jest.setSystemTime(T0);
    sandbox = await createSandbox(options);
    port = Number(new URL(sandbox.url).port);
    for (const key of ENV_KEYS) process.env[key] = sandbox.url;
    subscribe('http.server.request.start', onRequest);
  });

  afterEach(() => {
    if (hooks.length > 0) {
      const left = hooks.splice(0).map((hook) => hook.endpoint);
      throw new Error(`Arrival hooks never ran: ${left.join(', ')}`);
    }
    if (!sandbox) return;
    sandbox.faults.setQpsLimit(20);
    sandbox.faults.setMonthlyQuota(undefined);
    sandbox.faults.denyPermission('ListProcessInstanceIds', false);
    sandbox.faults.setLatency(0);
  });

  afterAll(async () => {
    zapierSchemaTools.prepareApp = prepareApp;
    unsubscribe('http.server.request.start', onRequest);
    await sandbox?.stop();
    for (const key of ENV_KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    jest.useRealTimers();
    nock.disableNetConnect();
  });

  return {
    get sandbox() {
      if (!sandbox) throw new Error('The sandbox starts in beforeAll');
      return sandbox;
    },
    arrivals,
    onNextArrival: (endpoint, action, skip = 0) => void hooks.push({ endpoint, action, skip }),
  };
}

/** What a piece of work cost against the monthly quota, by endpoint (free calls included). */
export interface Cost {
  metered: number;
  free: number;
  byEndpoint: Record<string, number>;
}

export async function costOf<T>(sandbox: Sandbox, work: () => Promise<T>): Promise<{ result: T; cost: Cost }> {
  const before = { metered: sandbox.meter.metered, free: sandbox.meter.free, byEndpoint: { ...sandbox.meter.byEndpoint } };
  const result = await work();
  const byEndpoint: Record<string, number> = {};
  for (const [name, count] of Object.entries(sandbox.meter.byEndpoint)) {
    const delta = count - (before.byEndpoint[name] ?? 0);
    if (delta > 0) byEndpoint[name] = delta;
  }
  return { result, cost: { metered: sandbox.meter.metered - before.metered, free: sandbox.meter.free - before.free, byEndpoint } };
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error(`Expected the step to fail, but it ${outcome === undefined ? 'succeeded' : `threw ${String(outcome)}`}`);
  return outcome;
}

/** One Zapier user's DingTalk connection: its authData and its z.cache (createAppTester keeps one per tester). */
export class Connection {
  private readonly tester = createAppTester(App);
  authData: Record<string, string> = {};
  /** How often Zapier had to run sessionConfig.perform again after a RefreshAuthError. */
  refreshes = 0;

  /** `fields`: connection fields the user filled in besides the credentials (they survive a session refresh, as in Zapier). */
  constructor(
    private readonly sandbox: Sandbox,
    private readonly fields: Record<string, string> = {},
  ) {}

  /** sessionConfig.perform, as Zapier runs it when the user connects and after a RefreshAuthError. */
  async connect(): Promise<this> {
    const credentials = { ...this.sandbox.credentials, ...this.fields };
    const session = (await this.tester(app.authentication.sessionConfig.perform, { authData: credentials, inputData: {}, meta: baseMeta } as never)) as Record<string, string>;
    this.authData = { ...credentials, ...session };
    return this;
  }

  /** z.cache as Zapier holds it for this connection. */
  get cache(): Record<string, string> {
    return (this.tester as unknown as { zcacheTestObj: Record<string, string> }).zcacheTestObj;
  }

  /** One attempt of a step: whatever it throws reaches the caller. */
  attempt<T>(operation: Operation, inputData: Row = {}, meta: Row = {}): Promise<T> {
    return this.tester(operation, { authData: this.authData, inputData, meta: { ...baseMeta, ...meta } } as never) as Promise<T>;
  }

  /** One attempt of a step whose bundle carries more than inputData: a REST hook's targetUrl, subscribeData, cleanedRequest. */
  step<T>(operation: Operation, bundle: Row): Promise<T> {
    return this.tester(operation, { authData: this.authData, meta: baseMeta, ...bundle } as never) as Promise<T>;
  }

  /** A step as Zapier runs it: on RefreshAuthError, refresh the session and run the step once more. */
  async run<T>(operation: Operation, inputData: Row = {}, meta: Row = {}): Promise<T> {
    try {
      return await this.attempt<T>(operation, inputData, meta);
    } catch (error) {
      if ((error as Error).name !== 'RefreshAuthError') throw error;
      await this.connect();
      this.refreshes += 1;
      return this.attempt<T>(operation, inputData, meta);
    }
  }

  /** Start Approval, with the template's fields as `form__<component id>` inputs. */
  startApproval(originatorUserId: string, form: Row, processCode = EXPENSE): Promise<Delivered> {
    return this.run<Delivered>(app.creates.start_approval!.operation.perform, { processCode, originatorUserId, ...form });
  }

  /** Approve or Reject Approval, deciding `actionerUserId`'s running task. */
  decide(processInstanceId: string, actionerUserId: string, result: 'agree' | 'refuse', remark?: string): Promise<Delivered> {
    return this.run<Delivered>(app.creates.approve_or_reject!.operation.perform, { processInstanceId, actionerUserId, result, ...(remark ? { remark } : {}) });
  }

  /** The approval hydrator, as Zapier runs it when a later step uses a trigger's record. */
  hydrate(id: string, processCode = EXPENSE): Promise<Row> {
    return this.run<Row>(app.hydrators.approval!, { id, processCode });
  }
}

/** A Zap on one approval trigger: Zapier's per-Zap dedupe, seeded when the Zap is turned on. */
export class Zap {
  readonly seen = new Set<string>();
  /** Every record that ran this Zap, in the order they fired. */
  readonly fired: Delivered[] = [];

  constructor(
    readonly connection: Connection,
    readonly key: 'new_approval' | 'approval_approved' | 'approval_rejected' | 'approval_revoked' | 'approval_finished',
    // Most tests watch the ledger at work, so they ask DingTalk on every poll; test/e2e/budget.test.ts runs Auto.
    readonly inputData: Row = { processCode: EXPENSE, refreshMinutes: '0' },
  ) {}

  private get perform(): Operation {
    return app.triggers[this.key]!.operation.perform;
  }

  /** Turning the Zap on: one poll that seeds the dedupe list and runs nothing. */
  async turnOn(): Promise<this> {
    const records = await this.connection.run<{ id: string }[]>(this.perform, this.inputData, { isPopulatingDedupe: true });
    for (const { id } of records) this.seen.add(id);
    return this;
  }

  /** A poll as Zapier runs it (refreshing the session if asked); returns the records that ran the Zap. */
  async poll(): Promise<Delivered[]> {
    return this.deliver(await this.connection.run<Delivered[]>(this.perform, this.inputData));
  }

  /** A single poll attempt: a RefreshAuthError, ThrottledError or HaltedError reaches the caller. */
  async attempt(): Promise<Delivered[]> {
    return this.deliver(await this.connection.attempt<Delivered[]>(this.perform, this.inputData));
  }

  private deliver(records: Delivered[]): Delivered[] {
    const fresh = records.filter((record) => !this.seen.has(record.id));
    for (const record of fresh) this.seen.add(record.id);
    this.fired.push(...fresh);
    return fresh;
  }
}

export const ids = (records: readonly { id: string }[]) => records.map((record) => record.id);

let claims = 0;
/** An expense claim as another app would send it: one line per amount, the total their sum. */
export function expenseForm(title: string, lines: [string, number][], extra: Row = {}): Row {
  claims += 1;
  const total = lines.reduce((sum, [, amount]) => sum + amount, 0);
  return {
    form__TextField_EXP01: `${title} #${claims}`,
    form__DDSelectField_EXP02: 'Meals',
    form__DDDateField_EXP03: '2026-11-24',
    form__MoneyField_EXP04: total.toFixed(2),
    form__TableField_EXP05: lines.map(([description, amount]) => ({ TextField_EXP05A: description, DDDateField_EXP05B: '2026-11-24', MoneyField_EXP05C: amount.toFixed(2) })),
    ...extra,
  };
}
