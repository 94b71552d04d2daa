/**
 * The quota cost model: metered DingTalk calls per month for one template with 300 approvals a month (each
 * finishing within 48 hours) and three Zaps (New Approval, Approval Approved, Approval Rejected), at Zapier's
 * 15-, 2- and 1-minute polling. It runs the triggers' real poll (`pollLedger`) against an in-process DingTalk
 * and an in-memory z.cache, simulates Zapier's per-Zap dedupe and hydration, and compares with the naive
 * window scan (list every id in the look-back window, fetch each one, on every poll).
 *
 *   npm run cost-model          prints the table and writes bench/results/cost-model.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KINDS, type KindName } from '../approvals/ledger/kinds';
import { pollLedger, type PollInput } from '../approvals/ledger/ledger';
import { outcomeOf } from '../approvals/outcome';
import { getProcessInstance } from '../dingtalk/workflow';
import { cacheKeys } from '../lib/cache-keys';
import { memoryStore } from '../lib/store';
import { DAY_MS as DAY, HOUR_MS as HOUR, MINUTE_MS as MINUTE } from '../lib/time';
import { SimulatedDingTalk, type SimApproval } from './simulated-dingtalk';

const MONTH = 30 * DAY;
const CODE = 'PROC-EXPENSE';
const APPROVALS_PER_MONTH = 300;
const LOOK_BACK = 7 * DAY;
export const FREE_QUOTA = 5000;
const ZAPS: KindName[] = ['submitted', 'approved', 'rejected'];

/** A small seeded generator, so every run models the same month. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 300 approvals over the month plus a week of history; 80 % approved, 15 % rejected, 5 % revoked. */
export function workload(seed = 42): SimApproval[] {
  const next = random(seed);
  const count = Math.round(APPROVALS_PER_MONTH * (37 / 30));
  return Array.from({ length: count }, (_, i) => {
    const createdAt = -7 * DAY + next() * 37 * DAY;
    const roll = next();
    return {
      id: `pi-${String(i).padStart(4, '0')}`,
      createdAt,
      finishedAt: createdAt + 5 * MINUTE + next() * 48 * HOUR,
      outcome: roll < 0.8 ? 'agree' : roll < 0.95 ? 'refuse' : 'revoke',
    };
  });
}

interface Zap {
  kind: KindName;
  offset: number;
  seen: Set<string>;
  seeded: boolean;
  startedAt: number;
}

/** Whether `approval` is an event for a Zap of `kind`, and when it happened. */
function eventTime(kind: KindName, approval: SimApproval): number | undefined {
  if (kind === 'submitted') return approval.createdAt;
  const outcome = outcomeOf(approval.outcome === 'revoke' ? 'TERMINATED' : 'COMPLETED', approval.outcome);
  return outcome === kind ? approval.finishedAt : undefined;
}

export async function ours(intervalMinutes: number, refreshMinutes: number, approvals = workload()) {
  const dingtalk = new SimulatedDingTalk(CODE);
  approvals.forEach((a) => dingtalk.add(a));
  const store = memoryStore();
  const input: PollInput = { processCode: CODE, userIds: [], lookBackMs: LOOK_BACK, freshnessMs: refreshMinutes * MINUTE };
  const interval = intervalMinutes * MINUTE;
  const zaps: Zap[] = ZAPS.map((kind, i) => ({ kind, offset: Math.round((i * interval) / ZAPS.length), seen: new Set(), seeded: false, startedAt: 0 }));
  const polls = zaps.flatMap((zap) => Array.from({ length: Math.floor((MONTH - zap.offset) / interval) + 1 }, (_, k) => ({ zap, at: zap.offset + k * interval })));
  polls.sort((a, b) => a.at - b.at);

  const delays: number[] = [];
  let hydrations = 0;
  for (const { zap, at } of polls) {
    dingtalk.now = at;
    const selected = await pollLedger(dingtalk.transport, store, KINDS[zap.kind], input, { seedingDedupe: !zap.seeded, now: at });
    if (!zap.seeded) {
      selected.forEach(({ id }) => zap.seen.add(id));
      zap.seeded = true;
      zap.startedAt = at;
      continue;
    }
    for (const { id } of selected) {
      if (zap.seen.has(id)) continue;
      zap.seen.add(id);
      // Zapier hydrates a delivered record: one detail fetch unless the poll that classified it cached it.
      if (!(await store.get(cacheKeys.detail(id)))) {
        await getProcessInstance(dingtalk.transport, id);
        hydrations += 1;
      }
      const approval = approvals.find((a) => a.id === id)!;
      delays.push(at - eventTime(zap.kind, approval)!);
    }
  }

  // Every event after a Zap was turned on must have been delivered exactly once (dedupe makes "once" hold).
  const expected = zaps.flatMap((zap) =>
    approvals.filter((a) => {
      const t = eventTime(zap.kind, a);
      return t !== undefined && t > zap.startedAt && t <= MONTH - 2 * HOUR && a.createdAt > -LOOK_BACK;
    }).map((a) => ({ zap, a })),
  );
  const missed = expected.filter(({ zap, a }) => !zap.seen.has(a.id)).length;
  return {
    metered: dingtalk.metered,
    polls: polls.length,
    hydrations,
    byEndpoint: Object.fromEntries(dingtalk.calls),
    delivered: delays.length,
    missed,
    meanDelayMinutes: Math.round(delays.reduce((s, d) => s + d, 0) / Math.max(1, delays.length) / MINUTE),
    maxDelayMinutes: Math.round(Math.max(0, ...delays) / MINUTE),
  };
}

/** The naive strategy: on every poll of every Zap, list every id in the window and fetch each one. */
export function naive(intervalMinutes: number, approvals = workload()) {
  const interval = intervalMinutes * MINUTE;
  const created = approvals.map((a) => a.createdAt).sort((a, b) => a - b);
  let metered = 0;
  let polls = 0;
  for (let i = 0; i < ZAPS.length; i += 1) {
    for (let at = Math.round((i * interval) / ZAPS.length); at <= MONTH; at += interval) {
      const inWindow = created.filter((c) => c <= at && c >= at - LOOK_BACK).length;
      metered += Math.max(1, Math.ceil(inWindow / 20)) + inWindow;
      polls += 1;
    }
  }
  return { metered, polls };
}

export interface CostRow {
  strategy: string;
  interval: number;
  metered: number;
  polls: number;
  missed: number;
  hydrations?: number;
  byEndpoint?: Record<string, number>;
  delivered?: number;
  meanDelayMinutes?: number;
  maxDelayMinutes?: number;
}

/** Every row of the model: per polling interval, the ledger refreshed every poll, every 15 minutes, and the naive scan. */
export async function costModelRows(intervals = [15, 2, 1], refreshes = [0, 15]): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for (const interval of intervals) {
    for (const refresh of refreshes) {
      const result = await ours(interval, refresh);
      rows.push({ strategy: `ledger, refresh ${refresh === 0 ? 'every poll' : `${refresh} min`}`, interval, ...result });
    }
    rows.push({ strategy: 'naive window scan', interval, ...naive(interval), missed: 0 });
  }
  return rows;
}

const format = (n: number) => n.toLocaleString('en-US');

/** The Markdown table the README shows. */
export function costTable(rows: CostRow[]): string[] {
  return [
    '| Polling | Strategy | Metered calls/poll | Metered calls/month | Share of free quota | Missed events | Mean / max delay (min) |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((row) => {
      const delay = row.meanDelayMinutes === undefined ? '–' : `${row.meanDelayMinutes} / ${row.maxDelayMinutes}`;
      return `| ${row.interval} min | ${row.strategy} | ${(row.metered / row.polls).toFixed(2)} | ${format(row.metered)} | ${format(Math.round((row.metered / FREE_QUOTA) * 100))} % | ${row.missed} | ${delay} |`;
    }),
  ];
}

async function main() {
  const rows = await costModelRows();
  console.log('One template, 300 approvals/month (finished within 48 h), three Zaps: New Approval, Approval Approved, Approval Rejected.');
  console.log(`DingTalk free edition quota: ${format(FREE_QUOTA)} metered calls/month for the whole org.\n`);
  costTable(rows).forEach((line) => console.log(line));
  // Imported here, not at the top: statistics-cost.ts imports this module's workload.
  const { weeklyReportCost, reportTable } = await import('./statistics-cost');
  const reports = await weeklyReportCost();
  console.log('\nFind Approval Statistics, run weekly (same workload):\n');
  reportTable(reports).forEach((line) => console.log(line));
  const dir = join(__dirname, '..', '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cost-model.json'), `${JSON.stringify({ generatedAt: new Date().toISOString(), rows, reports }, null, 2)}\n`);
  console.log(`\nWrote bench/results/cost-model.json`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
