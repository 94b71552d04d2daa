/**
 * The meter: metered DingTalk calls this connection made in the current quota month, kept in the store
 * (z.cache inside Zapier, under the connection's scope, so every Zap, action and search of one connection
 * shares it). dingtalk/call.ts counts each metered call before it is sent, whatever the operation.
 *
 * z.cache has no atomic increment, so two invocations adding at the same moment could lose one addition. The
 * meter errs on the side of counting more, never less:
 * - a call is counted before it is sent, failed and throttled calls included (DingTalk does not bill throttled
 *   calls, so this over-counts);
 * - every write carries a short log of the flushes it includes; a writer reads the meter back after writing and,
 *   when its flush is missing (another invocation wrote over it from an older read), adds its calls again;
 * - ⚠ one race remains undetectable: an invocation that read before our write and writes after our read-back.
 *   It needs two flushes within one z.cache round trip of each other; the governor therefore plans with
 *   PLANNING_RESERVE of the budget held back (quota/auto.ts), which also absorbs this.
 * - a lost meter (evicted, or a connection new this month) is rebuilt as if the month so far had been spent at
 *   the full budget's pace (budget × share of the month gone), never as zero.
 */
import type { Store } from '../lib/store';
import type { Budget } from './budget';
import { quotaMonthOf, type QuotaMonth } from './month';

/** What spent the calls, for the usage breakdown. */
export const OPERATIONS = ['trigger', 'hydration', 'action', 'search', 'dropdown', 'sample', 'connection', 'other'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface MeterRecord {
  v: 1;
  month: string;
  /** Metered calls counted this month, the estimate of a lost meter included. */
  calls: number;
  /** The part of `calls` that is a conservative estimate, not a count (0 when the meter was never lost). */
  estimated: number;
  byOperation: Partial<Record<Operation | 'estimated', number>>;
  /** Ledger refreshes that asked DingTalk, and the calls they and the work paid with them made (noteRefreshWork): the cost of one refresh, measured. */
  refreshes: number;
  refreshCalls: number;
  /** Ledger key → when it was last refreshed: how many ledgers share the budget. */
  ledgers: Record<string, number>;
  /** Ids of the last flushes this value includes (see the header). */
  flushes: string[];
  updatedAt: number;
}

export const meterKey = (month: string) => `dingtalk:meter:v1:${month}`;
/** Longer than a month, so the meter of the month before can still be shown after it ends. */
export const METER_TTL_S = 40 * 24 * 3600;
const FLUSH_LOG = 64;
const LEDGER_MEMORY_MS = 3 * 24 * 3600 * 1000;
const FLUSH_ATTEMPTS = 3;

interface Tally {
  calls: number;
  byOperation: Partial<Record<Operation, number>>;
  refreshes: number;
  refreshCalls: number;
  ledgers: Record<string, number>;
}
const emptyTally = (): Tally => ({ calls: 0, byOperation: {}, refreshes: 0, refreshCalls: 0, ledgers: {} });
const isEmpty = (tally: Tally) => tally.calls === 0 && tally.refreshes === 0 && Object.keys(tally.ledgers).length === 0;

/**
 * A lost meter's stand-in: the month so far spent at the full budget's pace, counted from the month's start or
 * from when the connection was first made, whichever is later (a connection made on the 28th has spent nothing
 * before it existed, and must not start the month at 93 % used).
 */
export function conservativeMeter(month: QuotaMonth, budget: Budget, now: number, connectedAt = 0): MeterRecord {
  const from = Math.max(month.startMs, Math.min(connectedAt, now));
  const gone = Math.min(1, Math.max(0, (now - from) / (month.endMs - month.startMs)));
  const estimated = Math.ceil(budget.calls * gone);
  return {
    v: 1,
    month: month.key,
    calls: estimated,
    estimated,
    byOperation: estimated ? { estimated } : {},
    refreshes: 0,
    refreshCalls: 0,
    ledgers: {},
    flushes: [],
    updatedAt: now,
  };
}

function add(record: MeterRecord, tally: Tally, flushId: string | undefined, now: number): MeterRecord {
  const byOperation = { ...record.byOperation };
  for (const [operation, calls] of Object.entries(tally.byOperation) as [Operation, number][]) byOperation[operation] = (byOperation[operation] ?? 0) + calls;
  // Ledgers nobody refreshed for a while are forgotten, so the record stays small.
  const ledgers = Object.fromEntries(Object.entries(record.ledgers).filter(([, at]) => now - at < LEDGER_MEMORY_MS));
  for (const [key, at] of Object.entries(tally.ledgers)) ledgers[key] = Math.max(ledgers[key] ?? 0, at);
  return {
    ...record,
    calls: record.calls + tally.calls,
    byOperation,
    refreshes: record.refreshes + tally.refreshes,
    refreshCalls: record.refreshCalls + tally.refreshCalls,
    ledgers,
    flushes: flushId ? [...record.flushes, flushId].slice(-FLUSH_LOG) : record.flushes,
    updatedAt: now,
  };
}

function mergeTallies(a: Tally, b: Tally): Tally {
  const byOperation = { ...a.byOperation };
  for (const [operation, calls] of Object.entries(b.byOperation) as [Operation, number][]) byOperation[operation] = (byOperation[operation] ?? 0) + calls;
  return { calls: a.calls + b.calls, byOperation, refreshes: a.refreshes + b.refreshes, refreshCalls: a.refreshCalls + b.refreshCalls, ledgers: { ...a.ledgers, ...b.ledgers } };
}

let flushCounter = 0;
const newFlushId = () => `${process.pid.toString(36)}-${Date.now().toString(36)}-${(flushCounter += 1).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export class Meter {
  private pending = emptyTally();
  private flushing: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  /** Metered calls this meter counted, flushed or not: what one refresh cost. */
  counted = 0;

  constructor(
    private readonly store: Store,
    readonly budget: Budget,
    private readonly clock: () => number = Date.now,
    private readonly log: (line: string) => void = () => undefined,
    /** When the connection was first made (ms; 0 when unknown, as for connections made before this was kept). */
    private readonly connectedAt = 0,
  ) {}

  /** One metered call, counted before it is sent. */
  count(operation: Operation): void {
    this.counted += 1;
    this.pending.calls += 1;
    this.pending.byOperation[operation] = (this.pending.byOperation[operation] ?? 0) + 1;
  }

  /** A ledger refresh that asked DingTalk, and the metered calls it made. */
  noteRefresh(ledgerKey: string, calls: number): void {
    this.pending.refreshes += 1;
    this.pending.refreshCalls += calls;
    this.pending.ledgers[ledgerKey] = this.clock();
  }

  /**
   * Metered work a ledger's refresh interval pays for besides the refresh itself (Approval Waiting Too Long's
   * detail checks, one round per interval): added to what a refresh costs, so Auto widens the interval to pay for it.
   */
  noteRefreshWork(ledgerKey: string, calls: number): void {
    this.pending.refreshCalls += calls;
    this.pending.ledgers[ledgerKey] = this.clock();
  }

  /** The month's record as stored, or its conservative stand-in; plus what this invocation has not written yet. */
  async read(): Promise<MeterRecord> {
    const now = this.clock();
    return add(await this.storedOrEstimate(quotaMonthOf(now), now), this.pending, undefined, now);
  }

  /**
   * Writes what was counted since the last flush. Flushes run one after another, so none overwrites another,
   * and calls that answer while one is waiting share the next. A failed write never fails the call it counts:
   * the calls stay pending for the next flush, and the logs say so.
   */
  flush(): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.flushing.then(async () => {
      this.queued = undefined;
      await this.write();
    });
    this.queued = run;
    this.flushing = run;
    return run;
  }

  /** The month's record as stored, or undefined when there is none (lost, or never written). */
  async stored(month: QuotaMonth): Promise<MeterRecord | undefined> {
    const record = await this.store.get<MeterRecord>(meterKey(month.key));
    return record?.v === 1 && record.month === month.key ? record : undefined;
  }

  private async storedOrEstimate(month: QuotaMonth, now: number): Promise<MeterRecord> {
    return (await this.stored(month)) ?? conservativeMeter(month, this.budget, now, this.connectedAt);
  }

  private async write(): Promise<void> {
    const tally = this.pending;
    if (isEmpty(tally)) return;
    this.pending = emptyTally();
    try {
      await this.writeTally(tally);
    } catch (error) {
      this.pending = mergeTallies(tally, this.pending);
      this.log(`DingTalk call meter: could not store the count (${(error as Error).message}); it is kept for the next write.`);
    }
  }

  private async writeTally(tally: Tally): Promise<void> {
    const now = this.clock();
    const month = quotaMonthOf(now);
    for (let attempt = 1; attempt <= FLUSH_ATTEMPTS; attempt += 1) {
      const flushId = newFlushId();
      await this.store.set(meterKey(month.key), add(await this.storedOrEstimate(month, now), tally, flushId, now), METER_TTL_S);
      const check = await this.store.get<MeterRecord>(meterKey(month.key));
      if (check?.flushes?.includes(flushId)) return;
      // Our write is not there: another invocation replaced it with a value computed before ours, or z.cache
      // refused it (it answers a rate limit with false, not an error). Our calls are not in it, so add them again.
      if (attempt < FLUSH_ATTEMPTS) this.log(`DingTalk call meter: the count did not land; adding ${tally.calls} calls again (attempt ${attempt + 1}).`);
    }
    // Never drop counted calls: write() keeps them for the next write, so the meter errs high, never low.
    throw new Error(`the count did not land after ${FLUSH_ATTEMPTS} attempts`);
  }
}
