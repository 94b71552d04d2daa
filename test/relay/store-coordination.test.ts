/**
 * The store's coordination between processes: leases on Stream slots, reconcile runs, the outbox's claims and
 * timers. On PostgreSQL, "another process" is a second connection pool on the same database.
 */
import type { Store } from '../../relay/store';
import { describeEachBackend, storesFor } from './backends';

const T0 = Date.parse('2026-11-20T10:00:00+08:00');
const TTL = 15_000;

describeEachBackend((backend) => {
  const stores = storesFor(backend);
  const two = async (): Promise<[Store, Store]> => {
    const { store, url } = await stores.fresh();
    return [store, backend().name === 'PostgreSQL' ? await stores.again(url) : store];
  };

  test('a slot has one holder until its lease expires; then another process takes it over', async () => {
    const [a, b] = await two();
    expect(await a.leases.acquire('ding-app-1', 0, 'process-a', T0, TTL)).toBe(true);
    expect(await b.leases.acquire('ding-app-1', 0, 'process-b', T0 + 1000, TTL)).toBe(false);
    expect(await b.leases.acquire('ding-app-1', 1, 'process-b', T0 + 1000, TTL)).toBe(true);
    // Renewing keeps it; a's renewal at +10 s holds it until +25 s.
    expect((await a.leases.renew('process-a', T0 + 10_000, TTL)).map((l) => [l.tenantId, l.slot, l.expiresAt])).toEqual([['ding-app-1', 0, T0 + 25_000]]);
    expect(await b.leases.acquire('ding-app-1', 0, 'process-b', T0 + 20_000, TTL)).toBe(false);
    // a dies (no more renewals): at expiry b takes the slot, and a's late renewal finds nothing.
    expect(await b.leases.acquire('ding-app-1', 0, 'process-b', T0 + 25_000, TTL)).toBe(true);
    expect(await a.leases.renew('process-a', T0 + 26_000, TTL)).toEqual([]);
    expect((await a.leases.all()).map((l) => [l.slot, l.holder])).toEqual([[0, 'process-b'], [1, 'process-b']]);
    expect(await b.leases.release('ding-app-1', 1, 'process-b')).toBe(true);
    expect(await a.leases.release('ding-app-1', 0, 'process-a')).toBe(false);
  });

  test('when two processes race for a free slot, exactly one wins', async () => {
    const [a, b] = await two();
    const wins = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).leases.acquire('ding-app-1', 0, `process-${i}`, T0, TTL)),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  test('processes: heartbeats, who is alive, and a clean stop that frees its leases', async () => {
    const [a] = await two();
    await a.leases.heartbeat({ id: 'process-a', host: 'vm-1', pid: 11 }, T0);
    await a.leases.heartbeat({ id: 'process-b', host: 'vm-2', pid: 22 }, T0 - 60_000);
    await a.leases.heartbeat({ id: 'process-a', host: 'vm-1', pid: 11 }, T0 + 5000);
    expect(await a.leases.liveProcesses(T0 - 30_000)).toEqual([{ id: 'process-a', host: 'vm-1', pid: 11, heartbeatAt: T0 + 5000 }]);
    await a.leases.acquire('ding-app-1', 0, 'process-a', T0, TTL);
    await a.leases.stopped('process-a');
    expect(await a.leases.all()).toEqual([]);
    expect(await a.leases.forgetProcesses(T0)).toBe(1);
    expect(await a.leases.liveProcesses(0)).toEqual([]);
  });

  test('a reconcile run is claimed once per tenant, template and day; a failed or abandoned one can be retried', async () => {
    const [a, b] = await two();
    const run = { tenantId: 'ding-app-1', processCode: 'PROC-EXPENSE', day: '2026-11-19' };
    const hour = 3_600_000;
    const first = await a.reconcileRuns.claim({ ...run, holder: 'process-a' }, T0, hour);
    expect(first).toEqual(expect.any(Number));
    expect(await b.reconcileRuns.claim({ ...run, holder: 'process-b' }, T0 + 1000, hour)).toBeUndefined();
    await a.reconcileRuns.finish(first!, { meteredCalls: 2, recovered: 0, error: 'DingTalk answered 90020' }, T0 + 2000);
    const retry = await b.reconcileRuns.claim({ ...run, holder: 'process-b' }, T0 + 3000, hour);
    expect(retry).toBe(first);
    await b.reconcileRuns.finish(retry!, { meteredCalls: 3, recovered: 1 }, T0 + 4000);
    expect(await a.reconcileRuns.claim({ ...run, holder: 'process-a' }, T0 + 5000, hour)).toBeUndefined();
    expect(await a.reconcileRuns.latest('ding-app-1', 5)).toEqual([
      expect.objectContaining({ status: 'ok', meteredCalls: 3, recovered: 1, error: null, finishedAt: T0 + 4000 }),
    ]);
    // A run whose process died is taken over once it is stale.
    const other = { ...run, day: '2026-11-20' };
    expect(await a.reconcileRuns.claim({ ...other, holder: 'process-a' }, T0, hour)).toEqual(expect.any(Number));
    expect(await b.reconcileRuns.claim({ ...other, holder: 'process-b' }, T0 + hour - 1, hour)).toBeUndefined();
    expect(await b.reconcileRuns.claim({ ...other, holder: 'process-b' }, T0 + hour, hour)).toEqual(expect.any(Number));
  });

  const eventFor = (i: number) => ({
    tenantId: 'ding-app-1', eventId: `ev-${i}`, eventType: 'bpms_instance_change', changeType: 'finish', result: 'agree',
    processInstanceId: `pi-${i}`, bornAt: T0 + i, via: 'stream' as const, raw: {},
  });

  test('deliveries: claimed by one process at a time, retried, dead-lettered, replayed; a dead claimer’s rows come back', async () => {
    const [a, b] = await two();
    await a.subscriptions.add({ id: 'zap', tenantId: 'ding-app-1', kind: 'zapier', targetUrl: 'sealed', filters: {} }, T0);
    await a.events.record(Array.from({ length: 6 }, (_, i) => eventFor(i)), T0);

    const [claimedA, claimedB] = await Promise.all([a.deliveries.claimDue(T0, 4, 30_000), b.deliveries.claimDue(T0, 4, 30_000)]);
    const keys = [...claimedA, ...claimedB].map((d) => d.eventId);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(backend().name === 'PostgreSQL' ? 6 : 4 + 2);
    expect(claimedA.every((d) => d.status === 'inflight' && d.attempts === 1)).toBe(true);

    const [first, second, third] = claimedA.length >= 3 ? claimedA : [...claimedA, ...claimedB];
    await a.deliveries.done(first!, { httpStatus: 200 }, T0 + 100);
    await a.deliveries.retryAt(second!, T0 + 5000, { httpStatus: 500 }, T0 + 100);
    await a.deliveries.dead(third!, { error: 'timed out after 15 s' }, T0 + 100);
    // Not due yet; at +5 s the retry is due, and at +30 s so are the claims nobody settled (their claimer "died").
    expect(await a.deliveries.claimDue(T0 + 1000, 10, 30_000)).toEqual([]);
    expect((await a.deliveries.claimDue(T0 + 5000, 10, 30_000)).map((d) => [d.eventId, d.attempts, d.lastStatus])).toEqual([[second!.eventId, 2, 500]]);
    await a.deliveries.done(second!, { httpStatus: 204 }, T0 + 6000);
    const abandoned = await a.deliveries.claimDue(T0 + 30_000, 10, 30_000);
    expect(abandoned.map((d) => d.attempts)).toEqual([2, 2, 2]);
    for (const delivery of abandoned) await a.deliveries.done(delivery, { httpStatus: 200 }, T0 + 31_000);

    expect(await a.deliveries.replay(third!, T0 + 40_000)).toBe(true);
    expect(await a.deliveries.replay(first!, T0 + 40_000)).toBe(false);
    expect(await a.deliveries.claimDue(T0 + 40_000, 10, 30_000)).toEqual([expect.objectContaining({ eventId: third!.eventId, attempts: 1 })]);
    // A disabled subscription's deliveries are not claimed.
    await a.subscriptions.disable('zap', 'Zapier answered 410', T0);
    expect(await a.deliveries.claimDue(T0 + 999_999, 10, 30_000)).toEqual([]);
    expect(await a.subscriptions.remove('zap')).toBe(true);
    expect(await a.subscriptions.remove('zap')).toBe(false);
    expect(await a.deliveries.ofSubscription('zap')).toEqual([]);
  });

  test('deliveries: a claim names its process; a dead process\'s claims are taken over once its heartbeat is a lease old, before their lock runs out', async () => {
    const [a, b] = await two();
    await a.subscriptions.add({ id: 'zap', tenantId: 'ding-app-1', kind: 'zapier', targetUrl: 'sealed', filters: {} }, T0);
    await a.events.record([eventFor(1), eventFor(2)], T0);
    const LOCK = 60_000;
    const as = (id: string, now: number) => ({ id, deadBefore: now - TTL });
    await a.leases.heartbeat({ id: 'process-a', host: 'vm-1', pid: 11 }, T0);
    expect(await a.deliveries.claimDue(T0, 1, LOCK, as('process-a', T0))).toHaveLength(1);
    // A claimer that has not said it is alive yet (it is starting) counts as alive: its claim waits for the lock.
    expect(await b.deliveries.claimDue(T0, 1, LOCK, as('process-new', T0))).toHaveLength(1);

    // a's last heartbeat is at +5 s; at +19 s it is not yet a lease (15 s) old, at +20 s it is.
    await a.leases.heartbeat({ id: 'process-a', host: 'vm-1', pid: 11 }, T0 + 5000);
    await b.leases.heartbeat({ id: 'process-b', host: 'vm-2', pid: 22 }, T0 + 19_000);
    expect(await b.deliveries.claimDue(T0 + 19_000, 10, LOCK, as('process-b', T0 + 19_000))).toEqual([]);
    const takenOver = await b.deliveries.claimDue(T0 + 20_000, 10, LOCK, as('process-b', T0 + 20_000));
    expect(takenOver.map((d) => [d.eventId, d.attempts, Number(d.redelivery)])).toEqual([[1, 2, 1]]);
    // b stays alive: its claim stays its own; process-new's waits for its lock, taken over then all the same.
    await b.leases.heartbeat({ id: 'process-b', host: 'vm-2', pid: 22 }, T0 + 55_000);
    expect(await a.deliveries.claimDue(T0 + 59_999, 10, LOCK, as('process-a', T0 + 59_999))).toEqual([]);
    expect((await a.deliveries.claimDue(T0 + LOCK, 10, LOCK, as('process-a', T0 + LOCK))).map((d) => [d.eventId, Number(d.redelivery)])).toEqual([[2, 1]]);
  });

  test('timers: scheduled once, cancelled by a decision, claimed once, fired once', async () => {
    const [a, b] = await two();
    await a.subscriptions.add({ id: 'zap', tenantId: 'ding-app-1', kind: 'zapier', targetUrl: 'sealed', filters: {} }, T0);
    const hour = 3_600_000;
    const timer = (taskId: string, afterMs: number) => ({ tenantId: 'ding-app-1', subscriptionId: 'zap', processInstanceId: 'pi-1', taskId, afterMs, startedAt: T0 });
    expect(await a.timers.schedule(timer('811165', 4 * hour), T0)).toBe(true);
    expect(await a.timers.schedule(timer('811165', 4 * hour), T0)).toBe(false);
    expect(await a.timers.schedule(timer('811165', 24 * hour), T0)).toBe(true);
    expect(await a.timers.schedule(timer('811166', 4 * hour), T0)).toBe(true);
    expect(await a.timers.cancelForTask('ding-app-1', '811166')).toBe(1);

    expect(await a.timers.claimDue(T0 + hour, 10, 60_000)).toEqual([]);
    const [claimedA, claimedB] = await Promise.all([a.timers.claimDue(T0 + 4 * hour, 10, 60_000), b.timers.claimDue(T0 + 4 * hour, 10, 60_000)]);
    expect([...claimedA, ...claimedB]).toEqual([expect.objectContaining({ taskId: '811165', afterMs: 4 * hour, fireAt: T0 + 4 * hour })]);
    const claimed = [...claimedA, ...claimedB][0]!;
    expect(await a.timers.fired(claimed.id)).toBe(true);
    expect(await a.timers.fired(claimed.id)).toBe(false);
    expect((await a.timers.ofTask('ding-app-1', '811165')).map((t) => t.status)).toEqual(['fired', 'pending']);
  });
});
