/**
 * The subscription API over real HTTP, on SQLite and on a real PostgreSQL: who may call it (Client ID and Secret,
 * the allow-list, DingTalk's check for a new app), create with every problem listed at once, list without
 * secrets, idempotent delete, the event log read for Zapier's performList, and dead-letter replay.
 */
import { request } from 'node:http';
import nock from 'nock';
import { startServer, type RunningServer } from '../../relay/api/server';
import { subscriptionApi } from '../../relay/api/subscriptions';
import { DingTalkError } from '../../dingtalk/errors';
import { createLogger } from '../../relay/log';
import type { Store } from '../../relay/store';
import { tenantService } from '../../relay/tenants';
import { describeEachBackend, storesFor } from './backends';
import { approvalEvent, sealer, T0 } from './delivery-fixtures';
import { startReceiver, verifyStandardWebhook } from './receiver';
import { deliveryWorker } from '../../relay/delivery/worker';

const SECRET_A = 'client-secret-of-dingA-0123456789';
const SECRET_B = 'client-secret-of-dingB-0123456789';

beforeAll(() => nock.enableNetConnect('127.0.0.1'));
afterAll(() => nock.disableNetConnect());

interface Reply {
  status: number;
  body: any;
}

function call(base: string, method: string, path: string, auth?: [string, string], body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth) headers.authorization = `Basic ${Buffer.from(auth.join(':')).toString('base64')}`;
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describeEachBackend((backend) => {
  const stores = storesFor(backend);
  let store: Store;
  let server: RunningServer;
  let logs: string[];
  let checks: string[];

  beforeEach(async () => {
    ({ store } = await stores.fresh());
    logs = [];
    checks = [];
    const log = createLogger((line) => logs.push(line));
    const config = { allowedClientIds: ['dingA', 'dingB'] };
    // Stands in for DingTalk's token check: right secrets pass, anything else is refused as DingTalk would.
    const checkCredentials = async (clientId: string, clientSecret: string) => {
      checks.push(clientId);
      if ((clientId === 'dingA' && clientSecret === SECRET_A) || (clientId === 'dingB' && clientSecret === SECRET_B)) return;
      throw new DingTalkError({ kind: 'bad-credentials', status: 400, code: 'invalidClientSecret', message: 'bad' }, 'DingTalk refused the app credentials.');
    };
    const tenants = tenantService({ store, sealer, config, log, checkCredentials, now: () => T0 });
    server = await startServer({ config: { host: '127.0.0.1', port: 0, statusToken: undefined }, store, log, routes: subscriptionApi({ config, store, sealer, tenants, log, now: () => T0 }) });
  });
  afterEach(() => server.close());

  const A: [string, string] = ['dingA', SECRET_A];
  const B: [string, string] = ['dingB', SECRET_B];

  test('a new app on the allow-list is checked with DingTalk once and registered; then its secret is compared locally', async () => {
    expect(await call(server.url, 'GET', '/v1/me', A)).toEqual({ status: 200, body: { client_id: 'dingA' } });
    expect(await call(server.url, 'GET', '/v1/me', A)).toEqual({ status: 200, body: { client_id: 'dingA' } });
    expect(checks).toEqual(['dingA']);
    expect((await store.tenants.list()).map((t) => t.clientId)).toEqual(['dingA']);

    const wrong = await call(server.url, 'GET', '/v1/me', ['dingA', 'not-the-secret-at-all']);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toContain('DingTalk did not accept this Client ID and Client Secret');
    // Another wrong secret at once is refused without asking DingTalk again.
    const again = await call(server.url, 'GET', '/v1/me', ['dingA', 'another-wrong-secret']);
    expect(again.status).toBe(401);
    expect(again.body.error).toContain('does not match');
    expect((await call(server.url, 'GET', '/v1/me', ['dingC', 'whatever-secret'])).status).toBe(403);
    expect((await call(server.url, 'GET', '/v1/me')).status).toBe(401);
    expect(checks).toEqual(['dingA', 'dingA']); // dingC was refused before DingTalk was asked
    const printed = logs.join('\n');
    for (const secret of [SECRET_A, 'not-the-secret-at-all', 'another-wrong-secret', 'whatever-secret']) expect(printed).not.toContain(secret);
  });

  test('a rotated secret is checked with DingTalk and replaces the stored one, keeping HTTP push credentials', async () => {
    const tenants = tenantService({ store, sealer, config: { allowedClientIds: '*' }, log: createLogger(() => undefined), checkCredentials: async () => undefined, now: () => T0 });
    await tenants.add({ clientId: 'dingA', clientSecret: 'the-secret-before-rotation', callbackToken: 'token123', callbackAesKey: 'a'.repeat(43) });
    expect(await call(server.url, 'GET', '/v1/me', A)).toEqual({ status: 200, body: { client_id: 'dingA' } });
    expect(checks).toEqual(['dingA']);
    expect(await tenants.credentials('dingA')).toEqual({ clientId: 'dingA', clientSecret: SECRET_A, callbackToken: 'token123', callbackAesKey: 'a'.repeat(43) });
    // The old secret no longer opens the API.
    expect((await call(server.url, 'GET', '/v1/me', ['dingA', 'the-secret-before-rotation'])).status).toBe(401);
  });

  test('create lists every problem at once and stores nothing', async () => {
    const reply = await call(server.url, 'POST', '/v1/subscriptions', A, { target_url: 'ftp://x', kinds: ['approved', 'sunk'], waiting_hours: [0], approvers: ['user-1', 7] });
    expect(reply.status).toBe(400);
    expect(reply.body.problems).toEqual([
      'target_url is required: the http(s) URL to POST events to (Zapier sends bundle.targetUrl).',
      'kinds: "sunk" is not a kind; use submitted, approved, rejected, revoked, finished, waiting.',
      'waiting_hours must be numbers of hours above 0 and at most 720 (30 days); 0 is not.',
      'waiting_hours only applies to the kind "waiting"; add "waiting" to kinds or leave waiting_hours out.',
      'approvers must be DingTalk userIds (strings).',
      'approvers only applies to the kind "waiting" (the approver a task waits for); add "waiting" to kinds or leave approvers out.',
    ]);
    expect((await call(server.url, 'POST', '/v1/subscriptions', A, { target_url: 'https://hooks.zapier.com/x', kinds: ['waiting'] })).body.problems).toEqual([
      'waiting_hours is required with the kind "waiting": after how many hours a pending task counts as waiting too long, e.g. [24].',
    ]);
    expect(await store.subscriptions.ofTenant('dingA')).toEqual([]);
  });

  test('create returns the signing secret once; list shows no secret and no hook path; delete is idempotent and per tenant', async () => {
    const hook = await startReceiver();
    try {
      const target = `${hook.url}/hooks/catch/123/secret-path/`;
      const created = await call(server.url, 'POST', '/v1/subscriptions', A, { target_url: target, kinds: ['approved', 'rejected'], template: 'PROC-EXPENSE', originators: ['user-originator'] });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ kinds: ['approved', 'rejected'], template: 'PROC-EXPENSE', originators: ['user-originator'], waiting_hours: [], approvers: [], status: 'active' });
      expect(created.body.id).toMatch(/^sub_[0-9a-f]{32}$/);
      expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

      const listed = await call(server.url, 'GET', '/v1/subscriptions', A);
      expect(listed.body.subscriptions).toEqual([{ ...created.body, secret: undefined, target_host: new URL(hook.url).host }].map(({ secret: _secret, ...rest }) => rest));
      expect(JSON.stringify(listed.body)).not.toContain('secret-path');
      expect((await call(server.url, 'GET', '/v1/subscriptions', B)).body.subscriptions).toEqual([]);

      // Events flow to it, signed with the secret it was given.
      await store.events.record([approvalEvent(), approvalEvent({ eventId: 'ev-other', processInstanceId: 'pi-2', staffId: 'someone-else' })], T0);
      await deliveryWorker({ store, sealer, log: createLogger(() => undefined), now: () => T0 }).runOnce();
      expect(hook.received.map((r) => r.json.id)).toEqual(['pi-1']);
      expect(verifyStandardWebhook(created.body.secret, hook.received[0]!.headers, hook.received[0]!.body)).toBe(true);

      expect(await call(server.url, 'DELETE', `/v1/subscriptions/${created.body.id}`, B)).toEqual({ status: 200, body: { id: created.body.id, deleted: false } });
      expect(await call(server.url, 'DELETE', `/v1/subscriptions/${created.body.id}`, A)).toEqual({ status: 200, body: { id: created.body.id, deleted: true } });
      expect(await call(server.url, 'DELETE', `/v1/subscriptions/${created.body.id}`, A)).toEqual({ status: 200, body: { id: created.body.id, deleted: false } });
      const printed = logs.join('\n');
      expect(printed).not.toContain('secret-path');
      expect(printed).not.toContain(created.body.secret);
    } finally {
      await hook.close();
    }
  });

  test('the event log read filters like a subscription and returns hook records, newest first, without DingTalk', async () => {
    await call(server.url, 'GET', '/v1/me', A);
    await store.events.record(
      [
        approvalEvent({ eventId: 'e1', processInstanceId: 'pi-1', changeType: 'start', result: null, occurredAt: T0 - 3000 }),
        approvalEvent({ eventId: 'e2', processInstanceId: 'pi-1', occurredAt: T0 - 2000 }),
        approvalEvent({ eventId: 'e3', processInstanceId: 'pi-2', result: 'refuse', occurredAt: T0 - 1000 }),
        approvalEvent({ eventId: 'e4', processInstanceId: 'pi-3', processCode: 'PROC-LEAVE', occurredAt: T0 }),
        approvalEvent({ eventId: 'e5', eventType: 'bpms_task_change', changeType: 'start', taskId: '7', occurredAt: T0 }),
        approvalEvent({ eventId: 'other-tenant', tenantId: 'dingB', processInstanceId: 'pi-9' }),
      ],
      T0,
    );
    const finished = await call(server.url, 'GET', '/v1/events?kinds=finished&template=PROC-EXPENSE&limit=10', A);
    expect(finished.body.events.map((e: any) => [e.id, e.kind])).toEqual([['pi-2', 'rejected'], ['pi-1', 'approved']]);
    const all = await call(server.url, 'GET', '/v1/events', A);
    expect(all.body.events.map((e: any) => e.event_id)).toEqual(['e4', 'e3', 'e2']);
    expect((await call(server.url, 'GET', '/v1/events?kinds=submitted', A)).body.events.map((e: any) => e.id)).toEqual(['pi-1']);
    expect((await call(server.url, 'GET', '/v1/events?kinds=nope&limit=0', A)).body.problems).toHaveLength(2);
    expect(checks).toEqual(['dingA']);
  });

  test('dead letters are listed and replayed through the API', async () => {
    let healthy = false;
    const hook = await startReceiver(() => ({ status: healthy ? 200 : 500 }));
    try {
      const created = await call(server.url, 'POST', '/v1/subscriptions', A, { target_url: `${hook.url}/h`, kinds: ['approved'] });
      await store.events.record([approvalEvent()], T0);
      const worker = deliveryWorker({ store, sealer, log: createLogger(() => undefined), now: () => T0, schedule: [0] });
      await worker.runOnce();
      const dead = await call(server.url, 'GET', '/v1/dead-letters', A);
      expect(dead.body.dead_letters).toMatchObject([{ subscription_id: created.body.id, attempts: 1, http_status: 500 }]);
      expect((await call(server.url, 'GET', '/v1/dead-letters', B)).body.dead_letters).toEqual([]);
      expect((await call(server.url, 'POST', '/v1/dead-letters/replay', B, {})).body).toEqual({ replayed: 0 });

      healthy = true;
      expect((await call(server.url, 'POST', '/v1/dead-letters/replay', A, { subscription_id: created.body.id })).body).toEqual({ replayed: 1 });
      await worker.runOnce();
      expect(hook.received.map((r) => r.json.id)).toEqual(['pi-1', 'pi-1']);
      expect((await call(server.url, 'GET', '/v1/dead-letters', A)).body.dead_letters).toEqual([]);
    } finally {
      await hook.close();
    }
  });
});
