/**
 * The governor on a fake clock: the quota month in China time, the meter in a store without atomic increments,
 * a lost meter, a burst of actions, and many Zaps and templates sharing one connection's budget.
 */
import { memoryStore, type Store } from '../../lib/store';
import { autoPlan, MAX_AUTO_INTERVAL_MS, MIN_AUTO_INTERVAL_MS } from '../../quota/auto';
import { budgetOf, budgetProblems } from '../../quota/budget';
import { Meter, meterKey, type MeterRecord } from '../../quota/meter';
import { quotaMonthOf, resetText } from '../../quota/month';
import { usageRecord } from '../../quota/usage';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (iso: string) => Date.parse(iso);

const clock = (start: number) => {
  const state = { now: start };
  return { state, now: () => state.now };
};
const free = budgetOf({});

describe('the quota month', () => {
  test('is the calendar month in China time: 16:00 UTC on the last day is already the next month', () => {
    expect(quotaMonthOf(at('2026-11-30T15:59:59Z')).key).toBe('2026-11');
    expect(quotaMonthOf(at('2026-11-30T16:00:00Z')).key).toBe('2026-12');
    expect(quotaMonthOf(at('2026-12-31T16:00:00Z')).key).toBe('2027-01');
  });

  test('starts and ends at midnight China time, and says when it resets', () => {
    const month = quotaMonthOf(at('2026-02-10T00:00:00Z'));
    expect(new Date(month.startMs).toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(new Date(month.endMs).toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(resetText(month)).toBe('1 March 2026, 00:00 China time');
  });
});

describe('the budget', () => {
  test('a connection made before the budget fields gets the safe default: 60 % of the free edition', () => {
    expect(free).toMatchObject({ edition: 'free', orgQuota: 5000, sharePercent: 60, calls: 3000, defaulted: ['edition', 'share'] });
  });

  test('professional and custom editions, with a share', () => {
    expect(budgetOf({ edition: 'professional', sharePercent: '25' }).calls).toBe(50_000);
    expect(budgetOf({ edition: 'custom', customQuota: '12,000', sharePercent: 50 }).calls).toBe(6_000);
  });

  test('bad fields are all reported at once, and never buy a larger budget', () => {
    const settings = { edition: 'custom', customQuota: 'lots', sharePercent: '150' };
    expect(budgetProblems(settings)).toEqual([
      expect.stringContaining('Monthly Call Quota must be a whole number'),
      expect.stringContaining('Share for This Integration (%) must be a whole number from 1 to 100'),
    ]);
    expect(budgetOf(settings)).toMatchObject({ edition: 'free', calls: 3000 });
    expect(budgetProblems({ sharePercent: '33.3' })).toEqual([expect.stringContaining('whole number from 1 to 100')]);
  });
});

describe('the meter', () => {
  test('counts calls per operation and keeps them in the store for the month', async () => {
    const store = memoryStore();
    const time = clock(at('2026-11-10T02:00:00Z'));
    const meter = new Meter(store, free, time.now);
    meter.count('trigger');
    meter.count('action');
    meter.count('action');
    await meter.flush();
    const stored = await store.get<MeterRecord>(meterKey('2026-11'));
    expect(stored).toMatchObject({ calls: 3 + stored!.estimated, byOperation: { trigger: 1, action: 2 } });
  });

  test('a new month starts a new meter at midnight China time', async () => {
    const store = memoryStore();
    const time = clock(at('2026-11-30T15:50:00Z'));
    const meter = new Meter(store, free, time.now);
    meter.count('trigger');
    await meter.flush();
    time.state.now = at('2026-11-30T16:00:00Z');
    meter.count('trigger');
    await meter.flush();
    expect((await store.get<MeterRecord>(meterKey('2026-11')))!.byOperation.trigger).toBe(1);
    expect(await store.get<MeterRecord>(meterKey('2026-12'))).toMatchObject({ calls: 1, estimated: 0, byOperation: { trigger: 1 } });
  });

  test('a lost meter is rebuilt as if the month so far had been spent at the budget\'s pace, never as zero', async () => {
    const store = memoryStore();
    const time = clock(at('2026-11-15T16:00:00Z')); // halfway through November in China time
    const meter = new Meter(store, free, time.now);
    meter.count('trigger');
    await meter.flush();
    store.data.clear(); // z.cache evicted the meter
    const rebuilt = await new Meter(store, free, time.now).read();
    expect(rebuilt).toMatchObject({ calls: 1500, estimated: 1500, byOperation: { estimated: 1500 } });
  });

  test('a connection made late in the month is estimated from when it was made, not from the month\'s start', async () => {
    const store = memoryStore();
    const connectedAt = at('2026-11-27T16:00:00Z'); // the 28th in China time
    const time = clock(connectedAt);
    const fresh = new Meter(store, free, time.now, undefined, connectedAt);
    fresh.count('trigger');
    await fresh.flush();
    expect(await fresh.read()).toMatchObject({ calls: 1, estimated: 0 });
    time.state.now += DAY;
    store.data.clear(); // lost a day later: one day at the budget's pace (3,000 / 30), not 28
    expect(await new Meter(store, free, time.now, undefined, connectedAt).read()).toMatchObject({ calls: 100, estimated: 100 });
  });

  test('calls whose count never lands (z.cache refusing writes) are kept for the next write, never dropped', async () => {
    const inner = memoryStore();
    let refusing = true;
    const refusingStore: Store = { get: inner.get, set: async (key, value, ttl) => (refusing ? undefined : inner.set(key, value, ttl)) };
    const time = clock(at('2026-11-01T00:00:00Z'));
    const meter = new Meter(refusingStore, free, time.now, undefined, time.now());
    meter.count('action');
    meter.count('action');
    await meter.flush();
    expect(await inner.get(meterKey('2026-11'))).toBeUndefined();
    refusing = false;
    meter.count('search');
    await meter.flush();
    expect(await inner.get<MeterRecord>(meterKey('2026-11'))).toMatchObject({ calls: 3, byOperation: { action: 2, search: 1 } });
  });

  test('an addition overwritten by a concurrent invocation is detected and added again', async () => {
    const inner = memoryStore();
    let raced = false;
    // A store where another invocation writes a stale value right after our first write.
    const racing: Store = {
      get: inner.get,
      async set(key, value, ttl) {
        await inner.set(key, value, ttl);
        if (!raced && key.startsWith('dingtalk:meter')) {
          raced = true;
          const stale = JSON.parse(JSON.stringify(value)) as MeterRecord;
          await inner.set(key, { ...stale, calls: stale.calls - 3 + 1, byOperation: { action: 1 }, flushes: ['someone-else'] }, ttl);
        }
      },
    };
    const time = clock(at('2026-11-01T00:00:00Z'));
    const meter = new Meter(racing, free, time.now);
    meter.count('trigger');
    meter.count('trigger');
    meter.count('trigger');
    await meter.flush();
    const stored = await inner.get<MeterRecord>(meterKey('2026-11'));
    // The other invocation's 1 call and our 3: nothing lost.
    expect(stored!.calls - stored!.estimated).toBe(4);
  });

  test('concurrent flushes of one invocation never overwrite each other', async () => {
    const store = memoryStore();
    const meter = new Meter(store, free, clock(at('2026-11-01T00:00:00Z')).now);
    await Promise.all(Array.from({ length: 20 }, async () => {
      meter.count('hydration');
      await meter.flush();
    }));
    expect((await store.get<MeterRecord>(meterKey('2026-11')))!.byOperation.hydration).toBe(20);
  });
});

const record = (partial: Partial<MeterRecord>): MeterRecord => ({
  v: 1, month: '2026-11', calls: 0, estimated: 0, byOperation: {}, refreshes: 0, refreshCalls: 0, ledgers: {}, flushes: [], updatedAt: 0, ...partial,
});

describe('Auto', () => {
  const start = at('2026-10-31T16:00:00Z'); // 1 November, 00:00 China time

  test('early in a quiet month it spends the unspent budget on freshness', () => {
    const plan = autoPlan(free, record({}), start + HOUR, 'L1');
    // 2,700 calls for 30 days at 2 calls a refresh: about every 32 minutes.
    expect(plan.intervalMs / MINUTE).toBeGreaterThan(25);
    expect(plan.intervalMs / MINUTE).toBeLessThan(40);
    expect(plan.reason).toMatch(/^Auto refresh: every \d+ min \(0 of 3,000 calls spent in November 2026/);
  });

  test('money unspent early buys fresher refreshes later; spending ahead of plan tightens them', () => {
    const day20 = start + 20 * DAY;
    const quiet = autoPlan(free, record({ calls: 600, refreshes: 300, refreshCalls: 600 }), day20, 'L1');
    const busy = autoPlan(free, record({ calls: 2400, refreshes: 1200, refreshCalls: 2400 }), day20, 'L1');
    const even = autoPlan(free, record({}), start + HOUR, 'L1');
    expect(quiet.intervalMs).toBeLessThan(even.intervalMs);
    expect(busy.intervalMs).toBeGreaterThan(even.intervalMs);
  });

  test('a burst of actions that eats the budget slows Auto to its floor, once a day, and never stops it', () => {
    const plan = autoPlan(free, record({ calls: 2900, byOperation: { action: 2900 } }), start + 3 * DAY, 'L1');
    expect(plan.intervalMs).toBe(MAX_AUTO_INTERVAL_MS);
    expect(plan.reason).toContain('once a day, the slowest Auto allows');
    expect(plan.reason).toContain('resets on 1 December 2026, 00:00 China time');
  });

  test('many Zaps on one template share one ledger; several templates divide the budget', () => {
    const now = start + 10 * DAY;
    const meter = record({ calls: 1000, refreshes: 500, refreshCalls: 1000, ledgers: { L1: now - MINUTE } });
    const one = autoPlan(free, meter, now, 'L1');
    // Ten Zaps on L1 poll with the same ledger key: still one ledger.
    expect(autoPlan(free, meter, now, 'L1').activeLedgers).toBe(1);
    const three = autoPlan(free, { ...meter, ledgers: { L1: now - MINUTE, L2: now - HOUR, L3: now - DAY } }, now, 'L1');
    expect(three.activeLedgers).toBe(3);
    expect(three.intervalMs / one.intervalMs).toBeCloseTo(3, 1);
    // A ledger nobody refreshed for two days no longer counts.
    expect(autoPlan(free, { ...meter, ledgers: { L1: now, L9: now - 3 * DAY } }, now, 'L1').activeLedgers).toBe(1);
  });

  test('never refreshes faster than Zapier polls, on a large budget', () => {
    expect(autoPlan(budgetOf({ edition: 'professional', sharePercent: 100 }), record({}), start + HOUR, 'L1').intervalMs).toBe(MIN_AUTO_INTERVAL_MS);
  });

  test('a lost meter (estimated) does not count as actions to project', () => {
    const lost = autoPlan(free, record({ calls: 1500, estimated: 1500 }), start + 15 * DAY, 'L1');
    expect(lost.otherProjected).toBe(0);
    expect(lost.reason).toContain('1,500 of them estimated: the meter was lost');
  });

  test('simulated month: three templates on Auto never overspend, whatever the cost per refresh', async () => {
    for (const cost of [1, 2, 5]) {
      const store = memoryStore();
      const time = clock(start);
      const meter = new Meter(store, free, time.now);
      const refreshedAt: Record<string, number> = { A: -Infinity, B: -Infinity, C: -Infinity };
      // Zapier polls every 15 minutes here (a 1-minute step only makes the test slower).
      for (let now = start; now < start + 30 * DAY; now += 15 * MINUTE) {
        time.state.now = now;
        for (const key of Object.keys(refreshedAt)) {
          const plan = autoPlan(free, await meter.read(), now, key);
          if (now - refreshedAt[key]! < plan.intervalMs) continue;
          refreshedAt[key] = now;
          for (let i = 0; i < cost; i += 1) meter.count('trigger');
          meter.noteRefresh(key, cost);
          await meter.flush();
        }
      }
      const final = await meter.read();
      expect(final.calls).toBeLessThanOrEqual(free.calls);
      expect(final.calls).toBeGreaterThan(free.calls * 0.8);
    }
  });
});

describe('usage', () => {
  test('month, calls used, budget, projection and breakdown', () => {
    const now = at('2026-11-10T16:00:00Z'); // 10 days into November
    const usage = usageRecord(free, record({ calls: 1000, byOperation: { trigger: 700, action: 300 }, flushes: ['x'], updatedAt: now }), now);
    expect(usage).toMatchObject({
      id: '2026-11', month: '2026-11', month_name: 'November 2026', calls_used: 1000, budget: 3000, percent_used: 33.3,
      projected_month_end: 3000, projected_percent: 100, calls_trigger: 700, calls_action: 300, calls_hydration: 0, breakdown: 'trigger 700, action 300',
      resets_at: '2026-12-01T00:00:00+08:00', updated_at: '2026-11-11T00:00:00+08:00', org_quota: 5000, share_percent: 60,
    });
  });
});
