/**
 * The quota cost of Approval Waiting Too Long on the cost model's reference workload (one template, 300 approvals a
 * month, each finished within 48 hours), with a 2-hour and a 24-hour Zap on the template: it runs the trigger's
 * real poll (`pollWaiting`) against the simulated DingTalk and an in-memory z.cache for a month (November 2026 in
 * China time, so Auto plans on a real quota month), through a metered transport on one connection's meter and
 * the default budget, with Zapier's per-Zap dedupe and the hydration of each delivery. Each approval has one or
 * two approver tasks.
 *
 * Reported per row: metered calls a month (the shared ledger refresh, the detail checks and hydration) against the
 * budget; the deliveries; missed waits; duplicates (the same task and threshold delivered twice, or delivered
 * before its threshold); the mean and maximum delay after the threshold; and the waits that ended before a check
 * could see them.
 *
 * A wait is owed to a Zap when its task was still pending at the first round of checks on or after its crossing
 * (the moment it had waited N hours): a check then sees it, whatever the interval. A wait that ended before that
 * round is over before anyone could act on a reminder; with a fixed "every poll" interval a round is every
 * Zapier poll, so this is the strictest test the trigger can meet. Under Auto the rounds are hours apart on this
 * workload, and the table says how many waits ended in between.
 *
 *   npm run cost-model          prints these tables after the main ones
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedDetail, pollWaiting, type WaitingBook, type WaitingInput } from '../approvals/waiting/poll';
import { getProcessInstance } from '../dingtalk/workflow';
import { cacheKeys } from '../lib/cache-keys';
import { memoryStore } from '../lib/store';
import { DAY_MS as DAY, HOUR_MS as HOUR, MINUTE_MS as MINUTE } from '../lib/time';
import { MAX_AUTO_INTERVAL_MS } from '../quota/auto';
import { budgetOf } from '../quota/budget';
import { Meter } from '../quota/meter';
import { meteredTransport } from '../quota/metered';
import { FREE_QUOTA, ORIGIN, random, workload } from './cost-model';
import { SimulatedDingTalk, type SimApproval } from './simulated-dingtalk';

const MONTH = 30 * DAY;
const CODE = 'PROC-EXPENSE';
const THRESHOLDS_HOURS = [2, 24];

/** The reference workload, each approval with one task, or (half of them) two in sequence; times relative to the month's start. */
export function waitingWorkload(seed = 42): SimApproval[] {
  const next = random(seed + 1);
  let taskId = 1000;
  return workload(seed).map((approval) => {
    const split = next() < 0.5 ? approval.createdAt + next() * (approval.finishedAt - approval.createdAt) : approval.finishedAt;
    const tasks = [{ taskId: (taskId += 1), userId: 'approver-1', startedAt: approval.createdAt, finishedAt: split }];
    if (split < approval.finishedAt) tasks.push({ taskId: (taskId += 1), userId: 'approver-2', startedAt: split, finishedAt: approval.finishedAt });
    return { ...approval, tasks };
  });
}

/** The workload in November 2026, China time. */
const inMonth = (approvals: SimApproval[]): SimApproval[] =>
  approvals.map((a) => ({
    ...a,
    createdAt: a.createdAt + ORIGIN,
    finishedAt: a.finishedAt + ORIGIN,
    ...(a.tasks ? { tasks: a.tasks.map((task) => ({ ...task, startedAt: task.startedAt + ORIGIN, finishedAt: task.finishedAt + ORIGIN })) } : {}),
  }));

interface WaitingZap {
  input: WaitingInput;
  offset: number;
  seen: Set<string>;
  delivered: Map<string, number>;
  seeded: boolean;
  startedAt: number;
}

export interface WaitingCostRow {
  interval: number;
  /** 'auto', or the fixed Refresh Interval in minutes (0: every poll). */
  refresh: 'auto' | number;
  metered: number;
  budget: number;
  polls: number;
  /** Rounds of checks in the month, and the mean time between two. */
  rounds: number;
  meanRoundMinutes: number;
  byEndpoint: Record<string, number>;
  delivered: Record<string, number>;
  missed: number;
  duplicates: number;
  /** Waits that crossed the threshold but ended before the next round of checks could see them. */
  endedBeforeCheck: number;
  meanDelayMinutes: number;
  maxDelayMinutes: number;
}

export async function waitingCost(intervalMinutes: number, refresh: 'auto' | number, relative = waitingWorkload()): Promise<WaitingCostRow> {
  const approvals = inMonth(relative);
  const dingtalk = new SimulatedDingTalk(CODE);
  approvals.forEach((a) => dingtalk.add(a));
  const store = memoryStore();
  const clock = { now: ORIGIN };
  const budget = budgetOf({});
  const meter = new Meter(store, budget, () => clock.now);
  const trigger = meteredTransport(dingtalk.transport, meter, 'trigger');
  const hydration = meteredTransport(dingtalk.transport, meter, 'hydration');
  const interval = intervalMinutes * MINUTE;
  const auto = refresh === 'auto';
  const zaps: WaitingZap[] = THRESHOLDS_HOURS.map((hours, i) => ({
    input: { processCode: CODE, thresholdMs: hours * HOUR, approverIds: [], freshnessMs: auto ? 0 : refresh * MINUTE, auto },
    offset: Math.round((i * interval) / THRESHOLDS_HOURS.length),
    seen: new Set(),
    delivered: new Map(),
    seeded: false,
    startedAt: 0,
  }));
  const polls = zaps.flatMap((zap) => Array.from({ length: Math.floor((MONTH - zap.offset) / interval) + 1 }, (_, k) => ({ zap, at: ORIGIN + zap.offset + k * interval })));
  polls.sort((a, b) => a.at - b.at);

  const byTask = new Map(approvals.flatMap((a) => (a.tasks ?? []).map((task) => [task.taskId, task] as const)));
  // DingTalk gives a task's start to the minute (2026-11-01T10:00Z), so a wait is judged from that minute.
  const crossingOf = (taskId: number, thresholdMs: number) => Math.floor(byTask.get(taskId)!.startedAt / MINUTE) * MINUTE + thresholdMs;
  const bookKey = cacheKeys.waiting({ processCode: CODE });
  const rounds: number[] = [];
  let lastBook: string | undefined;
  const delays: number[] = [];
  let duplicates = 0;
  for (const { zap, at } of polls) {
    clock.now = at;
    dingtalk.now = at;
    const deliveries = await pollWaiting(trigger, store, zap.input, { seedingDedupe: !zap.seeded, now: at, meter });
    const book = store.data.get(bookKey);
    if (book !== lastBook) {
      lastBook = book;
      const checkedAt = book === undefined ? undefined : (JSON.parse(book) as WaitingBook).checkedAt;
      if (checkedAt !== undefined && checkedAt !== rounds[rounds.length - 1]) rounds.push(checkedAt);
    }
    if (!zap.seeded) {
      deliveries.forEach(({ id }) => zap.seen.add(id));
      zap.seeded = true;
      zap.startedAt = at;
      continue;
    }
    for (const delivery of deliveries) {
      if (zap.seen.has(delivery.id)) continue;
      zap.seen.add(delivery.id);
      const key = `${delivery.task.taskId}`;
      const crossing = crossingOf(delivery.task.taskId, zap.input.thresholdMs);
      // The same task twice, or a task delivered before it had waited N hours, would mislead the Zap's user.
      if (zap.delivered.has(key) || crossing > at) duplicates += 1;
      zap.delivered.set(key, at);
      // Zapier hydrates the delivery: free from the detail the check cached, else one fetch.
      if (!(await checkedDetail(store, delivery.approvalId))) await getProcessInstance(hydration, delivery.approvalId);
      if (crossing > zap.startedAt) delays.push(at - crossing);
    }
  }

  // Owed: the task was still pending when the Zap polled after the first round on or after its crossing (the round
  // may be another waiting Zap's; the delivery is this Zap's next poll). Crossings too close to the month's end for
  // the slowest interval the setting allows are left for next month.
  const deliverableBy = ORIGIN + MONTH - (auto ? MAX_AUTO_INTERVAL_MS : refresh * MINUTE) - interval - 2 * HOUR;
  let missed = 0;
  let endedBeforeCheck = 0;
  for (const zap of zaps) {
    for (const task of byTask.values()) {
      const crossing = crossingOf(task.taskId, zap.input.thresholdMs);
      if (crossing <= zap.startedAt || crossing > deliverableBy || task.finishedAt <= crossing) continue;
      const round = rounds.find((r) => r >= crossing);
      if (round === undefined) continue;
      const zapPoll = ORIGIN + zap.offset + Math.ceil((round - ORIGIN - zap.offset) / interval) * interval;
      if (zapPoll >= task.finishedAt) endedBeforeCheck += 1;
      else if (!zap.delivered.has(`${task.taskId}`)) missed += 1;
    }
  }
  return {
    interval: intervalMinutes,
    refresh,
    metered: dingtalk.metered,
    budget: budget.calls,
    polls: polls.length,
    rounds: rounds.length,
    meanRoundMinutes: rounds.length > 1 ? (rounds[rounds.length - 1]! - rounds[0]!) / (rounds.length - 1) / MINUTE : 0,
    byEndpoint: Object.fromEntries(dingtalk.calls),
    delivered: Object.fromEntries(zaps.map((zap, i) => [`${THRESHOLDS_HOURS[i]} h`, zap.delivered.size])),
    missed,
    duplicates,
    endedBeforeCheck,
    meanDelayMinutes: Math.round(delays.reduce((s, d) => s + d, 0) / Math.max(1, delays.length) / MINUTE),
    maxDelayMinutes: Math.round(Math.max(0, ...delays) / MINUTE),
  };
}

/** The fixed intervals at Zapier's 15-minute polling (what main measured before Auto), then Auto at 15, 2 and 1 minutes. */
export async function waitingCostRows(): Promise<WaitingCostRow[]> {
  const rows: WaitingCostRow[] = [];
  for (const refresh of [0, 15]) rows.push(await waitingCost(15, refresh));
  for (const interval of [15, 2, 1]) rows.push(await waitingCost(interval, 'auto'));
  return rows;
}

const format = (n: number) => Math.round(n).toLocaleString('en-US');
const duration = (minutes: number) => (minutes < 120 ? `${Math.round(minutes)} min` : `${(minutes / 60).toFixed(1)} h`);

/** The Markdown table the README shows. */
export function waitingCostTable(rows: WaitingCostRow[]): string[] {
  return [
    '| Polling | Refresh Interval | Metered calls/month | of which detail checks | Against the 3,000 budget | Mean time between checks | Delivered (2 h / 24 h) | Missed | Duplicated | Ended before a check | Mean / max delay after the threshold |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.interval} min | ${row.refresh === 'auto' ? 'Auto' : row.refresh === 0 ? 'every poll' : `${row.refresh} min`} | ${format(row.metered)} | ${format(row.byEndpoint.GetProcessInstance ?? 0)} | ` +
        `${format((row.metered / row.budget) * 100)} % | ${duration(row.meanRoundMinutes)} | ${row.delivered['2 h']} / ${row.delivered['24 h']} | ${row.missed} | ${row.duplicates} | ${row.endedBeforeCheck} | ` +
        `${duration(row.meanDelayMinutes)} / ${duration(row.maxDelayMinutes)} |`,
    ),
  ];
}

async function main() {
  const started = performance.now();
  const rows = await waitingCostRows();
  console.log(`\nApproval Waiting Too Long: the same template and workload (each approval 1 or 2 approver tasks), a 2-hour and a 24-hour Zap; free edition ${format(FREE_QUOTA)}, default budget ${format(budgetOf({}).calls)}.\n`);
  waitingCostTable(rows).forEach((line) => console.log(line));
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s)`);
  const dir = join(__dirname, '..', '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cost-model-waiting.json'), `${JSON.stringify({ generatedAt: new Date().toISOString(), rows }, null, 2)}\n`);
  console.log('\nWrote bench/results/cost-model-waiting.json');
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
