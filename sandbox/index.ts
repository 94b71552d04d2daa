/**
 * A local stand-in for api.dingtalk.com and oapi.dingtalk.com, for exactly the endpoints in dingtalk/endpoints.ts,
 * over real HTTP: same paths, methods, field names, encodings and error shapes. Point the client at it with
 * DINGTALK_API_BASE_URL / DINGTALK_OAPI_BASE_URL = sandbox.url. State lives in memory, or in a SQLite file.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { endpoints, type EndpointName } from '../dingtalk/endpoints';
import { decide, redirect, terminate } from './flow';
import { eventFaults, eventsApi, type EventFaults, type SandboxEvents } from './events/api';
import { EventHub, type EventOptions } from './events/hub';
import { Tickets } from './events/tickets';
import { storeFile } from './files';
import { Gate, isEndpointName } from './gate';
import type { Context, Handler } from './http';
import { sqliteStore } from './persist';
import { authRoutes } from './routes/auth';
import { contactRoutes } from './routes/contacts';
import { gatewayRoutes } from './routes/gateway';
import { instanceRoutes } from './routes/instances';
import { messageRoutes } from './routes/message';
import { templateRoutes } from './routes/templates';
import { freshState } from './seed';
import { requestHandler } from './server';
import { templateByCode, type Instance, type SentMessage, type State } from './state';

export interface SandboxOptions {
  /** 0 (default) = a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Keep state in this SQLite file (Node 22's node:sqlite). */
  dbFile?: string;
  /** Default 7200, DingTalk's. */
  tokenTtlSeconds?: number;
  /** Default 0. */
  latencyMs?: number;
  /** Per API per app per second; default 20 (DingTalk's standard edition). */
  qpsLimit?: number;
  /** Metered calls allowed before ApiCountLimitForOrg / 90020; default unlimited. */
  monthlyQuota?: number;
  /** Default true: seed the org, users, departments, templates and a few instances. */
  seed?: boolean;
  /** The clock; default Date.now (shifted by org.advance). */
  now?: () => number;
  /** DingTalk's event side: Stream and HTTP push (README, "The sandbox's event side"). */
  events?: EventOptions;
}

export interface Sandbox {
  /** One base URL serving both hosts' paths (api /v1.0/… and oapi /topapi/…). */
  url: string;
  stop(): Promise<void>;
  credentials: { appKey: string; appSecret: string; agentId: string };
  meter: { metered: number; free: number; byEndpoint: Record<string, number>; reset(): void };
  faults: {
    /** Every issued token becomes invalid now. */
    expireTokens(): void;
    /** endpointName = key in dingtalk/endpoints.ts. */
    denyPermission(endpointName: string, denied?: boolean): void;
    /** 5xx (default 500) for the next N (default 1) calls. */
    failNext(endpointName: string, status?: number, times?: number): void;
    setLatency(ms: number): void;
    setQpsLimit(n: number): void;
    setMonthlyQuota(n: number | undefined): void;
  } & EventFaults;
  /** DingTalk's event side: what was emitted and how it travelled. */
  events: SandboxEvents;
  /** What a person does in the DingTalk app, for demos and tests (not metered). */
  org: {
    templates(): { processCode: string; name: string }[];
    users(): { userid: string; name: string; mobile: string; deptIds: number[] }[];
    /** The stored instance (a copy), or undefined. */
    instance(id: string): unknown;
    /** Decides that user's RUNNING task. */
    act(instanceId: string, userId: string, result: 'agree' | 'refuse', remark?: string): void;
    revoke(instanceId: string, userId: string): void;
    /** Transfers (转交) that user's RUNNING task to another user. */
    redirect(instanceId: string, fromUserId: string, toUserId: string, remark?: string): void;
    addAttachment(instanceId: string, file: { fileName: string; fileType: string; content: Buffer | string }): void;
    /** Only with the default clock: shifts sandbox time. */
    advance(ms: number): void;
    /** Beyond the agreed API: work notifications the sandbox accepted, oldest first. */
    messages(): SentMessage[];
  };
}

const handlers: Record<EndpointName, Handler> = (() => {
  const all: Partial<Record<EndpointName, Handler>> = { ...authRoutes, ...gatewayRoutes, ...instanceRoutes, ...templateRoutes, ...contactRoutes, ...messageRoutes };
  const missing = Object.keys(endpoints).filter((name) => !isEndpointName(name) || !all[name]);
  if (missing.length > 0) throw new Error(`The sandbox has no handler for ${missing.join(', ')}`);
  return all as Record<EndpointName, Handler>;
})();

function endpointName(name: string): EndpointName {
  if (!isEndpointName(name)) throw new Error(`${name} is not an endpoint in dingtalk/endpoints.ts`);
  return name;
}

function instanceIn(state: State, id: string): Instance {
  const instance = state.instances[id];
  if (!instance) throw new Error(`No approval ${id} in the sandbox`);
  return instance;
}

/** Appends a file to the instance's first attachment field, as if the originator had added it in the app. */
function attach(state: State, instance: Instance, file: { fileName: string; fileType: string; content: Buffer | string }): void {
  const template = templateByCode(state, instance.processCode);
  const component = template?.items.find((item) => item.componentName === 'DDAttachment');
  if (!template || !component) throw new Error(`${instance.processCode} has no attachment field`);
  const ref = storeFile(state, instance.processInstanceId, file);
  const existing = instance.formComponentValues.find((value) => value.id === component.props.id);
  if (existing) existing.value = JSON.stringify([...(JSON.parse(existing.value) as unknown[]), ref]);
  else instance.formComponentValues.push({ id: component.props.id, name: component.props.label, value: JSON.stringify([ref]), componentType: 'DDAttachment' });
  const order = template.items.map((item) => item.props.id);
  instance.formComponentValues.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const store = options.dbFile ? sqliteStore(options.dbFile) : undefined;
  const loaded = store?.load();
  const state: State = loaded ?? freshState(options.now ? options.now() : Date.now(), options.seed ?? true);
  const now = options.now ?? (() => Date.now() + state.clockOffsetMs);
  const tickets = new Tickets();
  const hub = new EventHub(state, now, tickets, options.events);
  // Every change goes through commit: events are found there, then the state is saved.
  const commit = () => {
    hub.observe();
    store?.save(state);
  };
  commit();

  const host = options.host ?? '127.0.0.1';
  const gate = new Gate({ latencyMs: options.latencyMs ?? 0, qpsLimit: options.qpsLimit ?? 20, monthlyQuota: options.monthlyQuota });
  const ctx: Context = { state, now, url: '', tokenTtlSeconds: options.tokenTtlSeconds ?? 7200, tickets };
  const server = createServer(requestHandler({ ctx, gate, handlers, commit }));
  server.on('upgrade', (request, socket, head) => hub.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  ctx.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const changed = <T>(result: T): T => {
    commit();
    return result;
  };
  let stopped: Promise<void> | undefined;

  return {
    url: ctx.url,
    credentials: { ...state.app },
    stop: () =>
      (stopped ??= hub
        .stop()
        .then(
          () =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        )
        .finally(() => store?.close())),
    meter: {
      get metered() {
        return state.meter.metered;
      },
      get free() {
        return state.meter.free;
      },
      get byEndpoint() {
        return state.meter.byEndpoint;
      },
      reset: () => changed(void (state.meter = { metered: 0, free: 0, byEndpoint: {} })),
    },
    faults: {
      expireTokens: () => {
        for (const token of Object.keys(state.tokens)) state.tokens[token] = Math.min(state.tokens[token]!, now());
        commit();
      },
      denyPermission: (name, denied = true) => {
        const key = endpointName(name);
        if (!endpoints[key].authenticated) throw new Error(`${name} needs no permission`);
        if (denied) gate.denied.add(key);
        else gate.denied.delete(key);
      },
      failNext: (name, status = 500, times = 1) => gate.failNext(endpointName(name), status, times),
      setLatency: (ms) => void (gate.settings.latencyMs = ms),
      setQpsLimit: (n) => void (gate.settings.qpsLimit = n),
      setMonthlyQuota: (n) => void (gate.settings.monthlyQuota = n),
      ...eventFaults(hub),
    },
    events: eventsApi(hub),
    org: {
      templates: () => state.templates.map(({ processCode, name }) => ({ processCode, name })),
      users: () => state.users.map(({ userid, name, mobile, deptIds }) => ({ userid, name, mobile, deptIds: [...deptIds] })),
      instance: (id) => structuredClone(state.instances[id]),
      act: (instanceId, userId, result, remark) => {
        const instance = instanceIn(state, instanceId);
        const task = instance.tasks.find((candidate) => candidate.userId === userId && candidate.status === 'RUNNING');
        if (!task) throw new Error(`${userId} has no running task on approval ${instanceId}`);
        changed(decide(state, instance, { taskId: task.taskId, userId, result, ...(remark ? { remark } : {}) }, now()));
      },
      revoke: (instanceId, userId) => {
        const instance = instanceIn(state, instanceId);
        if (userId !== instance.originatorUserId) throw new Error(`Only the originator ${instance.originatorUserId} can revoke approval ${instanceId}`);
        changed(terminate(instance, now(), userId));
      },
      redirect: (instanceId, fromUserId, toUserId, remark) => {
        const instance = instanceIn(state, instanceId);
        const task = instance.tasks.find((candidate) => candidate.userId === fromUserId && candidate.status === 'RUNNING');
        if (!task) throw new Error(`${fromUserId} has no running task on approval ${instanceId}`);
        changed(redirect(state, instance, { taskId: task.taskId, userId: fromUserId, toUserId, ...(remark ? { remark } : {}) }, now()));
      },
      addAttachment: (instanceId, file) => changed(attach(state, instanceIn(state, instanceId), file)),
      advance: (ms) => {
        if (options.now) throw new Error('org.advance works with the default clock only; move your injected clock instead');
        state.clockOffsetMs += ms;
        commit();
      },
      messages: () => structuredClone(state.messages),
    },
  };
}
