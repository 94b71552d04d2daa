/**
 * Stream intake in one process, against the sandbox's real Stream gateway over a real WebSocket: persist then ack,
 * ping, disconnect with the replacement opened first, refused connections with backoff, LATER when the store fails,
 * and DingTalk's 20001 notice recorded and shown in /status.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { axiosTransport } from '../../dingtalk/axios-transport';
import { createLogger } from '../../relay/log';
import { openRelay, type Relay } from '../../relay/open';
import { serve, type Serving } from '../../relay/serve';
import { StreamConnection } from '../../relay/intake/stream-connection';
import { ingester, type Ingest } from '../../relay/intake/ingest';
import type { SandboxOptions } from '../../sandbox';
import { expenseClaim, sandboxSuite } from '../sandbox/helpers';
import { approvalBurst, MASTER_KEY, waitFor } from './intake-helpers';

const start = sandboxSuite();
let dir: string;
let relay: Relay | undefined;
let serving: Serving | undefined;
let logs: { msg: string; [field: string]: unknown }[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relay-intake-'));
  logs = [];
});
afterEach(async () => {
  await serving?.stop();
  serving = undefined;
  relay = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function relayFor(sandboxOptions: SandboxOptions) {
  const running = await start({ qpsLimit: 10_000, ...sandboxOptions });
  relay = await openRelay({
    env: { RELAY_PORT: '0', RELAY_MASTER_KEY: MASTER_KEY, RELAY_DATABASE_URL: `sqlite:${join(dir, 'relay.db')}`, DINGTALK_API_BASE_URL: running.sandbox.url },
    log: createLogger((line) => logs.push(JSON.parse(line))),
  });
  await relay.tenants.add({ clientId: running.sandbox.credentials.appKey, clientSecret: running.sandbox.credentials.appSecret });
  return { ...running, relay, tenantId: running.sandbox.credentials.appKey };
}

const storedIds = async (r: Relay, tenantId: string) => (await r.store.events.latest(tenantId, 100_000)).map((event) => event.eventId).sort();
const emittedIds = (sandbox: { events: { emitted(): { eventId: string }[] } }) => sandbox.events.emitted().map((event) => event.eventId).sort();

test('two connections per tenant; every event stored once before its SUCCESS ack, duplicates included; ping answered', async () => {
  const { sandbox, transport, relay: r, tenantId } = await relayFor({ events: { duplicateRate: 0.3, redeliverAfterMs: 500 } });
  serving = await serve(r);
  await waitFor('two open connections', () => sandbox.events.connections().length === 2, 10_000);

  await approvalBurst(sandbox, transport, 10);
  await waitFor('every event settled', () => sandbox.events.unsettled() === 0, 15_000);
  expect(await storedIds(r, tenantId)).toEqual(emittedIds(sandbox));
  expect(sandbox.events.deliveries().some((delivery) => delivery.kind === 'duplicate')).toBe(true);

  const pings = await sandbox.events.ping();
  expect(pings).toHaveLength(2);
  for (const ping of pings) expect(ping.echoed).toBe(ping.opaque);

  const status = (await axios.get(`${serving.server.url}/status`)).data.tenants[0];
  expect(status.connections.map((c: { state: string }) => c.state)).toEqual(['open', 'open']);
  expect(status.eventsToday).toBe(sandbox.events.emitted().length);
  expect(status.pushQuota).toMatchObject({ used: sandbox.events.emitted().length, quota: 3000, pausedAt: null });
}, 30_000);

test('on disconnect the replacement opens before the old socket closes, and nothing is lost', async () => {
  const { sandbox, transport, relay: r, tenantId } = await relayFor({ events: { disconnectCloseMs: 1500, redeliverAfterMs: 500 } });
  serving = await serve(r);
  await waitFor('two open connections', () => sandbox.events.connections().length === 2, 10_000);
  const [first] = sandbox.events.connections();
  sandbox.events.disconnect(first!.id);
  // Three sockets at once: the replacement is open while the told-to-go one still is.
  await waitFor('the replacement opened beside the closing socket', () => sandbox.events.connections().length === 3, 1400, 10);
  await approvalBurst(sandbox, transport, 3);
  await waitFor('the old socket closed', () => !sandbox.events.connections().some((c) => c.id === first!.id), 5000);
  await waitFor('every event settled', () => sandbox.events.unsettled() === 0, 10_000);
  expect(await storedIds(r, tenantId)).toEqual(emittedIds(sandbox));
  expect(sandbox.events.connections()).toHaveLength(2);
  expect(logs.filter((line) => line.msg === 'stream.waiting')).toEqual([]);
}, 30_000);

test('refused and dropped connections are retried one attempt at a time, with backoff and a log line saying why', async () => {
  const { sandbox, relay: r } = await relayFor({});
  sandbox.faults.refuseConnections(2);
  serving = await serve(r);
  await waitFor('two open connections', () => sandbox.events.connections().length === 2, 15_000);
  const waits = logs.filter((line) => line.msg === 'stream.waiting');
  expect(waits).toHaveLength(2);
  for (const wait of waits) {
    expect(wait.reason).toMatch(/refused the WebSocket with HTTP 503/);
    expect(wait.waitMs).toBeGreaterThanOrEqual(1000);
    expect(wait.waitMs).toBeLessThan(2000);
  }
  const before = sandbox.events.connections().map((c) => c.id);
  sandbox.faults.dropSockets();
  await waitFor('a wait logged for each lost socket', () => logs.filter((line) => line.msg === 'stream.waiting' && /closed/.test(String(line.reason))).length === 2, 5000);
  await waitFor('both reconnected', () => sandbox.events.connections().filter((c) => !before.includes(c.id)).length === 2, 10_000);
  expect(logs.filter((line) => line.msg === 'stream.open')).toHaveLength(4);
}, 30_000);

test('a store failure acks LATER, DingTalk pushes again, and the event is stored once it can be', async () => {
  const { sandbox, transport, relay: r, tenantId } = await relayFor({ events: { redeliverAfterMs: 300 } });
  const real = ingester({ store: r.store, log: r.log });
  let failing = true;
  const ingest: Ingest = async (tenant, payload) => {
    if (failing) throw new Error('disk full');
    return real(tenant, payload);
  };
  const acks: string[] = [];
  const connection = new StreamConnection({
    tenantId,
    slot: 0,
    credentials: () => r.tenants.credentials(tenantId),
    transport: (c) => axiosTransport({ appKey: c.clientId, appSecret: c.clientSecret }),
    ingest,
    log: r.log,
    acked: (_ms, status) => acks.push(status),
  });
  connection.start();
  try {
    await waitFor('one open connection', () => sandbox.events.connections().length === 1, 10_000);
    await expenseClaim(transport);
    await waitFor('LATER acks', () => acks.filter((s) => s === 'LATER').length >= 4, 5000);
    expect(sandbox.events.unsettled()).toBe(2);
    expect(await storedIds(r, tenantId)).toEqual([]);
    failing = false;
    await waitFor('every event settled', () => sandbox.events.unsettled() === 0, 5000);
    expect(await storedIds(r, tenantId)).toEqual(emittedIds(sandbox));
  } finally {
    connection.stop();
    await r.store.close();
  }
}, 30_000);

test('the 20001 push-quota notice is recorded as an error and shown in /status', async () => {
  const { sandbox, transport, relay: r, tenantId } = await relayFor({ events: { pushQuota: 2 } });
  serving = await serve(r);
  await waitFor('two open connections', () => sandbox.events.connections().length === 2, 10_000);
  await expenseClaim(transport);
  await expenseClaim(transport);
  await waitFor('the notices recorded', async () => (await r.store.errors.latest(tenantId, 5)).length === 2, 5000);
  const status = (await axios.get(`${serving.server.url}/status`)).data.tenants[0];
  expect(status.pushQuota).toMatchObject({ used: 2, quota: 3000 });
  expect(status.pushQuota.pausedAt).toEqual(expect.any(String));
  expect(status.errors[0]).toMatchObject({ source: 'push-quota', message: expect.stringContaining('20001') });
}, 30_000);
