/**
 * Approval Waiting Too Long under the quota budget, against the sandbox over HTTP on simulated time: a 2-hour and
 * a 24-hour Zap left on Refresh Interval "Auto", Zapier polling every 15 minutes for three days, a connection with
 * a small budget (500 calls a month), and expense claims that wait from one hour to more than a day. Auto spaces the rounds of checks
 * out to fit the budget, counts the checks as part of what a refresh costs, and no wait a round could see is lost
 * or delivered twice.
 */
import { pollWaiting, type WaitingBook, type WaitingDelivery, type WaitingInput } from '../../../approvals/waiting/poll';
import { cacheKeys } from '../../../lib/cache-keys';
import { memoryStore } from '../../../lib/store';
import { HOUR_MS, MINUTE_MS } from '../../../lib/time';
import { autoPlan } from '../../../quota/auto';
import { budgetOf } from '../../../quota/budget';
import { Meter } from '../../../quota/meter';
import { meteredTransport } from '../../../quota/metered';
import { codes, expenseClaim, people, sandboxSuite } from '../../sandbox/helpers';

const start = sandboxSuite();
/** 1 December 2026, 00:30 China time: a new quota month, so the meter starts near zero. */
const T0 = Date.parse('2026-11-30T16:30:00Z');
const POLL_MS = 15 * MINUTE_MS;
/** Hours each claim waits for its approver, in turn: some end before 2 hours, some after, some after a day. */
const WAITS_H = [1, 3, 5.5, 9, 26, 2.25, 30, 14];

test('Auto spaces the checks out to fit the budget, pays for them like refreshes, and loses and repeats no wait', async () => {
  let clock = T0;
  const { sandbox, transport, sent } = await start({ now: () => clock, tokenTtlSeconds: 10 ** 9 });
  // The sandbox's clock stands still between ticks, so its one-second window would hold a whole round of checks;
  // the poll's own limiter keeps them under DingTalk's 20 a second in real time.
  sandbox.faults.setQpsLimit(1000);
  const store = memoryStore();
  // A custom org quota of 1,000 calls, half of it for this integration: 500 a month, 450 to plan with.
  const budget = budgetOf({ edition: 'custom', customQuota: 1000, sharePercent: 50 });
  const meter = new Meter(store, budget, () => clock);
  const metered = meteredTransport(transport, meter, 'trigger');
  const zaps = [2, 24].map((hours) => ({
    input: { processCode: codes.expense, thresholdMs: hours * HOUR_MS, approverIds: [], freshnessMs: 0, auto: true } satisfies WaitingInput,
    seen: new Set<string>(),
    delivered: [] as { at: number; delivery: WaitingDelivery }[],
    polls: [] as number[],
  }));
  const poll = (zap: (typeof zaps)[number], seedingDedupe = false) => pollWaiting(metered, store, zap.input, { seedingDedupe, now: clock, meter });
  const workflowCallsBefore = sent.filter((endpoint) => endpoint.metered).length;
  for (const zap of zaps) for (const { id } of await poll(zap, true)) zap.seen.add(id);

  const claims: { id: string; submittedAt: number; decideAt: number; decided?: number }[] = [];
  const rounds: number[] = [];
  for (let step = 1; step <= 3 * 24 * 4; step += 1) {
    clock += POLL_MS;
    // A claim every six hours for the first two days; each approved after its wait.
    if (step % 24 === 0 && step <= 2 * 24 * 4) {
      claims.push({ id: await expenseClaim(transport, '80'), submittedAt: clock, decideAt: clock + WAITS_H[claims.length % WAITS_H.length]! * HOUR_MS });
    }
    for (const claim of claims.filter((c) => c.decided === undefined && c.decideAt <= clock)) {
      sandbox.org.act(claim.id, people.salesManager, 'agree');
      claim.decided = clock;
    }
    for (const zap of zaps) {
      zap.polls.push(clock);
      for (const delivery of await poll(zap)) {
        if (zap.seen.has(delivery.id)) continue;
        zap.seen.add(delivery.id);
        zap.delivered.push({ at: clock, delivery });
      }
      const checkedAt = (await store.get<WaitingBook>(cacheKeys.waiting({ processCode: codes.expense })))?.checkedAt;
      if (checkedAt !== undefined && checkedAt !== rounds[rounds.length - 1]) rounds.push(checkedAt);
    }
  }

  // Governed: the rounds are hours apart (not every 15-minute poll), and they widen as the month's spend grows and
  // Auto learns what a round of checks costs (bench/cost-model-waiting.ts shows a whole month within the budget).
  const gaps = rounds.slice(1).map((at, i) => at - rounds[i]!);
  expect(gaps.length).toBeGreaterThanOrEqual(5);
  expect(gaps[0]!).toBeGreaterThan(2 * HOUR_MS);
  expect(gaps[gaps.length - 1]!).toBeGreaterThan(1.5 * gaps[0]!);
  for (let i = 1; i < gaps.length; i += 1) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]! - POLL_MS);
  const record = await meter.read();
  // What Auto would plan now covers the checks: the rest of the month at its measured cost per round fits the budget.
  const plan = autoPlan(budget, record, clock, cacheKeys.ledger({ processCode: codes.expense }));
  expect(plan.callsPerRefresh).toBeGreaterThan(2);
  expect(record.calls + ((Date.parse('2026-12-31T16:00:00Z') - clock) / plan.intervalMs) * plan.callsPerRefresh).toBeLessThanOrEqual(budget.calls);
  // The checks are paid for as part of the refreshes: every metered trigger call is in the measured refresh cost.
  const triggerCalls = sent.filter((endpoint) => endpoint.metered).length - workflowCallsBefore - claims.length;
  expect(record.byOperation.trigger).toBe(triggerCalls);
  expect(record.refreshCalls).toBe(triggerCalls);
  expect(sent.filter((endpoint) => endpoint.name === 'GetProcessInstance').length).toBeGreaterThan(0);

  for (const zap of zaps) {
    const mine = zap.delivered.filter(({ delivery }) => claims.some((claim) => claim.id === delivery.approvalId));
    // Once per task and threshold, never before the task had waited that long, and only while it was pending.
    expect(new Set(mine.map(({ delivery }) => delivery.task.taskId)).size).toBe(mine.length);
    for (const { delivery } of mine) {
      expect(delivery.checkedAt - delivery.task.startedAt).toBeGreaterThanOrEqual(zap.input.thresholdMs);
      const claim = claims.find((c) => c.id === delivery.approvalId)!;
      expect(delivery.checkedAt).toBeLessThan(claim.decided ?? Infinity);
    }
    // Owed: the claim was still pending when this Zap polled after the first round that could see its crossing.
    const owed = claims.filter((claim) => {
      const crossing = claim.submittedAt + zap.input.thresholdMs;
      const round = rounds.find((at) => at >= crossing);
      const zapPoll = round === undefined ? undefined : zap.polls.find((at) => at >= round);
      return zapPoll !== undefined && zapPoll < (claim.decided ?? Infinity);
    });
    expect(owed.length).toBeGreaterThan(0);
    const delivered = new Set(mine.map(({ delivery }) => delivery.approvalId));
    expect(owed.filter((claim) => !delivered.has(claim.id))).toEqual([]);
  }
}, 60_000);
