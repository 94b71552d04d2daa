/**
 * The delivery worker against a real local receiver, on SQLite and on a real PostgreSQL: retries, 410, 429,
 * dead letters and replay, signatures checked by an independent verifier, and a claimer that dies mid-POST.
 * Time is a fake clock the test moves; nothing here waits on the retry schedule.
 */
import nock from 'nock';
import { createLogger } from '../../relay/log';
import type { Store } from '../../relay/store';
import { newSigningSecret } from '../../relay/delivery/signature';
import { deliveryWorker } from '../../relay/delivery/worker';
import { deliveryStatus } from '../../relay/delivery/status';
import { describeEachBackend, storesFor } from './backends';
import { startReceiver, verifyStandardWebhook, type Answer } from './receiver';
import { approvalEvent, sealer, subscribe, T0 } from './delivery-fixtures';

let receivers: { close(): Promise<void> }[] = [];
beforeAll(() => nock.enableNetConnect('127.0.0.1'));
afterAll(() => nock.disableNetConnect());
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(answer?: (request: any, index: number) => Answer) {
  const started = await startReceiver(answer);
  receivers.push(started);
  return started;
}

describeEachBackend((backend) => {
  const stores = storesFor(backend);
  let clock = T0;
  const logs: string[] = [];
  const workerFor = (store: Store, options: Partial<Parameters<typeof deliveryWorker>[0]> = {}) =>
    deliveryWorker({ store, sealer, log: createLogger((line) => logs.push(line)), now: () => clock, ...options });

  beforeEach(() => {
    clock = T0;
    logs.length = 0;
  });

  test('an approval is POSTed once, signed as Standard Webhooks says, in the polling trigger\'s id scheme', async () => {
    const { store } = await stores.fresh();
    const hook = await receiver();
    const secret = await subscribe(store, 'sub-1', `${hook.url}/hooks/catch/123/abc/`);
    await subscribe(store, 'sub-rejected', `${hook.url}/other`, { kinds: ['rejected'] });
    expect(await store.events.record([approvalEvent()], T0)).toEqual([{ stored: true, deliveries: 1 }]);

    expect(await workerFor(store).runOnce()).toBe(1);
    expect(await workerFor(store).runOnce()).toBe(0);
    expect(hook.received).toHaveLength(1);
    const [post] = hook.received;
    expect(post!.path).toBe('/hooks/catch/123/abc/');
    expect(post!.json).toEqual({
      id: 'pi-1', kind: 'approved', approval_id: 'pi-1', template_code: 'PROC-EXPENSE', result: 'agree', originator_user_id: 'user-originator',
      approver_user_id: null, task_id: null, waiting_hours: null, waiting_since: null, occurred_at: new Date(T0 - 1000).toISOString(), received_at: new Date(T0).toISOString(),
      event_id: 'ev-1', client_id: 'dingA', redelivery: false,
    });
    expect(post!.headers['webhook-timestamp']).toBe(String(T0 / 1000));
    expect(verifyStandardWebhook(secret, post!.headers, post!.body)).toBe(true);
    expect(verifyStandardWebhook(newSigningSecret(), post!.headers, post!.body)).toBe(false);
    expect(verifyStandardWebhook(secret, post!.headers, post!.body.replace('agree', 'refuse'))).toBe(false);
    expect(await store.deliveries.ofSubscription('sub-1')).toMatchObject([{ status: 'done', attempts: 1, lastStatus: 200 }]);
    expect(logs.join('\n')).not.toContain('/hooks/catch/123/abc/');
  });

  test('a receiver that answers 500 then 200 gets one retry, 5 s later, with the same webhook-id', async () => {
    const { store } = await stores.fresh();
    const hook = await receiver((_request, index) => ({ status: index === 0 ? 500 : 200 }));
    const secret = await subscribe(store, 'sub-1', `${hook.url}/hook`);
    await store.events.record([approvalEvent()], T0);
    const worker = workerFor(store);

    await worker.runOnce();
    expect(await store.deliveries.ofSubscription('sub-1')).toMatchObject([{ status: 'pending', attempts: 1, lastStatus: 500, nextAttemptAt: T0 + 5000 }]);
    clock = T0 + 4999;
    expect(await worker.runOnce()).toBe(0);
    clock = T0 + 5000;
    expect(await worker.runOnce()).toBe(1);

    expect(hook.received).toHaveLength(2);
    expect(hook.received[1]!.headers['webhook-id']).toBe(hook.received[0]!.headers['webhook-id']);
    expect(hook.received[1]!.json.redelivery).toBe(false);
    expect(verifyStandardWebhook(secret, hook.received[1]!.headers, hook.received[1]!.body)).toBe(true);
    expect(await store.deliveries.ofSubscription('sub-1')).toMatchObject([{ status: 'done', attempts: 2, lastStatus: 200 }]);
    expect(await deliveryStatus(store).forTenant('dingA')).toMatchObject({ subscriptions: 1, sent: 1, retrying: 0, dead: 0, redeliveries: 0 });
  });

  test('410 removes the subscription and stops: no retry, and later events queue nothing for it', async () => {
    const { store } = await stores.fresh();
    const hook = await receiver(() => ({ status: 410 }));
    await subscribe(store, 'sub-1', `${hook.url}/gone`);
    await store.events.record([approvalEvent()], T0);
    const worker = workerFor(store);
    await worker.runOnce();
    expect(await store.subscriptions.get('sub-1')).toBeUndefined();
    clock = T0 + 3_600_000;
    expect(await worker.runOnce()).toBe(0);
    expect(await store.events.record([approvalEvent({ eventId: 'ev-2', processInstanceId: 'pi-2' })], clock)).toEqual([{ stored: true, deliveries: 0 }]);
    expect(hook.received).toHaveLength(1);
  });

  test('429 waits as long as Retry-After says, not the schedule\'s 5 s', async () => {
    const { store } = await stores.fresh();
    const hook = await receiver((_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '120' } } : { status: 200 }));
    await subscribe(store, 'sub-1', `${hook.url}/busy`);
    await store.events.record([approvalEvent()], T0);
    const worker = workerFor(store);
    await worker.runOnce();
    expect(await store.deliveries.ofSubscription('sub-1')).toMatchObject([{ status: 'pending', lastStatus: 429, nextAttemptAt: T0 + 120_000 }]);
    clock = T0 + 5000;
    expect(await worker.runOnce()).toBe(0);
    clock = T0 + 120_000;
    expect(await worker.runOnce()).toBe(1);
    expect(hook.received).toHaveLength(2);
  });

  test('exhausted retries make a dead letter; a replay delivers it', async () => {
    const { store } = await stores.fresh();
    let healthy = false;
    const hook = await receiver(() => ({ status: healthy ? 200 : 503 }));
    await subscribe(store, 'sub-1', `${hook.url}/down`);
    await store.events.record([approvalEvent()], T0);
    const worker = workerFor(store, { schedule: [0, 10, 20] });
    for (const at of [T0, T0 + 10, T0 + 30]) {
      clock = at;
      expect(await worker.runOnce()).toBe(1);
    }
    expect(await store.deliveries.ofSubscription('sub-1')).toMatchObject([{ status: 'dead', attempts: 3, lastStatus: 503 }]);
    const status = await deliveryStatus(store).forTenant('dingA');
    expect(status).toMatchObject({ dead: 1, sent: 0, lastErrors: [{ subscriptionId: 'sub-1', status: 'dead', httpStatus: 503, error: 'The hook answered HTTP 503: nope' }] });
    clock = T0 + 10_000;
    expect(await worker.runOnce()).toBe(0);

    healthy = true;
    expect(await store.deliveries.replayDead('dingA', null, clock)).toBe(1);
    expect(await worker.runOnce()).toBe(1);
    expect(hook.received).toHaveLength(4);
    expect(await store.deliveries.ofSubscription('sub-1')).toMatchObject([{ status: 'done' }]);
  });

  test('a claimer that dies mid-POST: after its lock, the delivery goes again marked as a redelivery, and is counted', async () => {
    const { store } = await stores.fresh();
    const hook = await receiver();
    await subscribe(store, 'sub-1', `${hook.url}/hook`);
    await store.events.record([approvalEvent()], T0);
    // The dead process's claim: it took the row and never recorded an outcome.
    expect(await store.deliveries.claimDue(T0, 10, 60_000)).toHaveLength(1);
    const worker = workerFor(store, { lockMs: 60_000 });
    expect(await worker.runOnce()).toBe(0);
    clock = T0 + 60_000;
    expect(await worker.runOnce()).toBe(1);
    expect(hook.received.map((r) => r.json.redelivery)).toEqual([true]);
    expect(await deliveryStatus(store).forTenant('dingA')).toMatchObject({ sent: 1, redeliveries: 1 });
  });

  test('a receiver that times out is retried, marked as a redelivery (it may have the first POST)', async () => {
    const { store } = await stores.fresh();
    const hook = await receiver((_request, index) => (index === 0 ? { status: 200, hang: true } : { status: 200 }));
    await subscribe(store, 'sub-1', `${hook.url}/slow`);
    await store.events.record([approvalEvent()], T0);
    const worker = workerFor(store, { timeoutMs: 200 });
    await worker.runOnce();
    expect(await store.deliveries.ofSubscription('sub-1')).toMatchObject([{ status: 'pending', lastStatus: null, lastError: 'The hook did not answer within the time limit.' }]);
    clock = T0 + 5000;
    await worker.runOnce();
    expect(hook.received.map((r) => r.json.redelivery)).toEqual([false, true]);
  });

  test('an unreachable hook is retried and its error names the host only', async () => {
    const { store } = await stores.fresh();
    const hook = await receiver();
    await hook.close();
    await subscribe(store, 'sub-1', `${hook.url}/hooks/catch/secret-path/`);
    await store.events.record([approvalEvent()], T0);
    await workerFor(store).runOnce();
    const [row] = await store.deliveries.ofSubscription('sub-1');
    expect(row).toMatchObject({ status: 'pending', lastStatus: null });
    expect(row!.lastError).toContain('could not be reached');
    expect(row!.lastError).not.toContain('secret-path');
  });

  test('three workers on three connections deliver each event once (SKIP LOCKED on PostgreSQL; one writer on SQLite)', async () => {
    const { store, url } = await stores.fresh();
    const others = backend().name === 'PostgreSQL' ? [await stores.again(url), await stores.again(url)] : [store, store];
    const hook = await receiver();
    for (let i = 0; i < 3; i += 1) await subscribe(store, `sub-${i}`, `${hook.url}/hook/${i}`, { kinds: ['approved'], processCodes: [`PROC-${i}`] });
    await store.events.record(Array.from({ length: 60 }, (_, i) => approvalEvent({ eventId: `ev-${i}`, processInstanceId: `pi-${i}`, processCode: `PROC-${i % 3}` })), T0);
    const workers = [store, ...others].map((s) => workerFor(s, { batch: 7 }));
    while ((await Promise.all(workers.map((w) => w.runOnce()))).some((n) => n > 0));
    const ids = hook.received.map((r) => r.json.id).sort();
    expect(ids).toEqual(Array.from({ length: 60 }, (_, i) => `pi-${i}`).sort());
  });
});
