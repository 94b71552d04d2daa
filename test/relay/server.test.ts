/** /health and /status over real HTTP on loopback. */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { startServer, type RunningServer } from '../../relay/api/server';
import { periodStarts } from '../../relay/api/status';
import { createLogger } from '../../relay/log';
import { openStore, type Store } from '../../relay/store';

const NOW = Date.parse('2026-11-20T09:30:00+08:00');
const TOKEN = 'status-token-0123456789';

let dir: string;
let store: Store;
let server: RunningServer;
const logs: string[] = [];

beforeAll(() => nock.enableNetConnect('127.0.0.1'));
afterAll(() => nock.disableNetConnect());
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relay-http-'));
  store = await openStore(`sqlite:${join(dir, 'relay.db')}`);
  server = await startServer({
    config: { host: '127.0.0.1', port: 0, statusToken: TOKEN },
    store,
    log: createLogger((line) => logs.push(line)),
    statusSources: [{ name: 'connections', forTenant: (clientId) => [{ slot: 0, state: `open for ${clientId}` }] }],
    now: () => NOW,
  });
});
afterEach(async () => {
  await server.close();
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    request(`${server.url}${path}`, { headers }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    }).on('error', reject).end();
  });
}

test('/health reports the database reachable, and 503 once it is not', async () => {
  expect(await get('/health')).toEqual({ status: 200, body: { status: 'ok', database: 'reachable' } });
  await store.close();
  expect(await get('/health')).toEqual({ status: 503, body: { status: 'unavailable', database: 'unreachable' } });
});

test('/status per tenant: last event, today and this month in China time, pushes, errors, reconcile, and extensions', async () => {
  const { todayStart, monthStart } = periodStarts(NOW);
  expect([new Date(todayStart).toISOString(), new Date(monthStart).toISOString()]).toEqual(['2026-11-19T16:00:00.000Z', '2026-10-31T16:00:00.000Z']);
  await store.tenants.save({ clientId: 'dingA', clientSecret: 'v1.sealed' }, NOW);
  await store.tenants.save({ clientId: 'dingQuiet', clientSecret: 'v1.sealed' }, NOW);
  const event = (eventId: string, via: 'stream' | 'reconcile', processInstanceId = eventId) => ({ tenantId: 'dingA', eventId, eventType: 'bpms_instance_change', changeType: 'finish', processInstanceId, bornAt: NOW, via, raw: {} });
  await store.events.record([event('yesterday', 'stream')], todayStart - 1);
  await store.events.record([event('now', 'stream'), event('recovered', 'reconcile')], NOW - 1000);
  // DingTalk pushes the recovered finish late: not stored again, but counted, and it used a push.
  expect(await store.events.record([event('late-push', 'stream', 'recovered')], NOW - 900)).toEqual([{ stored: false, deliveries: 0 }]);
  await store.errors.record({ tenantId: 'dingA', at: NOW - 500, source: 'stream', message: 'connection refused; retrying in 2 s' });
  const run = await store.reconcileRuns.claim({ tenantId: 'dingA', processCode: 'PROC-1', day: '2026-11-19', holder: 'p' }, NOW - 2000, 3_600_000);
  await store.reconcileRuns.finish(run!, { meteredCalls: 2, recovered: 1 }, NOW - 1500);

  const { status, body } = await get('/status');
  expect(status).toBe(200);
  expect(body).toEqual({
    time: '2026-11-20T01:30:00.000Z',
    database: 'sqlite',
    tenants: [
      {
        clientId: 'dingA', lastEventAt: '2026-11-20T01:29:59.000Z', eventsToday: 2, eventsThisMonth: 3, pushedThisMonth: 3, repeatedFinishesThisMonth: 1,
        errors: [{ at: '2026-11-20T01:29:59.500Z', source: 'stream', message: 'connection refused; retrying in 2 s' }],
        reconcile: [{ day: '2026-11-19', processCode: 'PROC-1', status: 'ok', meteredCalls: 2, recovered: 1, error: null, finishedAt: '2026-11-20T01:29:58.500Z' }],
        connections: [{ slot: 0, state: 'open for dingA' }],
      },
      { clientId: 'dingQuiet', lastEventAt: null, eventsToday: 0, eventsThisMonth: 0, pushedThisMonth: 0, repeatedFinishesThisMonth: 0, errors: [], reconcile: [], connections: [{ slot: 0, state: 'open for dingQuiet' }] },
    ],
  });
});

test('/status through a proxy needs the token, compared in constant time', async () => {
  const proxied = { 'x-forwarded-for': '203.0.113.9' };
  expect(await get('/status', proxied)).toMatchObject({ status: 401, body: { error: 'Send RELAY_STATUS_TOKEN as "Authorization: Bearer <token>".' } });
  expect((await get('/status', { ...proxied, authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
  expect((await get('/status', { ...proxied, authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  expect((await get('/status', { forwarded: 'for=203.0.113.9', authorization: `bearer ${TOKEN}` })).status).toBe(200);
  // /health stays open: load balancers call it.
  expect((await get('/health', proxied)).status).toBe(200);
});

test('without a configured token, /status off this machine is refused with what to set', async () => {
  await server.close();
  server = await startServer({ config: { host: '127.0.0.1', port: 0, statusToken: undefined }, store, log: createLogger(() => undefined) });
  expect(await get('/status', { 'x-forwarded-for': '203.0.113.9' })).toEqual({
    status: 403,
    body: { error: 'Status is available off this machine only with a token: set RELAY_STATUS_TOKEN and send it as "Authorization: Bearer <token>".' },
  });
  expect((await get('/status')).status).toBe(200);
  expect(await get('/nope')).toEqual({ status: 404, body: { error: 'No GET /nope here.' } });
});
