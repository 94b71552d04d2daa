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
import { KINDS, type KindName, type Selected } from '../approvals/ledger/kinds';
import type { Ledger } from '../approvals/ledger/entry';
import { pollLedger, type PollInput } from '../approvals/ledger/ledger';
import { autoPlan, MAX_AUTO_INTERVAL_MS } from '../quota/auto';
import { budgetOf, DEFAULT_SHARE_PERCENT, type Budget } from '../quota/budget';
import { Meter, meterKey, type MeterRecord } from '../quota/meter';
import { meteredTransport } from '../quota/metered';
import { quotaMonthOf } from '../quota/month';
import { outcomeOf } from '../approvals/outcome';
import { getProcessInstance } from '../dingtalk/workflow';
import { cacheKeys } from '../lib/cache-keys';
import { memoryStore } from '../lib/store';
import { DAY_MS as DAY, HOUR_MS as HOUR, MINUTE_MS as MINUTE } from '../lib/time';
import { SimulatedDingTalk, type SimApproval } from './simulated-dingtalk';

const MONTH = 30 * DAY;
/** 1 November 2026, 00:00 China time: the simulated month is a real quota month of 30 days. */
export const ORIGIN = Date.parse('2026-10-31T16:00:00Z');
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

/** 300 approvals (or `perMonth`) over the month plus a week of history; 80 % approved, 15 % rejected, 5 % revoked. */
export function workload(seed = 42, perMonth = APPROVALS_PER_MONTH): SimApproval[] {
  const next = random(seed);
  const count = Math.round(perMonth * (37 / 30));
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

/** One Zap in a simulated month: which template and trigger kind, and Zapier's dedupe memory for it. */
interface Zap {
  template: string;
  kind: KindName;
  offset: number;
  seen: Set<string>;
  seeded: boolean;
  startedAt: number;
  /** The stored ledger this Zap's last poll saw, so a poll that cannot deliver anything new is skipped (below). */
  lastLedger?: string;
}

/** Whether `approval` is an event for a Zap of `kind`, and when it happened. */
function eventTime(kind: KindName, approval: SimApproval): number | undefined {
  if (kind === 'submitted') return approval.createdAt;
  const outcome = outcomeOf(approval.outcome === 'revoke' ? 'TERMINATED' : 'COMPLETED', approval.outcome);
  return outcome === kind || (kind === 'finished' && outcome !== undefined) ? approval.finishedAt : undefined;
}

/** One template of a scenario: its approvals and the kinds of the Zaps watching it. */
export interface TemplateLoad {
  code: string;
  approvals: SimApproval[];
  zaps: KindName[];
}

export interface Scenario {
  templates: TemplateLoad[];
  /** Zapier's polling interval, in minutes. */
  intervalMinutes: number;
  /** Refresh Interval: 'auto' (the default) or a fixed number of minutes (0: every poll). */
  refresh: 'auto' | number;
  budget?: Budget;
}

/**
 * Parses each distinct stored string once. The simulation peeks at the stored ledger and meter before every Zap
 * poll; z.cache would hand back a fresh copy, and the peek never changes what it reads.
 */
function peeker(store: ReturnType<typeof memoryStore>) {
  const parsed = new Map<string, unknown>();
  return <T>(key: string): { text?: string; value?: T } => {
    const text = store.data.get(key);
    if (text === undefined) return {};
    let value = parsed.get(text);
    if (value === undefined) {
      if (parsed.size > 64) parsed.clear();
      value = JSON.parse(text);
      parsed.set(text, value);
    }
    return { text, value: value as T };
  };
}

/**
 * A month of Zapier polling every Zap of a scenario, on one connection: one in-memory z.cache, one meter and
 * one budget shared by every template's ledger, each template an in-process DingTalk. Each poll runs the
 * triggers' real poll (`pollLedger`, Auto included) through a metered transport; a delivered record is
 * hydrated as Zapier would (one detail fetch unless the poll that classified it cached it).
 *
 * Speed: a month at 1-minute polling is 43,200 polls per Zap. A poll that will not refresh (the ledger is fresher
 * than the interval Auto or the setting asks for, decided with the same `autoPlan` on the same stored meter)
 * spends nothing and returns the kind's selection from the stored ledger, so the simulation makes that selection
 * from the ledger parsed once (and skips it when the ledger has not changed since this Zap's last poll); every
 * poll that refreshes runs `pollLedger` in full.
 */
export async function simulate({ templates: relative, intervalMinutes, refresh, budget = budgetOf({}) }: Scenario) {
  // The month is November 2026 in China time (30 days), so Auto's month and the simulated one are the same.
  const shift = (a: SimApproval): SimApproval => ({ ...a, createdAt: a.createdAt + ORIGIN, finishedAt: a.finishedAt + ORIGIN });
  const templates = relative.map((template) => ({ ...template, approvals: template.approvals.map(shift) }));
  const store = memoryStore();
  const peek = peeker(store);
  const clock = { now: 0 };
  const meter = new Meter(store, budget, () => clock.now);
  const sims = new Map(
    templates.map((template) => {
      const dingtalk = new SimulatedDingTalk(template.code);
      dingtalk.add(...template.approvals);
      return [template.code, { dingtalk, trigger: meteredTransport(dingtalk.transport, meter, 'trigger'), hydration: meteredTransport(dingtalk.transport, meter, 'hydration') }];
    }),
  );
  const byId = new Map(templates.flatMap((template) => template.approvals.map((a) => [a.id, a] as const)));
  const interval = intervalMinutes * MINUTE;
  const allZaps = templates.flatMap((template) => template.zaps.map((kind) => ({ template: template.code, kind })));
  const zaps: Zap[] = allZaps.map((zap, i) => ({ ...zap, offset: Math.round((i * interval) / allZaps.length), seen: new Set(), seeded: false, startedAt: 0 }));
  const polls = zaps.flatMap((zap) => Array.from({ length: Math.floor((MONTH - zap.offset) / interval) + 1 }, (_, k) => ({ zap, at: ORIGIN + zap.offset + k * interval })));
  polls.sort((a, b) => a.at - b.at);

  const delays: number[] = [];
  let hydrations = 0;
  let duplicated = 0;
  let skipped = 0;
  for (const { zap, at } of polls) {
    clock.now = at;
    const sim = sims.get(zap.template)!;
    sim.dingtalk.now = at;
    const input: PollInput = { processCode: zap.template, userIds: [], lookBackMs: LOOK_BACK, freshnessMs: refresh === 'auto' ? 0 : refresh * MINUTE, auto: refresh === 'auto' };
    const key = cacheKeys.ledger(input);
    const ledger = peek<Ledger>(key);
    let selected: Selected[] | undefined;
    if (zap.seeded && ledger.value) {
      const freshness = refresh === 'auto' ? autoPlan(budget, peek<MeterRecord>(meterKey(quotaMonthOf(at).key)).value ?? (await meter.read()), at, key).intervalMs : input.freshnessMs;
      if (at - ledger.value.refreshedAt < freshness) {
        // No refresh: exactly what pollLedger returns on this path (the kind's selection from the stored ledger).
        skipped += 1;
        if (ledger.text === zap.lastLedger) continue;
        const entries = Object.entries(ledger.value.entries).map(([id, entry]) => ({ id, entry }));
        selected = KINDS[zap.kind].select(entries, { now: at, lookBackMs: LOOK_BACK, seedingDedupe: false, inputData: {} });
      }
    }
    selected ??= await pollLedger(sim.trigger, store, KINDS[zap.kind], input, { seedingDedupe: !zap.seeded, now: at, meter });
    zap.lastLedger = store.data.get(key);
    if (!zap.seeded) {
      selected.forEach(({ id }) => zap.seen.add(id));
      zap.seeded = true;
      zap.startedAt = at;
      continue;
    }
    for (const { id } of selected) {
      if (zap.seen.has(id)) continue;
      zap.seen.add(id);
      const approval = byId.get(id)!;
      const happened = eventTime(zap.kind, approval);
      // A record that is not this Zap's event (or not yet) would reach the user as a false or repeated event.
      if (happened === undefined || happened > at) duplicated += 1;
      if (!(await store.get(cacheKeys.detail(id)))) {
        await getProcessInstance(sim.hydration, id);
        hydrations += 1;
      }
      if (happened !== undefined) delays.push(at - happened);
    }
  }

  // Every event after a Zap was turned on must have been delivered exactly once (dedupe makes "once" hold), except
  // those too close to the month's end for the slowest refresh the setting allows (they arrive next month).
  const deliverableBy = ORIGIN + MONTH - (refresh === 'auto' ? MAX_AUTO_INTERVAL_MS : refresh * MINUTE) - interval - 2 * HOUR;
  const missed = zaps.reduce(
    (sum, zap) =>
      sum +
      templates
        .find((template) => template.code === zap.template)!
        .approvals.filter((a) => {
          const t = eventTime(zap.kind, a);
          return t !== undefined && t > zap.startedAt && t <= deliverableBy && a.createdAt > ORIGIN - LOOK_BACK && !zap.seen.has(a.id);
        }).length,
    0,
  );
  clock.now = ORIGIN + MONTH - 1;
  const counted = await meter.read();
  const metered = [...sims.values()].reduce((sum, { dingtalk }) => sum + dingtalk.metered, 0);
  const ledgers = templates.length;
  const callsPerRefresh = counted.refreshes ? counted.refreshCalls / counted.refreshes : 0;
  return {
    metered,
    counted: counted.calls,
    budget: budget.calls,
    polls: polls.length,
    skippedPolls: skipped,
    refreshes: counted.refreshes,
    callsPerRefresh,
    /** The mean time between two refreshes of one ledger. */
    meanRefreshMinutes: counted.refreshes ? (MONTH * ledgers) / counted.refreshes / MINUTE : 0,
    /** The freshest refresh the budget could pay for at this cost per refresh: month × ledgers ÷ (budget ÷ calls per refresh). */
    limitRefreshMinutes: callsPerRefresh ? (MONTH * ledgers) / (budget.calls / callsPerRefresh) / MINUTE : 0,
    hydrations,
    byOperation: counted.byOperation,
    byEndpoint: Object.fromEntries([...sims.values()].flatMap(({ dingtalk }) => [...dingtalk.calls])),
    delivered: delays.length,
    missed,
    duplicated,
    meanDelayMinutes: delays.reduce((s, d) => s + d, 0) / Math.max(1, delays.length) / MINUTE,
    maxDelayMinutes: Math.max(0, ...delays) / MINUTE,
  };
}

/** The reference workload with its three Zaps (New Approval, Approval Approved, Approval Rejected). */
export const ours = (intervalMinutes: number, refresh: 'auto' | number, approvals = workload()) =>
  simulate({ templates: [{ code: CODE, approvals, zaps: ZAPS }], intervalMinutes, refresh });

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

export type SimResult = Awaited<ReturnType<typeof simulate>>;

export interface CostRow extends Partial<SimResult> {
  /** The table this row belongs to (a section below). */
  section: string;
  strategy: string;
  interval: number;
  zaps?: number;
  metered: number;
  polls: number;
  missed: number;
}

/**
 * The sections of the model, each a list of rows and printed as its own table. A new trigger kind, action or
 * search adds its own section here (one function) without touching the others.
 */
export const sections: Record<string, { title: string; rows: () => Promise<CostRow[]> }> = {
  reference: {
    title: 'One template, 300 approvals a month, three Zaps (New Approval, Approval Approved, Approval Rejected): fixed Refresh Intervals and the naive scan',
    rows: async () => {
      const rows: CostRow[] = [];
      for (const interval of [15, 2, 1]) {
        for (const refresh of [0, 15]) rows.push({ section: 'reference', strategy: `ledger, refresh ${refresh === 0 ? 'every poll' : `${refresh} min`}`, interval, ...(await ours(interval, refresh)) });
        rows.push({ section: 'reference', strategy: 'naive window scan', interval, ...naive(interval), missed: 0 });
      }
      return rows;
    },
  },
  auto: {
    title: 'Refresh Interval "Auto" (the default), one template with 300 approvals a month, 1, 3 and 10 Zaps on it, default budget',
    rows: async () => {
      const rows: CostRow[] = [];
      for (const interval of [15, 2, 1]) {
        for (const count of [1, 3, 10]) {
          const zaps = Array.from({ length: count }, (_, i) => ALL_KINDS[i % ALL_KINDS.length]!);
          rows.push({ section: 'auto', strategy: 'Auto', interval, zaps: count, ...(await simulate({ templates: [{ code: CODE, approvals: workload(), zaps }], intervalMinutes: interval, refresh: 'auto' })) });
        }
      }
      return rows;
    },
  },
  tenTemplates: {
    title: 'Refresh Interval "Auto", 10 templates with 100 approvals a month each, 2 Zaps per template (New Approval, Approval Finished), default budget',
    rows: async () => {
      const templates = Array.from({ length: 10 }, (_, t) => ({
        code: `PROC-${t}`,
        approvals: workload(100 + t, 100).map((a) => ({ ...a, id: `t${t}-${a.id}` })),
        zaps: ['submitted', 'finished'] as KindName[],
      }));
      const rows: CostRow[] = [];
      for (const interval of [15, 2, 1]) rows.push({ section: 'tenTemplates', strategy: 'Auto, 10 templates', interval, zaps: 20, ...(await simulate({ templates, intervalMinutes: interval, refresh: 'auto' })) });
      return rows;
    },
  },
};

const ALL_KINDS: KindName[] = ['submitted', 'approved', 'rejected', 'revoked', 'finished'];

/** Every row of the model, section by section (all of them, or the ones named). */
export async function costModelRows(names = Object.keys(sections)): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for (const name of names) rows.push(...(await sections[name]!.rows()));
  return rows;
}

const format = (n: number) => Math.round(n).toLocaleString('en-US');
const minutes = (n: number | undefined) => (n === undefined ? '–' : n < 120 ? `${n.toFixed(0)} min` : `${(n / 60).toFixed(1)} h`);

/** The Markdown table of the reference section (fixed intervals and the naive scan). */
export function costTable(rows: CostRow[]): string[] {
  return [
    '| Polling | Strategy | Metered calls/poll | Metered calls/month | Share of free quota | Missed events | Mean / max delay (min) |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((row) => {
      const delay = row.meanDelayMinutes === undefined ? '–' : `${Math.round(row.meanDelayMinutes)} / ${Math.round(row.maxDelayMinutes!)}`;
      return `| ${row.interval} min | ${row.strategy} | ${(row.metered / row.polls).toFixed(2)} | ${format(row.metered)} | ${format((row.metered / FREE_QUOTA) * 100)} % | ${row.missed} | ${delay} |`;
    }),
  ];
}

/** The Markdown table of a governed section: spend against the budget, events, delay, and how close Auto comes to the limit. */
export function budgetTable(rows: CostRow[]): string[] {
  return [
    '| Polling | Zaps | Metered calls/month | Budget | Missed | Duplicated | Mean / max delay | Mean refresh | Calls/refresh | Limit (budget ÷ calls/refresh) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.interval} min | ${row.zaps} | ${format(row.metered)} (${format((row.metered / row.budget!) * 100)} %) | ${format(row.budget!)} | ${row.missed} | ${row.duplicated} | ` +
        `${minutes(row.meanDelayMinutes)} / ${minutes(row.maxDelayMinutes)} | ${minutes(row.meanRefreshMinutes)} | ${row.callsPerRefresh!.toFixed(2)} | every ${minutes(row.limitRefreshMinutes)} |`,
    ),
  ];
}

export function printSections(rows: CostRow[]): void {
  for (const [name, section] of Object.entries(sections)) {
    const own = rows.filter((row) => row.section === name);
    if (!own.length) continue;
    console.log(`\n${section.title}\n`);
    (name === 'reference' ? costTable(own) : budgetTable(own)).forEach((line) => console.log(line));
  }
}

/** `npm run cost-model -- auto tenTemplates` runs only those sections. */
async function main() {
  const names = process.argv.slice(2).filter((name) => name in sections);
  const started = performance.now();
  const rows = await costModelRows(names.length ? names : undefined);
  console.log(`DingTalk free edition quota: ${format(FREE_QUOTA)} metered calls/month for the whole org; default budget ${format(budgetOf({}).calls)} (${DEFAULT_SHARE_PERCENT} %).`);
  printSections(rows);
  // Imported here, not at the top: statistics-cost.ts imports this module's workload.
  const { weeklyReportCost, reportTable } = await import('./statistics-cost');
  const reports = names.length ? [] : await weeklyReportCost();
  if (reports.length) {
    console.log('\nFind Approval Statistics, run weekly (same workload):\n');
    reportTable(reports).forEach((line) => console.log(line));
  }
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s)`);
  const dir = join(__dirname, '..', '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = names.length ? `cost-model-${names.join('-')}.json` : 'cost-model.json';
  writeFileSync(join(dir, file), `${JSON.stringify({ generatedAt: new Date().toISOString(), rows, ...(reports.length ? { reports } : {}) }, null, 2)}\n`);
  console.log(`\nWrote bench/results/${file}`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
