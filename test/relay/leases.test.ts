/**
 * The lease keeper on both back ends, with a hand-driven clock: two slots per tenant, on different processes
 * when there are two, a dead process's slots taken over in under 30 s, a removed tenant's connections closed.
 */
import { leaseKeeper, LEASE_TTL_MS, TICK_EVERY_MS } from '../../relay/leases';
import { createLogger } from '../../relay/log';
import type { Store } from '../../relay/store';
import { describeEachBackend, storesFor } from './backends';

const T0 = Date.parse('2026-11-20T10:00:00+08:00');

describeEachBackend((backend) => {
  const stores = storesFor(backend);
  let clock: number;

  /** A relay process's keeper, recording what intake would be told. */
  function processOn(store: Store, id: string) {
    const events: string[] = [];
    const keeper = leaseKeeper({
      store, log: createLogger(() => undefined), process: { id, host: 'test', pid: 1 }, now: () => clock,
      gained: (tenantId, slot) => events.push(`+${tenantId}#${slot}`),
      lost: (tenantId, slot, reason) => events.push(`-${tenantId}#${slot} ${reason}`),
    });
    return { keeper, events, holds: () => keeper.held().map((l) => `${l.tenantId}#${l.slot}`).sort() };
  }

  beforeEach(() => {
    clock = T0;
  });

  async function withTenants(...clientIds: string[]) {
    const { store, url } = await stores.fresh();
    for (const clientId of clientIds) await store.tenants.save({ clientId, clientSecret: 'v1.sealed' }, T0);
    const other = backend().name === 'PostgreSQL' ? await stores.again(url) : store;
    return { store, other };
  }

  test('alone, a process holds both slots of every tenant', async () => {
    const { store } = await withTenants('dingA', 'dingB');
    const a = processOn(store, 'a');
    await a.keeper.tick();
    expect(a.holds()).toEqual(['dingA#0', 'dingA#1', 'dingB#0', 'dingB#1']);
    await a.keeper.tick();
    expect(a.events).toHaveLength(4);
  });

  test('with two processes, each tenant’s slots end up on different processes, and a dead one is replaced within 30 s', async () => {
    const { store, other } = await withTenants('dingA', 'dingB');
    const a = processOn(store, 'a');
    const b = processOn(other, 'b');
    await a.keeper.tick();
    await b.keeper.tick(); // b is alive, but every slot is held
    expect(b.holds()).toEqual([]);
    clock += TICK_EVERY_MS;
    await a.keeper.tick(); // a sees b and hands over one slot per tenant
    expect(a.events.slice(4)).toEqual(['-dingA#1 rebalanced', '-dingB#1 rebalanced']);
    await b.keeper.tick();
    expect([a.holds(), b.holds()]).toEqual([['dingA#0', 'dingB#0'], ['dingA#1', 'dingB#1']]);

    // a dies: no more ticks. b keeps ticking every 5 s until it holds everything.
    const diedAt = clock;
    while (b.holds().length < 4) {
      clock += TICK_EVERY_MS;
      await b.keeper.tick();
      expect(clock - diedAt).toBeLessThanOrEqual(30_000);
    }
    expect(clock - diedAt).toBeLessThanOrEqual(LEASE_TTL_MS + TICK_EVERY_MS);
    expect(b.holds()).toEqual(['dingA#0', 'dingA#1', 'dingB#0', 'dingB#1']);

    // a comes back (a pause, not a death): its renewal finds nothing, and intake is told to close.
    await a.keeper.tick();
    expect(a.events.slice(-2)).toEqual(['-dingA#0 expired', '-dingB#0 expired']);
  });

  test('a removed tenant’s connections close at the next tick; a stopped process hands its slots over at once', async () => {
    const { store, other } = await withTenants('dingA', 'dingB');
    const a = processOn(store, 'a');
    await a.keeper.tick();
    await other.tenants.remove('dingA', clock);
    clock += TICK_EVERY_MS;
    await a.keeper.tick();
    expect(a.events.slice(4)).toEqual(['-dingA#0 tenant-removed', '-dingA#1 tenant-removed']);
    expect(a.holds()).toEqual(['dingB#0', 'dingB#1']);

    await a.keeper.stop();
    expect(a.events.slice(6)).toEqual(['-dingB#0 stopped', '-dingB#1 stopped']);
    const b = processOn(other, 'b');
    await b.keeper.tick();
    expect(b.holds()).toEqual(['dingB#0', 'dingB#1']);
  });
});
