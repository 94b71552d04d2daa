/**
 * The quota cost of Approval Waiting Too Long on the cost model's reference workload (one template, 300 approvals a
 * month, each finished within 48 hours), with a 2-hour and a 24-hour Zap on the template: it runs the trigger's
 * real poll (`pollWaiting`) against the simulated DingTalk and an in-memory z.cache for a month, with Zapier's
 * per-Zap dedupe and the hydration of each delivery. Each approval has one or two approver tasks.
 *
 * Reported per row: metered calls a month (the shared ledger refresh, the detail checks and hydration), the
 * deliveries, missed waits (a task still RUNNING at a poll at least N after it started, never delivered),
 * duplicates (the same task and threshold delivered twice) and the mean and maximum delay after the threshold.
 *
 *   npm run cost-model          prints this table after the main one
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedDetail, pollWaiting, type WaitingInput } from '../approvals/waiting/poll';
import { getProcessInstance } from '../dingtalk/workflow';
import { memoryStore } from '../lib/store';
import { DAY_MS as DAY, HOUR_MS as HOUR, MINUTE_MS as MINUTE } from '../lib/time';
import { FREE_QUOTA, random, workload } from './cost-model';
import { SimulatedDingTalk, type SimApproval } from './simulated-dingtalk';

const MONTH = 30 * DAY;
const CODE = 'PROC-EXPENSE';
const THRESHOLDS_HOURS = [2, 24];

/** The reference workload, each approval with one task, or (half of them) two in sequence. */
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
  refresh: number;
  metered: number;
  polls: number;
  byEndpoint: Record<string, number>;
  delivered: Record<string, number>;
  missed: number;
  duplicates: number;
  meanDelayMinutes: number;
  maxDelayMinutes: number;
}

export async function waitingCost(intervalMinutes: number, refreshMinutes: number, approvals = waitingWorkload()): Promise<WaitingCostRow> {
  const dingtalk = new SimulatedDingTalk(CODE);
  approvals.forEach((a) => dingtalk.add(a));
  const store = memoryStore();
  const interval = intervalMinutes * MINUTE;
  const zaps: WaitingZap[] = THRESHOLDS_HOURS.map((hours, i) => ({
    input: { processCode: CODE, thresholdMs: hours * HOUR, approverIds: [], freshnessMs: refreshMinutes * MINUTE },
    offset: Math.round((i * interval) / THRESHOLDS_HOURS.length),
    seen: new Set(),
    delivered: new Map(),
    seeded: false,
    startedAt: 0,
  }));
  const polls = zaps.flatMap((zap) => Array.from({ length: Math.floor((MONTH - zap.offset) / interval) + 1 }, (_, k) => ({ zap, at: zap.offset + k * interval })));
  polls.sort((a, b) => a.at - b.at);

  const byTask = new Map(approvals.flatMap((a) => (a.tasks ?? []).map((task) => [task.taskId, task] as const)));
  const delays: number[] = [];
  let duplicates = 0;
  for (const { zap, at } of polls) {
    dingtalk.now = at;
    const deliveries = await pollWaiting(dingtalk.transport, store, zap.input, { seedingDedupe: !zap.seeded, now: at });
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
      if (zap.delivered.has(key)) duplicates += 1;
      zap.delivered.set(key, at);
      // Zapier hydrates the delivery: free from the detail the check cached, else one fetch.
      if (!(await checkedDetail(store, delivery.approvalId))) await getProcessInstance(dingtalk.transport, delivery.approvalId);
      delays.push(at - (byTask.get(delivery.task.taskId)!.startedAt + zap.input.thresholdMs));
    }
  }

  // A wait is owed when some poll of the Zap, after it was turned on, saw the task RUNNING at least N after its start.
  let missed = 0;
  for (const zap of zaps) {
    for (const task of byTask.values()) {
      const crossing = task.startedAt + zap.input.thresholdMs;
      if (crossing <= zap.startedAt || crossing >= MONTH - 2 * HOUR) continue;
      const firstPoll = zap.offset + Math.ceil((crossing - zap.offset) / interval) * interval;
      if (firstPoll < task.finishedAt && !zap.delivered.has(`${task.taskId}`)) missed += 1;
    }
  }
  return {
    interval: intervalMinutes,
    refresh: refreshMinutes,
    metered: dingtalk.metered,
    polls: polls.length,
    byEndpoint: Object.fromEntries(dingtalk.calls),
    delivered: Object.fromEntries(zaps.map((zap, i) => [`${THRESHOLDS_HOURS[i]} h`, zap.delivered.size])),
    missed,
    duplicates,
    meanDelayMinutes: Math.round(delays.reduce((s, d) => s + d, 0) / Math.max(1, delays.length) / MINUTE),
    maxDelayMinutes: Math.round(Math.max(0, ...delays) / MINUTE),
  };
}

/** 15-minute polling (Zapier's free plan); 2-minute rows take long here because each poll's limiter waits in real time. */
export async function waitingCostRows(intervals = [15], refreshes = [0, 15]): Promise<WaitingCostRow[]> {
  const rows: WaitingCostRow[] = [];
  for (const interval of intervals) for (const refresh of refreshes) rows.push(await waitingCost(interval, refresh));
  return rows;
}

const format = (n: number) => n.toLocaleString('en-US');

/** The Markdown table the README shows. */
export function waitingCostTable(rows: WaitingCostRow[]): string[] {
  return [
    '| Polling | Refresh Interval | Metered calls/month | of which detail checks | Share of free quota | Delivered (2 h / 24 h) | Missed | Duplicated | Mean / max delay after the threshold (min) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.interval} min | ${row.refresh === 0 ? 'every poll' : `${row.refresh} min`} | ${format(row.metered)} | ${format(row.byEndpoint.GetProcessInstance ?? 0)} | ${format(Math.round((row.metered / FREE_QUOTA) * 100))} % | ${row.delivered['2 h']} / ${row.delivered['24 h']} | ${row.missed} | ${row.duplicates} | ${row.meanDelayMinutes} / ${row.maxDelayMinutes} |`,
    ),
  ];
}

async function main() {
  const rows = await waitingCostRows();
  console.log('\nApproval Waiting Too Long: the same template and workload (each approval 1 or 2 approver tasks), a 2-hour and a 24-hour Zap.');
  waitingCostTable(rows).forEach((line) => console.log(line));
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
