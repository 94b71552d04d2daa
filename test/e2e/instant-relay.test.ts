/**
 * The instant trigger against the real relay code (delivery's subscription API, store and delivery worker, over
 * real HTTP on loopback, SQLite), with a local HTTP receiver posing as Zapier: the app's own performSubscribe,
 * perform, performList and performUnsubscribe, through createAppTester. Events are stored as intake stores them
 * (intake was not on main when this was written, so the sandbox's Stream is not in the loop yet).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../../index';
import { startServer, type RunningServer } from '../../relay/api/server';
import { subscriptionApi } from '../../relay/api/subscriptions';
import { deliveryWorker } from '../../relay/delivery/worker';
import { timerWorker } from '../../relay/timers/worker';
import { deliveryId } from '../../approvals/waiting/thresholds';
import { createLogger } from '../../relay/log';
import { openStore, type Store } from '../../relay/store';
import { tenantService } from '../../relay/tenants';
import { allowUnusedMocks, appTester, authData, meta, oapi, TOKEN } from '../helpers';
import { approvalEvent, sealer, T0 } from '../relay/delivery-fixtures';
import { startReceiver } from '../relay/receiver';

type Operation = Record<'perform' | 'performList' | 'performSubscribe' | 'performUnsubscribe', (z: ZObject, bundle: Bundle) => Promise<unknown>>;
const operation = App.triggers!.approval_event_instant!.operation as unknown as Operation;
type Delivered = { id: string; outcome: string; status: string; [key: string]: unknown };

let dir: string;
let store: Store;
let relay: RunningServer;
let zapier: Awaited<ReturnType<typeof startReceiver>>;
const log = createLogger(() => undefined);

beforeAll(() => nock.enableNetConnect('127.0.0.1'));
afterAll(() => nock.disableNetConnect());

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'instant-relay-'));
  store = await openStore(`sqlite:${join(dir, 'relay.db')}`);
  const config = { allowedClientIds: [authData.appKey] };
  // Stands in for DingTalk's token check of the app's credentials (not metered).
  const checkCredentials = async (clientId: string, clientSecret: string) => {
    if (clientId !== authData.appKey || clientSecret !== authData.appSecret) throw new Error('refused');
  };
  const tenants = tenantService({ store, sealer, config, log, checkCredentials, now: () => T0 });
  relay = await startServer({ config: { host: '127.0.0.1', port: 0, statusToken: undefined }, store, log, routes: subscriptionApi({ config, store, sealer, tenants, log, now: () => T0 }) });
  zapier = await startReceiver();
});

afterEach(async () => {
  await zapier.close();
  await relay.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const connection = () => ({ ...authData, relayUrl: relay.url });
const run = <T>(method: keyof Operation, bundle: Record<string, unknown>) => appTester(operation[method] as never, { authData: connection(), meta, ...bundle } as never) as Promise<T>;
const subscribe = (event: string, path: string) => run<{ id: string }>('performSubscribe', { targetUrl: `${zapier.url}${path}`, inputData: { event, processCode: 'PROC-EXPENSE' } });

test('each event reaches exactly the Zaps subscribed to it, once, as the polling triggers\' record', async () => {
  const approved = await subscribe('approved', '/hooks/approved');
  await subscribe('finished', '/hooks/finished');
  await subscribe('submitted', '/hooks/submitted');
  expect(approved.id).toMatch(/^sub_/);

  const tenant = authData.appKey;
  await store.events.record(
    [
      approvalEvent({ tenantId: tenant, eventId: 'e-start', changeType: 'start', result: null, processInstanceId: 'pi-2' }),
      approvalEvent({ tenantId: tenant, eventId: 'e-agree', processInstanceId: 'pi-1' }),
      approvalEvent({ tenantId: tenant, eventId: 'e-refuse', result: 'refuse', processInstanceId: 'pi-3' }),
      approvalEvent({ tenantId: tenant, eventId: 'e-other-template', processInstanceId: 'pi-4', processCode: 'PROC-TRAVEL' }),
    ],
    T0,
  );
  await deliveryWorker({ store, sealer, log, now: () => T0 }).runOnce();

  const byHook = (path: string) => zapier.received.filter((r) => r.path === path).map((r) => (r.json as { id: string }).id).sort();
  expect(byHook('/hooks/approved')).toEqual(['pi-1']);
  expect(byHook('/hooks/finished')).toEqual(['pi-1', 'pi-3']);
  expect(byHook('/hooks/submitted')).toEqual(['pi-2']);
  expect(zapier.received).toHaveLength(4);

  // What each Zap then gets from perform: the stub with the approval's id, and the full record hoisted in.
  const finished = zapier.received.filter((r) => r.path === '/hooks/finished').map((r) => r.json);
  const records = await Promise.all(finished.map((json) => run<Delivered[]>('perform', { cleanedRequest: json, inputData: { event: 'finished', processCode: 'PROC-EXPENSE' } })));
  expect(records.flat().map((r) => [r.id, r.status, r.outcome, typeof r.$HOIST$]).sort()).toEqual([
    ['pi-1', 'COMPLETED', 'approved', 'string'],
    ['pi-3', 'COMPLETED', 'rejected', 'string'],
  ]);

  // The editor's samples come from the relay's log through performList.
  const samples = await run<Delivered[]>('performList', { inputData: { event: 'finished', processCode: 'PROC-EXPENSE' } });
  expect(samples.map((r) => [r.id, r.outcome]).sort()).toEqual([['pi-1', 'approved'], ['pi-3', 'rejected']]);
});

test('waiting too long: the relay times the chosen approver\'s task from its events and delivers the waiting trigger\'s record once', async () => {
  const HOUR = 3_600_000;
  const tenant = authData.appKey;
  await run('performSubscribe', {
    targetUrl: `${zapier.url}/hooks/waiting`,
    inputData: { event: 'waiting', processCode: 'PROC-EXPENSE', hours: '1.5', approverUserIds: ['approver-1'] },
  });
  const task = (taskId: string, staffId: string, changeType = 'start') =>
    approvalEvent({ tenantId: tenant, eventId: `task-${changeType}-${taskId}`, eventType: 'bpms_task_change', changeType, result: null, taskId, staffId, occurredAt: T0 });
  await store.events.record([approvalEvent({ tenantId: tenant, eventId: 'start', changeType: 'start', result: null }), task('811165', 'approver-1'), task('811166', 'approver-2')], T0);
  const timers = (at: number) => timerWorker({ store, log, now: () => at }).runOnce();
  expect(await timers(T0 + 1.5 * HOUR - 1)).toBe(0);
  expect(await timers(T0 + 1.5 * HOUR + 200)).toBe(1);
  await deliveryWorker({ store, sealer, log, now: () => T0 + 1.5 * HOUR + 300 }).runOnce();
  expect(zapier.received.map((r) => r.json.id)).toEqual([deliveryId('pi-1', 811165, 1.5 * HOUR)]);

  // The approver and manager come from the free contacts API (nock stands in for DingTalk here).
  allowUnusedMocks();
  oapi().post('/topapi/v2/user/get').query({ access_token: TOKEN }).times(4).reply((_uri, body) => {
    const userid = (body as { userid: string }).userid;
    return [200, { errcode: 0, errmsg: 'ok', result: userid === 'approver-1' ? { userid, name: 'Lee Ka Yan', manager_userid: 'boss-1' } : { userid, name: 'Wong Siu Ming' } }];
  });
  const [record] = await run<Delivered[]>('perform', { cleanedRequest: zapier.received[0]!.json, inputData: { event: 'waiting', hours: '1.5' } });
  expect(record).toMatchObject({
    id: 'pi-1:task-811165:after-1.5h',
    approval_id: 'pi-1',
    task_id: 811165,
    approver_user_id: 'approver-1',
    approver_name: 'Lee Ka Yan',
    manager_user_id: 'boss-1',
    manager_name: 'Wong Siu Ming',
    waiting_since: '2026-11-20T10:00:00+08:00',
    hours_waited: 1.5,
    threshold_hours: 1.5,
    status: 'RUNNING',
    outcome: 'pending',
  });

  // The editor's sample is that record, read from the relay's log with the same filters.
  const samples = await run<Delivered[]>('performList', { inputData: { event: 'waiting', processCode: 'PROC-EXPENSE', hours: '1.5', approverUserIds: ['approver-1'] } });
  expect(samples.map((r) => r.id)).toEqual(['pi-1:task-811165:after-1.5h']);
  const otherApprover = await run<Delivered[]>('performList', { inputData: { event: 'waiting', hours: '1.5', approverUserIds: ['approver-2'] } });
  expect(otherApprover.map((r) => r.id)).toEqual([expect.stringMatching(/:after-2h$/)]); // none yet: the static sample
});

test('unsubscribing removes the subscription at the relay, and a second unsubscribe (Zap deleted after off) succeeds too', async () => {
  const { id } = await subscribe('approved', '/hooks/approved');
  await expect(run('performUnsubscribe', { subscribeData: { id }, inputData: { event: 'approved' } })).resolves.toEqual({ id, deleted: true });
  await expect(run('performUnsubscribe', { subscribeData: { id }, inputData: { event: 'approved' } })).resolves.toEqual({ id, deleted: false });
  expect(await store.subscriptions.ofTenant(authData.appKey)).toEqual([]);

  await store.events.record([approvalEvent({ tenantId: authData.appKey, eventId: 'e-late' })], T0);
  await deliveryWorker({ store, sealer, log, now: () => T0 }).runOnce();
  expect(zapier.received).toEqual([]);
});

test('the connection test asks the real relay, which refuses a Client ID off its allow-list with its own sentence', async () => {
  const { relayClient } = await import('../../zapier/relay-client');
  const me = (auth: Record<string, string>) => appTester(((z: ZObject, bundle: Bundle) => relayClient(z, bundle)!.me()) as never, { authData: auth, meta } as never);
  await expect(me(connection())).resolves.toEqual({ client_id: authData.appKey });
  await expect(me({ ...connection(), appKey: 'dingsomeoneelse' })).rejects.toThrow(/refused the request: This relay does not serve the DingTalk app dingsomeoneelse/);
});
