/**
 * A local stand-in for api.dingtalk.com and oapi.dingtalk.com, for exactly the endpoints in dingtalk/endpoints.ts,
 * over real HTTP: same paths, methods, field names, encodings and error shapes. Point the client at it with
 * DINGTALK_API_BASE_URL / DINGTALK_OAPI_BASE_URL = sandbox.url. State lives in memory, or in a SQLite file.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { endpoints, type EndpointName } from '../dingtalk/endpoints';
import { decide, redirect, terminate } from './flow';
import { EventHub, type EmittedEvent, type EventOptions } from './events/hub';
import type { HttpPushTarget, PushOutcome } from './events/push';
import type { ConnectionInfo, StreamDelivery } from './events/stream';
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
    /** Stream: sockets die without a close frame (all, or one connection). */
    dropSockets(connectionId?: string): void;
    /** Stream: the next N WebSocket handshakes are refused with HTTP 503 (0 stops refusing). */
    refuseConnections(times?: number): void;
    /** Stream: acks take effect only this long after they arrive. */
    setAckDelay(ms: number): void;
    /** Stream: the chance (0–1) that an acked event is pushed once more. */
    setDuplicateRate(rate: number): void;
    /** Stream and HTTP push: how long before an unsettled event is pushed again. */
    setRedeliverAfter(ms: number): void;
    /** Pushes a month; once spent, events go out as 20001 notices only. */
    setPushQuota(n: number): void;
  };
  /** DingTalk's event side: what was emitted and how it travelled. */
  events: {
    /** Every event the sandbox produced, oldest first. */
    emitted(): EmittedEvent[];
    /** Every Stream frame sent for an event, with its kind (push, redelivery, duplicate, notice). */
    deliveries(): StreamDelivery[];
    /** Every HTTP push attempt and its outcome. */
    httpPushes(): ({ eventId: string; attempt: number } & PushOutcome)[];
    /** Open Stream connections. */
    connections(): ConnectionInfo[];
    /** Events not yet acked SUCCESS (Stream) or answered with success (HTTP push). */
    unsettled(): number;
    /** Pushes used this month, and the quota. */
    pushes(): { used: number; quota: number };
    /** SYSTEM ping; resolves with each connection's echo (undefined if it did not answer within timeoutMs, default 5 s). */
    ping(connectionId?: string, timeoutMs?: number): Promise<{ connectionId: string; opaque: string; echoed: unknown }[]>;
    /** SYSTEM disconnect, then the socket closes after the configured delay. */
    disconnect(connectionId?: string, reason?: string): void;
    /** Switches the app to HTTP push to this target (undefined: back to Stream). */
    useHttpPush(target: HttpPushTarget | undefined): void;
    /** The console's URL check against the HTTP push target. */
    checkUrl(): Promise<PushOutcome>;
    /** How long an HTTP push waits for its reply before it counts as failed (default 1,500 ms). */
    setPushTimeout(ms: number): void;
  };
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
      dropSockets: (connectionId) => hub.stream.drop(connectionId),
      refuseConnections: (times = 1) => void (hub.stream.refuseHandshakes = times),
      setAckDelay: (ms) => void (hub.stream.settings.ackDelayMs = ms),
      setDuplicateRate: (rate) => void (hub.stream.settings.duplicateRate = rate),
      setRedeliverAfter: (ms) => void (hub.stream.settings.redeliverAfterMs = ms),
      setPushQuota: (n) => void (hub.meter.quota = n),
    },
    events: {
      emitted: () => structuredClone(hub.emitted),
      deliveries: () => [...hub.stream.deliveries],
      httpPushes: () => [...hub.httpLog],
      connections: () => hub.stream.connections(),
      unsettled: () => hub.unsettled(),
      pushes: () => ({ used: hub.meter.used, quota: hub.meter.quota }),
      ping: (connectionId, timeoutMs) => hub.stream.ping(connectionId, timeoutMs),
      disconnect: (connectionId, reason) => hub.stream.disconnect(connectionId, reason),
      useHttpPush: (target) => void (hub.httpPush = target),
      checkUrl: () => hub.checkUrl(),
      setPushTimeout: (ms) => void (hub.pushTimeoutMs = ms),
    },
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
