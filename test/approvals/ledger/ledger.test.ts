/**
 * The ledger engine without Zapier: retention, the classify budget, merge-before-write, sweep overlap, and reading
 * the version-1 format. DingTalk is the in-process stand-in the cost model runs on (bench/simulated-dingtalk.ts),
 * the store is the in-memory one the relay and scripts use. Zapier-level behaviour (dedupe, hydration, request
 * shapes through z.request) is tested in test/triggers/approval_triggers.test.ts.
 */
import { SimulatedDingTalk, type SimApproval } from '../../../bench/simulated-dingtalk';
import { mergeEntries, prune, RETENTION_MS, type Ledger, type LedgerEntry } from '../../../approvals/ledger/entry';
import { KINDS } from '../../../approvals/ledger/kinds';
import {
  ApprovalLedger,
  CLASSIFY_BUDGET,
  MAX_WINDOW_MS,
  pollLedger,
  SWEEP_INTERVAL_MS,
  SWEEP_OVERLAP_MS,
  type RefreshOptions,
} from '../../../approvals/ledger/ledger';
import { entryFromV1 } from '../../../approvals/ledger/v1';
import type { DingTalkRequest, Transport } from '../../../dingtalk/transport';
import { cacheKeys } from '../../../lib/cache-keys';
import { memoryStore } from '../../../lib/store';
import { readTimings } from '../../../approvals/stats/timings';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../lib/time';

const CODE = 'PROC-EXPENSE';
const T0 = Date.parse('2026-11-25T02:00:00Z');
const scope = { processCode: CODE };

function world(...approvals: SimApproval[]) {
  const dingtalk = new SimulatedDingTalk(CODE);
  approvals.forEach((approval) => dingtalk.add(approval));
  const requests: DingTalkRequest[] = [];
  const transport: Transport = (request) => {
    requests.push(request);
    return dingtalk.transport(request);
  };
  const store = memoryStore();
  const ledger = new ApprovalLedger(transport, store);
  const refresh = (now: number, options: Partial<RefreshOptions> = {}) => {
    dingtalk.now = now;
    return ledger.refresh({ ...scope, lookBackMs: 7 * DAY_MS, freshnessMs: 0, seedingDedupe: false, now, ...options });
  };
  const stored = () => JSON.parse(store.data.get(cacheKeys.ledger(scope))!) as Ledger;
  const named = (name: string) => requests.filter((request) => request.endpoint.name === name);
  return { dingtalk, requests, store, ledger, refresh, stored, named };
}

const approval = (id: string, createdAt: number, finishedAt: number, outcome: SimApproval['outcome'] = 'agree'): SimApproval => ({ id, createdAt, finishedAt, outcome });
const NEVER = Number.MAX_SAFE_INTEGER;

describe('retention', () => {
  test('finished approvals older than 31 days are pruned; running and unclassified ones stay whatever their age', () => {
    const now = T0;
    const entries: Record<string, LedgerEntry> = {
      fresh: { status: 'COMPLETED', result: 'agree', finishedAt: now - RETENTION_MS, seenAt: now - 40 * DAY_MS },
      stale: { status: 'COMPLETED', result: 'agree', finishedAt: now - RETENTION_MS - 1, seenAt: now - 40 * DAY_MS },
      staleSettled: { status: 'SETTLED', seenAt: now - RETENTION_MS - 1 },
      oldRunning: { status: 'RUNNING', seenAt: now - 100 * DAY_MS },
      oldPending: { status: 'PENDING', seenAt: now - 100 * DAY_MS },
    };
    expect(Object.keys(prune(entries, now)).sort()).toEqual(['fresh', 'oldPending', 'oldRunning']);
  });

  test('a refresh stores the pruned ledger', async () => {
    const { refresh, stored } = world(approval('old', T0 - 40 * DAY_MS, T0 - 35 * DAY_MS), approval('run', T0 - DAY_MS, NEVER));
    await refresh(T0 - 34 * DAY_MS); // rebuilds: 'old' is swept in as finished
    await refresh(T0 - 34 * DAY_MS + MINUTE_MS); // and classified
    expect(stored().entries.old).toMatchObject({ status: 'COMPLETED' });
    await refresh(T0);
    expect(Object.keys(stored().entries)).toEqual(['run']);
  });
});

describe('what Find Approval Statistics reads from a refresh', () => {
  test('coveredFrom is when the ledger was built, kept by later refreshes and by a merge with a concurrent poll', async () => {
    const { refresh, stored, store, ledger } = world(approval('a', T0 - DAY_MS, NEVER));
    await refresh(T0);
    expect(stored().coveredFrom).toBe(T0);
    await refresh(T0 + HOUR_MS);
    expect(stored().coveredFrom).toBe(T0);
    // A concurrent poll that rebuilt later from a lost read still merges into the older coverage.
    const latest = stored();
    store.data.delete(cacheKeys.ledger(scope));
    const racing = ledger.refresh({ ...scope, lookBackMs: 7 * DAY_MS, freshnessMs: 0, seedingDedupe: false, now: T0 + 2 * HOUR_MS }, null);
    await store.set(cacheKeys.ledger(scope), latest, 60);
    await racing;
    expect(stored().coveredFrom).toBe(T0);
  });

  test('classifying keeps each detail\'s timing under the template, in one write, so statistics need no second fetch', async () => {
    const { refresh, store, dingtalk } = world(approval('a', T0 - DAY_MS, NEVER), approval('b', T0 - DAY_MS + MINUTE_MS, NEVER));
    await refresh(T0);
    dingtalk.finish('a', 'agree', T0 + 5 * MINUTE_MS);
    dingtalk.finish('b', 'refuse', T0 + 6 * MINUTE_MS);
    const sets = jest.spyOn(store, 'set');
    await refresh(T0 + 10 * MINUTE_MS);
    expect(sets.mock.calls.filter(([key]) => key === cacheKeys.timings(CODE))).toHaveLength(1);
    const timings = await readTimings(store, CODE);
    expect(timings.get('a')).toMatchObject({ outcome: 'approved', submittedAt: T0 - DAY_MS, finishedAt: T0 + 5 * MINUTE_MS });
    expect(timings.get('b')).toMatchObject({ outcome: 'rejected', finishedAt: T0 + 6 * MINUTE_MS });
  });
});

describe('the classify budget', () => {
  test(`one refresh fetches at most ${CLASSIFY_BUDGET} details, newest first; the rest wait for the next poll`, async () => {
    const running = Array.from({ length: CLASSIFY_BUDGET + 5 }, (_, i) => approval(`a-${String(i).padStart(2, '0')}`, T0 - DAY_MS + i * MINUTE_MS, T0 + 10 * MINUTE_MS));
    const { refresh, stored, named } = world(...running);
    await refresh(T0, { seedingDedupe: true }); // a Zap is turned on: ids only, no detail
    expect(Object.values(stored().entries).every((entry) => entry.status === 'RUNNING')).toBe(true);

    const first = await refresh(T0 + 15 * MINUTE_MS);
    expect(named('GetProcessInstance')).toHaveLength(CLASSIFY_BUDGET);
    const pending = Object.entries(first.ledger.entries).filter(([, entry]) => entry.status === 'PENDING');
    expect(pending).toHaveLength(5);

    await refresh(T0 + 30 * MINUTE_MS);
    expect(named('GetProcessInstance')).toHaveLength(CLASSIFY_BUDGET + 5);
    expect(Object.values(stored().entries).every((entry) => entry.status === 'COMPLETED')).toBe(true);
  });

  test('an outcome already cached under its own key costs no fetch, in either stored format', async () => {
    const { refresh, store, named } = world(approval('a', T0 - DAY_MS, T0 + 5 * MINUTE_MS), approval('b', T0 - DAY_MS, T0 + 5 * MINUTE_MS));
    await refresh(T0, { seedingDedupe: true });
    await store.set(cacheKeys.outcome('a'), { status: 'COMPLETED', result: 'agree', finishedAt: T0, seenAt: T0 }, 60);
    await store.set(cacheKeys.outcomeV1('b'), { s: 'COMPLETED', r: 'refuse', f: T0, seen: T0 }, 60);
    const { ledger } = await refresh(T0 + 15 * MINUTE_MS);
    expect(named('GetProcessInstance')).toHaveLength(0);
    expect(ledger.entries).toMatchObject({ a: { status: 'COMPLETED', result: 'agree' }, b: { status: 'COMPLETED', result: 'refuse' } });
  });
});

describe('merge-before-write', () => {
  test('the more final view of an approval wins, and the earliest sighting is kept', () => {
    const ours = { x: { status: 'PENDING', seenAt: 20 }, y: { status: 'COMPLETED', result: 'agree', seenAt: 30 } } as const;
    const theirs = { x: { status: 'TERMINATED', seenAt: 10 }, y: { status: 'RUNNING', seenAt: 5 }, z: { status: 'RUNNING', seenAt: 7 } } as const;
    expect(mergeEntries(ours, theirs)).toEqual({
      x: { status: 'TERMINATED', seenAt: 10 },
      y: { status: 'COMPLETED', result: 'agree', seenAt: 5 },
      z: { status: 'RUNNING', seenAt: 7 },
    });
  });

  test("a concurrent poll's classification written during ours survives our write", async () => {
    const w = world(approval('ours', T0 - DAY_MS, T0 + 5 * MINUTE_MS), approval('theirs', T0 - DAY_MS, NEVER));
    await w.refresh(T0);
    // While our poll lists DingTalk, another Zap's poll stores what it learned about an approval we have not classified.
    const concurrent: Transport = async (request) => {
      const answer = await w.dingtalk.transport(request);
      if (request.endpoint.name === 'ListProcessInstanceIds') {
        const theirs = w.stored();
        theirs.entries.theirs = { status: 'TERMINATED', finishedAt: T0 + 10 * MINUTE_MS, seenAt: T0 };
        theirs.entries.late = { status: 'RUNNING', seenAt: T0 + 14 * MINUTE_MS };
        await w.store.set(cacheKeys.ledger(scope), theirs, 60);
      }
      return answer;
    };
    w.dingtalk.now = T0 + 15 * MINUTE_MS;
    const { ledger } = await new ApprovalLedger(concurrent, w.store).refresh({ ...scope, lookBackMs: 7 * DAY_MS, freshnessMs: 0, seedingDedupe: false, now: w.dingtalk.now });
    expect(w.stored().entries).toMatchObject({
      ours: { status: 'COMPLETED', result: 'agree' },
      theirs: { status: 'TERMINATED' },
      late: { status: 'RUNNING' },
    });
    expect(ledger).toEqual(w.stored());
  });
});

describe('the sweep for approvals that start and finish between two polls', () => {
  test('runs at most hourly, each window overlapping the last by five minutes', async () => {
    const { refresh, named } = world();
    await refresh(T0);
    const sweeps = () => named('ListProcessInstanceIds').filter((request) => String(request.body?.statuses) === 'COMPLETED,TERMINATED');
    expect(sweeps().map((request) => request.body?.startTime)).toEqual([T0 - 7 * DAY_MS - SWEEP_OVERLAP_MS]);

    await refresh(T0 + SWEEP_INTERVAL_MS - 1);
    expect(sweeps()).toHaveLength(1);
    await refresh(T0 + SWEEP_INTERVAL_MS);
    expect(sweeps().map((request) => [request.body?.startTime, request.body?.endTime])).toEqual([
      [T0 - 7 * DAY_MS - SWEEP_OVERLAP_MS, T0],
      [T0 - SWEEP_OVERLAP_MS, T0 + SWEEP_INTERVAL_MS],
    ]);
  });

  test('finds an approval that started and finished between two polls', async () => {
    const { refresh } = world(approval('quick', T0 + 10 * MINUTE_MS, T0 + 20 * MINUTE_MS, 'refuse'));
    await refresh(T0);
    await refresh(T0 + 30 * MINUTE_MS);
    const { ledger } = await refresh(T0 + HOUR_MS + MINUTE_MS);
    expect(ledger.entries.quick).toMatchObject({ status: 'COMPLETED', result: 'refuse' });
  });

  test('never reaches past DingTalk\'s 120-day listing window', async () => {
    const { refresh, named } = world();
    await refresh(T0, { lookBackMs: 365 * DAY_MS });
    const starts = named('ListProcessInstanceIds').map((request) => Number(request.body?.startTime));
    expect(Math.min(...starts)).toBe(T0 - MAX_WINDOW_MS);
  });
});

describe('the version-1 format (one-letter fields) from older app versions', () => {
  const v1 = {
    v: 1,
    refreshedAt: T0 - 10 * MINUTE_MS,
    sweptAt: T0 - 10 * MINUTE_MS,
    entries: {
      run: { s: 'RUNNING', c: T0 - DAY_MS, seen: T0 - DAY_MS },
      ok: { s: 'COMPLETED', r: 'agree', c: T0 - 2 * DAY_MS, f: T0 - DAY_MS, seen: T0 - 2 * DAY_MS },
      settled: { s: 'SETTLED', seen: T0 - 3 * DAY_MS },
    },
  };

  test('is read and converted, so a deploy costs no rebuild: no template check, no window scan, no detail fetch', async () => {
    const w = world(approval('run', T0 - DAY_MS, NEVER), approval('ok', T0 - 2 * DAY_MS, T0 - DAY_MS));
    await w.store.set(cacheKeys.ledgerV1(scope), v1, 60);
    w.dingtalk.now = T0;
    const input = { processCode: CODE, userIds: [], lookBackMs: 7 * DAY_MS, freshnessMs: 0 };
    const transport: Transport = (request) => (w.requests.push(request), w.dingtalk.transport(request));
    const delivered = await pollLedger(transport, w.store, KINDS.approved, input, { seedingDedupe: false, now: T0 });
    expect(w.requests.map((request) => request.endpoint.name)).toEqual(['ListProcessInstanceIds']);
    expect(delivered.map(({ id }) => id)).toEqual(['ok']);
    expect(w.stored()).toEqual({
      v: 2,
      refreshedAt: T0,
      sweptAt: T0 - 10 * MINUTE_MS,
      // It knows every approval from now on, not before: statistics read it only for periods after this.
      coveredFrom: T0,
      entries: {
        run: { status: 'RUNNING', createdAt: T0 - DAY_MS, seenAt: T0 - DAY_MS },
        ok: { status: 'COMPLETED', result: 'agree', createdAt: T0 - 2 * DAY_MS, finishedAt: T0 - DAY_MS, seenAt: T0 - 2 * DAY_MS },
        settled: { status: 'SETTLED', seenAt: T0 - 3 * DAY_MS },
      },
    });
  });

  test('an entry a rebuild left undated (`u: 1`) stays undated, so its date is still fetched', () => {
    expect(entryFromV1({ s: 'RUNNING', seen: T0, u: 1 })).toEqual({ status: 'RUNNING', seenAt: T0, undated: true });
    expect(entryFromV1({ s: 'BOGUS', seen: T0 })).toBeUndefined();
  });

  test('an older version still running keeps its own v1 ledger untouched', async () => {
    const w = world(approval('run', T0 - DAY_MS, NEVER));
    await w.store.set(cacheKeys.ledgerV1(scope), v1, 60);
    await w.refresh(T0);
    expect(JSON.parse(w.store.data.get(cacheKeys.ledgerV1(scope))!)).toEqual(v1);
  });

  test('a new-format ledger wins over a v1 one', async () => {
    const w = world();
    await w.store.set(cacheKeys.ledgerV1(scope), v1, 60);
    await w.store.set(cacheKeys.ledger(scope), { v: 2, refreshedAt: T0, sweptAt: T0, entries: {} }, 60);
    expect(await w.ledger.read(scope)).toEqual({ v: 2, refreshedAt: T0, sweptAt: T0, entries: {} });
  });
});
