/**
 * For the end-to-end relay suites (relay-*.test.ts): the relay as `npm run relay` runs it (`node
 * build/tools/relay/cli.js`, a real child process, so `kill -9` is a real SIGKILL), the sandbox's Stream gateway
 * in this process, a local HTTP receiver posing as Zapier's hooks, and instant Zaps driven through the app's own
 * performSubscribe, perform and performUnsubscribe (createAppTester, through harness.ts's Connection).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import nock from 'nock';
import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../../index';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../sandbox';
import { startReceiver, type Answer, type Received } from '../relay/receiver';
import { baseMeta, type Connection, type Delivered, type Row } from './harness';

export { waitFor } from '../relay/intake-helpers';

const ROOT = resolve(__dirname, '..', '..');
/** What `npm run relay` runs, after `npm run build:tools` (which `npm test` runs before jest). */
export const RELAY_CLI = join(ROOT, 'build', 'tools', 'relay', 'cli.js');
/** The relay's own code and what it imports: a build older than any of these would test old code. */
const RELAY_SOURCES = ['relay', 'dingtalk', 'lib', 'approvals'];

export const MASTER_KEY = 'end-to-end relay test master key, 32+ characters';

function newestSource(): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  for (const folder of RELAY_SOURCES) {
    for (const name of readdirSync(join(ROOT, folder), { recursive: true }) as string[]) {
      if (!name.endsWith('.ts')) continue;
      const { mtimeMs } = statSync(join(ROOT, folder, name));
      if (mtimeMs > newest.mtimeMs) newest = { file: join(folder, name), mtimeMs };
    }
  }
  return newest;
}

/** Fails at once, saying what to run, when the built relay is missing or older than its sources. */
export function checkRelayBuild(): void {
  if (!existsSync(RELAY_CLI)) throw new Error(`${RELAY_CLI} is missing: run \`npm run build:tools\` first (npm test does).`);
  const newest = newestSource();
  if (newest.mtimeMs > statSync(RELAY_CLI).mtimeMs) throw new Error(`The built relay is older than ${newest.file}: run \`npm run build:tools\` first (npm test does).`);
}

export interface RelayChild {
  child: ChildProcess;
  pid: number;
  /** The relay's base URL, from its `relay.started` log line (it listens on a free port). */
  url: string;
  /** Its structured log, one parsed JSON line each. */
  logs: { msg: string; [field: string]: unknown }[];
  exited: Promise<void>;
  /** A real SIGKILL: no handler runs, nothing is flushed or released. */
  kill9(): Promise<void>;
}

/** Starts `node build/tools/relay/cli.js` with `env` and resolves once it serves. */
export async function startRelay(env: NodeJS.ProcessEnv): Promise<RelayChild> {
  const child = spawn(process.execPath, [RELAY_CLI], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: RelayChild['logs'] = [];
  let stderr = '';
  let partial = '';
  let started: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolveUrl) => (started = resolveUrl));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as RelayChild['logs'][number];
        logs.push(entry);
        if (entry.msg === 'relay.started') started(String(entry.url));
      } catch {
        // not a log line
      }
    }
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const failed = exited.then(() => {
    throw new Error(`The relay exited before it served (code ${child.exitCode}, signal ${child.signalCode}): ${stderr}${JSON.stringify(logs.slice(-5))}`);
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`The relay did not start within 30 s: ${stderr}`)), 30_000).unref());
  const served = await Promise.race([url, failed, timeout]);
  const kill9 = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return { child, pid: child.pid!, url: served, logs, exited, kill9 };
}

const ENV_KEYS = ['DINGTALK_API_BASE_URL', 'DINGTALK_OAPI_BASE_URL'] as const;

/**
 * Registers beforeAll/afterAll for a file that starts a sandbox, relay processes and hooks: loopback allowed through
 * nock, the built relay checked first, and afterwards every relay killed and everything stopped and removed.
 */
export function relaySuite() {
  const relays: RelayChild[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(() => {
    checkRelayBuild();
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(async () => {
    for (const relay of relays) await relay.kill9();
    for (const cleanup of cleanups.reverse()) await cleanup();
    for (const key of ENV_KEYS) delete process.env[key];
    nock.disableNetConnect();
  });
  return {
    /** A sandbox on a free port, with the app's DingTalk client pointed at it. */
    async sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
      const sandbox = await createSandbox(options);
      cleanups.push(() => sandbox.stop());
      for (const key of ENV_KEYS) process.env[key] = sandbox.url;
      return sandbox;
    },
    /** A SQLite database URL in a temporary folder, removed afterwards. */
    sqliteUrl(): string {
      const dir = mkdtempSync(join(tmpdir(), 'relay-e2e-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return `sqlite:${join(dir, 'relay.db')}`;
    },
    async relay(env: NodeJS.ProcessEnv): Promise<RelayChild> {
      const relay = await startRelay(env);
      relays.push(relay);
      return relay;
    },
    async hooks(): Promise<Hooks> {
      const hooks = await startHooks();
      cleanups.push(() => hooks.close());
      return hooks;
    },
    /** Runs `cleanup` after the file, before the sandbox stops (later registrations run first). */
    onStop(cleanup: () => Promise<void> | void) {
      cleanups.push(cleanup);
    },
  };
}

/** The relay's environment for a sandbox and a database, on a free loopback port. */
export const relayEnv = (sandbox: Sandbox, databaseUrl: string): NodeJS.ProcessEnv => ({
  ...process.env,
  RELAY_PORT: '0',
  RELAY_DATABASE_URL: databaseUrl,
  RELAY_MASTER_KEY: MASTER_KEY,
  DINGTALK_API_BASE_URL: sandbox.url,
  DINGTALK_OAPI_BASE_URL: sandbox.url,
});

/** The relay's own API, as an operator or another receiver sees it (GET /status, GET /v1/subscriptions). */
export function relayApi(relayUrl: string, credentials: { appKey: string; appSecret: string }) {
  const basic = `Basic ${Buffer.from(`${credentials.appKey}:${credentials.appSecret}`).toString('base64')}`;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${relayUrl}${path}`, { headers });
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json() as Promise<any>;
  };
  return {
    /** This tenant's entry in /status (open on loopback without a token). */
    async status(): Promise<TenantStatus | undefined> {
      const body = await get('/status');
      return (body.tenants as TenantStatus[]).find((tenant) => tenant.clientId === credentials.appKey);
    },
    async subscriptionIds(): Promise<string[]> {
      return ((await get('/v1/subscriptions', { authorization: basic })).subscriptions as { id: string }[]).map((s) => s.id);
    },
  };
}

export interface TenantStatus {
  clientId: string;
  connections: { state?: string; heldBy: string }[];
  deliveries: { subscriptions: number; sent: number; queued: number; retrying: number; dead: number; redeliveries: number };
}

/** Both of the tenant's Stream connections open (on whichever processes hold them). */
export const bothConnectionsOpen = (status: TenantStatus | undefined) => status?.connections.length === 2 && status.connections.every((c) => c.state === 'open');

/** Nothing queued or retrying at the relay. */
export const deliveriesSettled = (status: TenantStatus | undefined) => status !== undefined && status.deliveries.queued === 0 && status.deliveries.retrying === 0;

/** A receiver posing as Zapier: one hook per path, each answering 200 unless told otherwise. */
export async function startHooks() {
  const answers = new Map<string, (nth: number) => Answer | Promise<Answer>>();
  const counts = new Map<string, number>();
  const receiver = await startReceiver((request) => {
    const nth = counts.get(request.path) ?? 0;
    counts.set(request.path, nth + 1);
    return answers.get(request.path)?.(nth) ?? { status: 200 };
  });
  return {
    url: receiver.url,
    received: receiver.received,
    /** How the hook at `path` answers its nth POST (0-based). */
    answer(path: string, how: (nth: number) => Answer | Promise<Answer>) {
      answers.set(path, how);
    },
    of: (path: string): Received[] => receiver.received.filter((request) => request.path === path),
    close: receiver.close,
  };
}
export type Hooks = Awaited<ReturnType<typeof startHooks>>;

type Step = (z: ZObject, bundle: Bundle) => unknown;
const instant = App.triggers!.approval_event_instant!.operation as unknown as Record<'perform' | 'performSubscribe' | 'performUnsubscribe', Step>;
const hydrators = App.hydrators as unknown as Record<string, Step>;

/** A Zap on Approval Event (Instant): turned on and off through the app's own performSubscribe/Unsubscribe. */
export class InstantZap {
  subscriptionId: string | undefined;

  constructor(
    readonly connection: Connection,
    readonly hooks: Hooks,
    readonly path: string,
    readonly inputData: Row,
  ) {}

  get targetUrl() {
    return `${this.hooks.url}${this.path}`;
  }

  /** Turning the Zap on: Zapier calls performSubscribe with its hook URL and keeps what it returns. */
  async turnOn(): Promise<this> {
    const { id } = await this.connection.step<{ id: string }>(instant.performSubscribe, { targetUrl: this.targetUrl, inputData: this.inputData });
    this.subscriptionId = id;
    return this;
  }

  turnOff(): Promise<{ id: string; deleted: boolean }> {
    return this.connection.step(instant.performUnsubscribe, { subscribeData: { id: this.subscriptionId }, inputData: this.inputData });
  }

  /** The POSTs this Zap's hook received. */
  get received(): Received[] {
    return this.hooks.of(this.path);
  }

  /** What one POST makes the Zap run with: perform on Zapier's cleanedRequest (the parsed JSON body). */
  perform(request: Received): Promise<Delivered[]> {
    return this.connection.step<Delivered[]>(instant.perform, { cleanedRequest: request.json, inputData: this.inputData });
  }
}

/** What Zapier does with `$HOIST$` when a step uses the record: runs the hydrator it names, as this connection. */
async function hydrate(connection: Connection, record: Row): Promise<Row> {
  const pointer = String(record.$HOIST$ ?? '');
  const match = /^hydrate\|\|\|(.*)\|\|\|hydrate$/s.exec(pointer);
  if (!match) throw new Error(`Not a dehydrated pointer: ${pointer}`);
  const { method, bundle } = JSON.parse(match[1]!) as { method: string; bundle: Row };
  const hydrator = hydrators[method.replace(/^hydrators\./, '')];
  if (!hydrator) throw new Error(`No hydrator ${method}`);
  return connection.step<Row>(hydrator, { inputData: bundle, meta: baseMeta });
}

/** The record as the Zap's later steps see it: the stub with the hydrated record hoisted in (⚠ hydrated fields win). */
export async function hoisted(connection: Connection, record: Row): Promise<Row> {
  const { $HOIST$: _pointer, ...stub } = record;
  return { ...stub, ...(await hydrate(connection, record)) };
}

/** Each approval's POSTs to a Zap's hook, in arrival order. */
export function postsByApproval(zap: InstantZap): Map<string, Received[]> {
  const copies = new Map<string, Received[]>();
  for (const post of zap.received) copies.set(post.json.approval_id, [...(copies.get(post.json.approval_id) ?? []), post]);
  return copies;
}

/**
 * What a `kill -9` may cause, and nothing more: a hook gets a delivery at most twice, the second copy with the same
 * webhook-id and `redelivery: true`; `counted` (/status's redeliveries) is every marked delivery, those sent twice
 * and those the dead process had claimed but not yet POSTed. Returns the duplicates.
 */
export function expectMarkedRedeliveries(zaps: InstantZap[], counted: number): Received[][] {
  const all = zaps.flatMap((zap) => [...postsByApproval(zap).values()]);
  const duplicates = all.filter((copies) => copies.length > 1);
  for (const copies of duplicates) {
    expect(copies.map((copy) => copy.json.redelivery)).toEqual([false, true]);
    expect(copies[1]!.headers['webhook-id']).toBe(copies[0]!.headers['webhook-id']);
  }
  const markedOnce = all.filter((copies) => copies.length === 1 && copies[0]!.json.redelivery).length;
  expect(counted).toBe(duplicates.length + markedOnce);
  return duplicates;
}
