/**
 * Where Find Approval Statistics reads from: when the ledger covers a period, what it fetches when it does not, and
 * the cap on a scan. DingTalk is the in-process stand-in of the cost model (bench/simulated-dingtalk.ts); the
 * sandbox runs the same end to end in test/e2e/statistics.test.ts.
 */
import { SimulatedDingTalk, type SimApproval } from '../../../bench/simulated-dingtalk';
import type { Ledger } from '../../../approvals/ledger/entry';
import { ApprovalLedger } from '../../../approvals/ledger/ledger';
import { approvalStatistics, ledgerGap, MAX_SCAN_APPROVALS } from '../../../approvals/stats/statistics';
import type { DingTalkRequest, Transport } from '../../../dingtalk/transport';
import { cacheKeys } from '../../../lib/cache-keys';
import { memoryStore } from '../../../lib/store';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../lib/time';

const CODE = 'PROC-EXPENSE';
const T0 = Date.parse('2026-11-25T02:00:00Z');
const NEVER = Number.MAX_SAFE_INTEGER;

function world(...approvals: SimApproval[]) {
  const dingtalk = new SimulatedDingTalk(CODE);
  dingtalk.add(...approvals);
  const requests: DingTalkRequest[] = [];
  const transport: Transport = (request) => {
    requests.push(request);
    return dingtalk.transport(request);
  };
  const store = memoryStore();
  const poll = (now: number) => {
    dingtalk.now = now;
    return new ApprovalLedger(transport, store).refresh({ processCode: CODE, lookBackMs: 7 * DAY_MS, freshnessMs: 0, seedingDedupe: false, now });
  };
  const statistics = (from: number, to: number, now: number) => {
    dingtalk.now = now;
    return approvalStatistics(transport, store, { processCode: CODE, period: { from, to }, periodLabel: 'From–to', targetHours: 48 }, now);
  };
  const named = (name: string) => requests.filter((request) => request.endpoint.name === name).length;
  return { dingtalk, requests, store, poll, statistics, named };
}

describe('ledgerGap: the ledger answers only for a period it has fully watched', () => {
  const ledger: Ledger = { v: 2, refreshedAt: T0, sweptAt: T0, coveredFrom: T0 - 10 * DAY_MS, entries: {} };
  const week = { from: T0 - 7 * DAY_MS, to: T0 };

  test('covered', () => expect(ledgerGap(ledger, week, T0 + 30 * MINUTE_MS)).toBeUndefined());
  test('a period that ended when the ledger was last refreshed is covered however long ago that was', () => expect(ledgerGap(ledger, week, T0 + DAY_MS)).toBeUndefined());
  test.each([
    ['no ledger', null, week, T0, 'no approval trigger watches this template on this connection'],
    ['built after the period began', { ...ledger, coveredFrom: week.from }, week, T0, 'the approval triggers started watching this template after the period began'],
    ['stored by an older version', { ...ledger, coveredFrom: undefined }, week, T0, 'the approval triggers started watching this template after the period began'],
    ['older than the ledger keeps', { ...ledger, coveredFrom: T0 - 60 * DAY_MS }, { from: T0 - 40 * DAY_MS, to: T0 - 35 * DAY_MS }, T0, 'the approval triggers keep finished approvals for 31 days only'],
    ['not polled for over an hour before the period ends', ledger, { ...week, to: T0 + HOUR_MS + MINUTE_MS }, T0 + 2 * HOUR_MS, 'no approval trigger has polled this template in the last hour'],
  ])('%s', (_name, candidate, period, now, why) => {
    expect(ledgerGap(candidate as Ledger | null, period, now)).toBe(why);
  });
});

test('from the ledger, an approval that left the running set but is not classified yet is fetched once, and counted', async () => {
  const w = world({ id: 'a', createdAt: T0 + HOUR_MS, finishedAt: NEVER, outcome: 'agree' });
  await w.poll(T0);
  await w.poll(T0 + 2 * HOUR_MS); // 'a' is seen running
  w.dingtalk.finish('a', 'agree', T0 + 2 * HOUR_MS + 15 * MINUTE_MS);
  // A poll whose classification failed would leave 'a' PENDING; mark it so by hand.
  const key = cacheKeys.ledger({ processCode: CODE });
  const stored = (await w.store.get<Ledger>(key))!;
  stored.entries.a!.status = 'PENDING';
  await w.store.set(key, stored, 60);
  w.requests.splice(0);

  const record = await w.statistics(T0 + MINUTE_MS, T0 + 4 * HOUR_MS, T0 + 2 * HOUR_MS + 30 * MINUTE_MS);
  expect(record).toMatchObject({ source: 'ledger', metered_calls: 1, submitted: 1, approved: 1, processing_hours_average: 1.25 });
  expect(record.source_note).toBe('Read from what the approval triggers already know, plus the details of 1 approval they had not read yet (one metered call each).');
  expect(w.named('GetProcessInstance')).toBe(1);
  expect(w.named('ListProcessInstanceIds')).toBe(0);
});

test(`a scan over ${MAX_SCAN_APPROVALS} approvals stops before reading any detail, and says what to do`, async () => {
  const many = Array.from({ length: MAX_SCAN_APPROVALS + 1 }, (_, i) => ({ id: `a-${i}`, createdAt: T0 - DAY_MS + i * MINUTE_MS, finishedAt: T0 - DAY_MS + i * MINUTE_MS + HOUR_MS, outcome: 'agree' as const }));
  const w = world(...many);
  await expect(w.statistics(T0 - 2 * DAY_MS, T0, T0)).rejects.toThrow(/^The period holds 101 approvals whose details this connection has not read yet, more than the 100 one search reads .* Choose a shorter period\. Periods that an approval trigger/);
  expect(w.named('GetProcessInstance')).toBe(0);
  expect(w.named('ListProcessInstanceIds')).toBe(1 + 6); // running: 1 page; the period: 6 pages of 20
});

test('an empty period is one record of zeros and empty figures, not a miss', async () => {
  const w = world();
  const record = await w.statistics(T0 - DAY_MS, T0, T0);
  expect(record).toMatchObject({ submitted: 0, finished: 0, still_running: 0, rejection_rate_percent: null, processing_hours_median: null, steps: [], departments: [], source: 'scan', metered_calls: 2 });
});
