/**
 * "Waiting too long" on events, on SQLite and on a real PostgreSQL: a task's start schedules a timer per
 * subscribed threshold, its finish or cancel (or the approval's end) cancels it, and a due timer fires once,
 * after a restart too, and once across two processes. Zero DingTalk calls: nock refuses every host.
 */
import nock from 'nock';
import { createLogger } from '../../relay/log';
import { openStore, type NewEvent, type Store } from '../../relay/store';
import { deliveryWorker } from '../../relay/delivery/worker';
import { timerWorker } from '../../relay/timers/worker';
import { describeEachBackend, storesFor } from './backends';
import { startReceiver } from './receiver';
import { approvalEvent, sealer, subscribe, T0 } from './delivery-fixtures';

const HOUR = 3_600_000;
const quiet = createLogger(() => undefined);

const taskEvent = (changeType: string, overrides: Partial<NewEvent> = {}): NewEvent =>
  approvalEvent({ eventId: `task-${changeType}-${overrides.taskId ?? '811165'}`, eventType: 'bpms_task_change', changeType, result: changeType === 'finish' ? 'agree' : null, taskId: '811165', staffId: 'approver-1', occurredAt: T0, ...overrides });

const submitted = approvalEvent({ eventId: 'instance-start', changeType: 'start', result: null, occurredAt: T0 - 60_000 });
const WAITING = { kinds: ['waiting' as const], waitingHours: [2, 0.5], processCodes: ['PROC-EXPENSE'] };

let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  nock.enableNetConnect('127.0.0.1');
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  nock.disableNetConnect();
});
beforeEach(() => receiver.received.splice(0));

describeEachBackend((backend) => {
  const stores = storesFor(backend);
  const timersOf = (store: Store, at: () => number) => timerWorker({ store, log: quiet, now: at });
  const deliver = (store: Store, at: number) => deliveryWorker({ store, sealer, log: quiet, now: () => at }).runOnce();

  test('a started task schedules one timer per threshold; each fires once, as a waiting record', async () => {
    const { store } = await stores.fresh();
    await subscribe(store, 'sub-wait', `${receiver.url}/wait`, WAITING);
    await store.events.record([submitted, taskEvent('start')], T0 + 100);
    // A redelivered start changes nothing.
    await store.events.record([taskEvent('start', { eventId: 'task-start-again' })], T0 + 200);
    expect((await store.timers.ofTask('dingA', '811165')).map((t) => [Number(t.afterMs), Number(t.fireAt), t.status])).toEqual([
      [0.5 * HOUR, T0 + 0.5 * HOUR, 'pending'],
      [2 * HOUR, T0 + 2 * HOUR, 'pending'],
    ]);

    expect(await timersOf(store, () => T0 + 0.5 * HOUR - 1).runOnce()).toBe(0);
    expect(await timersOf(store, () => T0 + 0.5 * HOUR).runOnce()).toBe(1);
    expect(await timersOf(store, () => T0 + 0.5 * HOUR).runOnce()).toBe(0);
    await deliver(store, T0 + 0.5 * HOUR);
    expect(receiver.received.map((r) => r.json)).toEqual([
      expect.objectContaining({ id: 'pi-1:task-811165:after-0.5h', kind: 'waiting', approval_id: 'pi-1', task_id: '811165', approver_user_id: 'approver-1', originator_user_id: 'user-originator', waiting_hours: 0.5, template_code: 'PROC-EXPENSE', occurred_at: new Date(T0 + 0.5 * HOUR).toISOString(), waiting_since: new Date(T0).toISOString(), redelivery: false }),
    ]);
    expect(await timersOf(store, () => T0 + 3 * HOUR).runOnce()).toBe(1);
    await deliver(store, T0 + 3 * HOUR);
    expect(receiver.received.map((r) => r.json.id)).toEqual(['pi-1:task-811165:after-0.5h', 'pi-1:task-811165:after-2h']);
  });

  test('a decision cancels the timers: the task finishes, is transferred, cancelled, or the approval ends', async () => {
    const { store } = await stores.fresh();
    await subscribe(store, 'sub-wait', `${receiver.url}/wait`, WAITING);
    await store.events.record([submitted, taskEvent('start'), taskEvent('start', { taskId: '2' }), taskEvent('start', { taskId: '3' }), taskEvent('start', { taskId: '4' })], T0);
    await store.events.record([taskEvent('finish')], T0 + 1000); // approved
    await store.events.record([taskEvent('finish', { taskId: '2', result: 'redirect' })], T0 + 1000); // transferred
    await store.events.record([taskEvent('cancel', { taskId: '3' })], T0 + 1000); // another OR-sign approver acted
    await store.events.record([approvalEvent({ eventId: 'instance-revoked', changeType: 'terminate', result: null })], T0 + 1000);
    for (const task of ['811165', '2', '3', '4']) expect((await store.timers.ofTask('dingA', task)).map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
    expect(await timersOf(store, () => T0 + 10 * HOUR).runOnce()).toBe(0);
    await deliver(store, T0 + 10 * HOUR);
    expect(receiver.received).toHaveLength(0);
  });

  test('a finish that arrives before its start schedules nothing; a timer whose task ended unseen does not fire', async () => {
    const { store } = await stores.fresh();
    await subscribe(store, 'sub-wait', `${receiver.url}/wait`, WAITING);
    await store.events.record([taskEvent('finish'), taskEvent('start')], T0);
    expect(await store.timers.ofTask('dingA', '811165')).toEqual([]);
    // Another template, or a subscription without the waiting kind, gets no timers.
    await subscribe(store, 'sub-approved', `${receiver.url}/approved`, { kinds: ['approved'] });
    await store.events.record([taskEvent('start', { taskId: '9', processCode: 'PROC-LEAVE' })], T0);
    expect(await store.timers.ofTask('dingA', '9')).toEqual([]);
  });

  test('an originator filter schedules only that originator\'s approvals', async () => {
    const { store } = await stores.fresh();
    await subscribe(store, 'sub-wait', `${receiver.url}/wait`, { ...WAITING, originators: ['someone-else'] });
    await store.events.record([submitted, taskEvent('start')], T0);
    expect(await store.timers.ofTask('dingA', '811165')).toEqual([]);
  });

  test('an approvers filter times only tasks waiting for those approvers, a transferred task when it reaches one', async () => {
    const { store } = await stores.fresh();
    await subscribe(store, 'sub-wait', `${receiver.url}/wait`, { ...WAITING, approvers: ['approver-2'] });
    await store.events.record([submitted, taskEvent('start')], T0);
    expect(await store.timers.ofTask('dingA', '811165')).toEqual([]);
    // approver-1 transfers the task to approver-2: DingTalk's new task starts with approver-2 as staffId.
    await store.events.record([taskEvent('finish', { result: 'redirect' }), taskEvent('start', { taskId: '811166', staffId: 'approver-2', occurredAt: T0 + HOUR })], T0 + HOUR);
    expect((await store.timers.ofTask('dingA', '811166')).map((t) => [Number(t.fireAt), t.status])).toEqual([
      [T0 + 1.5 * HOUR, 'pending'],
      [T0 + 3 * HOUR, 'pending'],
    ]);
  });

  test('timers survive a restart and fire once across two processes', async () => {
    const url = await backend().newDatabaseUrl();
    const before = await openStore(url);
    await subscribe(before, 'sub-wait', `${receiver.url}/wait`, { ...WAITING, waitingHours: [1] });
    await before.events.record([submitted, taskEvent('start')], T0);
    await before.close();

    const reopened = await stores.again(url);
    const other = backend().name === 'PostgreSQL' ? await stores.again(url) : reopened;
    const fired = await Promise.all([timersOf(reopened, () => T0 + HOUR).runOnce(), timersOf(other, () => T0 + HOUR).runOnce()]);
    expect(fired.reduce((a, b) => a + b)).toBe(1);
    await deliver(reopened, T0 + HOUR);
    expect(receiver.received.map((r) => r.json.id)).toEqual(['pi-1:task-811165:after-1h']);
  });
});
