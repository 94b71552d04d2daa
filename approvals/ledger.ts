/**
 * The approval ledger: what one DingTalk connection knows about one template's approvals, shared by every Zap
 * on that template. Triggers derive their records from it, so one set of list calls serves them all.
 *
 * A refresh ("watch the running set, not the window"):
 * 1. lists the template's RUNNING instances (usually one page of 20);
 * 2. at most once an hour, and on a rebuild, lists COMPLETED and TERMINATED instances created since the last
 *    sweep, so an approval that starts and finishes between two polls is still seen (a little later);
 * 3. an id never seen before is a submission; an id that left the running set has finished, and one detail
 *    fetch classifies it, once, with the outcome kept under its own cache key as well.
 *
 * A missing ledger is rebuilt with a window scan: it costs calls, never an event. The scan itself is one poll;
 * classifying the finished approvals it finds takes one detail fetch each, CLASSIFY_BUDGET per poll, unless their
 * outcomes are still cached under their own keys (bench: 2,000 approvals in a 7-day window left 1,684 to classify).
 */
import { findProcessInstance, listAllProcessInstanceIds, type ProcessInstanceDetail } from '../dingtalk/workflow';
import type { Transport } from '../dingtalk/transport';
import { mapLimited } from './limiter';
import type { Store } from './store';
import { msFromApiTime } from './time';
import { rememberTitle } from './titles';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

/** DingTalk's widest ListProcessInstanceIds window (obtain-an-approval-list-of-instance-ids), less a margin. */
export const MAX_WINDOW_MS = 120 * DAY - MINUTE;
/** How often finished-between-polls approvals are swept for. */
export const SWEEP_INTERVAL_MS = 60 * MINUTE;
/** Sweeps overlap by this much, so clock skew between Zapier and DingTalk cannot open a gap. */
export const SWEEP_OVERLAP_MS = 5 * MINUTE;
/** Finished approvals are kept (and re-offered to Zaps) this long: one monthly quota cycle and then some. */
export const RETENTION_MS = 31 * DAY;
/** Detail fetches one poll may spend on classification; the rest wait for the next poll. */
export const CLASSIFY_BUDGET = 25;
/** Cache lifetimes, in seconds. */
const LEDGER_TTL_S = 35 * 24 * 3600;
const OUTCOME_TTL_S = 130 * 24 * 3600;
const DETAIL_TTL_S = 24 * 3600;

/**
 * RUNNING: in the running set. PENDING: finished or left the running set, not yet classified.
 * SETTLED: finished before any Zap watched it (found while seeding dedupe), never classified or offered.
 * COMPLETED / TERMINATED: classified by a detail fetch.
 */
export type EntryStatus = 'RUNNING' | 'PENDING' | 'SETTLED' | 'COMPLETED' | 'TERMINATED';

export interface LedgerEntry {
  s: EntryStatus;
  /** agree | refuse, for COMPLETED. */
  r?: string;
  /** Created and finished times (ms), exact once a detail was fetched. */
  c?: number;
  f?: number;
  /** When this connection first saw the id (ms): the submission time until the detail is known. */
  seen: number;
  /**
   * Undated: found by a rebuild, so `seen` is the rebuild's time, not the submission's. Classification fetches
   * its detail (within the budget) so New Approval can put it in its place, newest first.
   */
  u?: 1;
}

export interface Ledger {
  v: 1;
  refreshedAt: number;
  /** The end of the last sweep's window. */
  sweptAt: number;
  entries: Record<string, LedgerEntry>;
}

export interface LedgerScope {
  processCode: string;
  /** Originator filter; a Zap with a filter gets its own ledger, listed with DingTalk's `userIds`. */
  userIds?: string[];
}

export interface RefreshOptions extends LedgerScope {
  /** How far back a submission is watched when the ledger is rebuilt. */
  lookBackMs: number;
  /** Reuse a ledger refreshed less than this long ago. 0 refreshes on every poll. */
  freshnessMs: number;
  /** The poll seeds a new Zap's dedupe list: finished approvals found now are settled, not classified. */
  seedingDedupe: boolean;
  now?: number;
}

export interface RefreshResult {
  ledger: Ledger;
  rebuilt: boolean;
  refreshed: boolean;
}

const RANK: Record<EntryStatus, number> = { RUNNING: 0, PENDING: 1, SETTLED: 2, COMPLETED: 3, TERMINATED: 3 };

export const ledgerKey = ({ processCode, userIds }: LedgerScope) =>
  `dingtalk:ledger:v1:${processCode}${userIds?.length ? `:${[...userIds].sort().join(',')}` : ''}`;
const outcomeKey = (id: string) => `dingtalk:outcome:v1:${id}`;
export const detailKey = (id: string) => `dingtalk:detail:v1:${id}`;

const isFinal = (status: string): status is 'COMPLETED' | 'TERMINATED' => status === 'COMPLETED' || status === 'TERMINATED';

/** The ledger entry a detail implies (RUNNING when DingTalk says the instance still runs). */
function entryFromDetail(detail: ProcessInstanceDetail, seen: number): LedgerEntry {
  const status = isFinal(detail.status) ? detail.status : 'RUNNING';
  const entry: LedgerEntry = { s: status, seen };
  if (detail.result) entry.r = detail.result;
  const created = msFromApiTime(detail.createTime);
  const finished = msFromApiTime(detail.finishTime);
  if (created !== undefined) entry.c = created;
  if (finished !== undefined && status !== 'RUNNING') entry.f = finished;
  return entry;
}

/** Keeps the more final of two views of the same approval (a concurrent poll may know more). */
function mergeEntries(ours: Ledger['entries'], theirs: Ledger['entries']): Ledger['entries'] {
  const merged = { ...theirs };
  for (const [id, entry] of Object.entries(ours)) {
    const other = merged[id];
    if (!other || RANK[entry.s] >= RANK[other.s]) merged[id] = { ...entry, seen: Math.min(entry.seen, other?.seen ?? entry.seen) };
  }
  return merged;
}

function prune(entries: Ledger['entries'], now: number): Ledger['entries'] {
  return Object.fromEntries(
    Object.entries(entries).filter(([, entry]) => {
      if (entry.s === 'RUNNING' || entry.s === 'PENDING') return true;
      return (entry.f ?? entry.seen) >= now - RETENTION_MS;
    }),
  );
}

export class ApprovalLedger {
  constructor(
    private readonly transport: Transport,
    private readonly store: Store,
  ) {}

  async read(scope: LedgerScope): Promise<Ledger | null> {
    return (await this.store.get<Ledger>(ledgerKey(scope))) ?? null;
  }

  /**
   * Brings the ledger up to date (or reuses a fresh one) and stores it. `current` is the ledger the caller
   * already read (each z.cache read is a round trip to Zapier); omitted, it is read here.
   */
  async refresh(options: RefreshOptions, current?: Ledger | null): Promise<RefreshResult> {
    const now = options.now ?? Date.now();
    const read = current === undefined ? await this.read(options) : current;
    const stored = read?.v === 1 ? read : undefined;
    if (stored && now - stored.refreshedAt < options.freshnessMs) return { ledger: stored, rebuilt: false, refreshed: false };

    const rebuilt = !stored;
    const ledger: Ledger = stored ?? { v: 1, refreshedAt: 0, sweptAt: now - Math.min(options.lookBackMs, MAX_WINDOW_MS), entries: {} };
    const base = { processCode: options.processCode, ...(options.userIds?.length ? { userIds: options.userIds } : {}) };
    const windowStart = now - MAX_WINDOW_MS;

    let learned = false;
    const dropped = new Set<string>();
    try {
      const running = await listAllProcessInstanceIds(this.transport, { ...base, startTime: windowStart, endTime: now, statuses: ['RUNNING'] });
      const runningIds = new Set(running.items);
      // A rebuild cannot tell when the running approvals it finds were submitted. Seeding dedupe only needs ids;
      // a poll delivers them, so they are dated (one detail each) to keep New Approval newest first.
      const undated = rebuilt && !options.seedingDedupe ? ({ u: 1 } as const) : {};
      for (const id of runningIds) {
        const entry = ledger.entries[id];
        if (!entry) ledger.entries[id] = { s: 'RUNNING', seen: now, ...undated };
        else if (entry.s === 'PENDING') entry.s = 'RUNNING';
      }
      // Only a complete listing proves an id has left the running set.
      if (running.complete) {
        for (const [id, entry] of Object.entries(ledger.entries)) if (entry.s === 'RUNNING' && !runningIds.has(id)) entry.s = 'PENDING';
      }

      if (rebuilt || now - ledger.sweptAt >= SWEEP_INTERVAL_MS) {
        const startTime = Math.max(ledger.sweptAt - SWEEP_OVERLAP_MS, windowStart);
        const finished = await listAllProcessInstanceIds(this.transport, { ...base, startTime, endTime: now, statuses: ['COMPLETED', 'TERMINATED'] });
        for (const id of finished.items) {
          if (!ledger.entries[id]) ledger.entries[id] = { s: rebuilt && options.seedingDedupe ? 'SETTLED' : 'PENDING', seen: now };
        }
        ledger.sweptAt = now;
      }
      ledger.refreshedAt = now;
      learned = true;
      await this.classify(ledger, windowStart, dropped);
    } finally {
      // What a refresh learned before an error (throttling, quota) is kept for the next poll; a rebuild that
      // failed halfway stores nothing, so the next poll rebuilds (and seeds dedupe) from scratch.
      if (learned || !rebuilt) await this.save(options, ledger, now, dropped);
    }
    return { ledger, rebuilt, refreshed: true };
  }

  /**
   * One detail fetch per approval that left the running set (or was swept), within this poll's budget. Running
   * approvals a rebuild found are dated from the same budget: at most half of it goes first (New Approval's order
   * waits on them), so outcomes are never starved; what either side leaves unused goes to the other.
   */
  private async classify(ledger: Ledger, windowStart: number, dropped: Set<string>): Promise<void> {
    const entries = Object.entries(ledger.entries);
    const undated = entries.filter(([, entry]) => entry.s === 'RUNNING' && entry.u && entry.c === undefined);
    const pending = entries.filter(([, entry]) => entry.s === 'PENDING').sort(([, a], [, b]) => b.seen - a.seen);
    const first = undated.slice(0, Math.ceil(CLASSIFY_BUDGET / 2));
    const work = [...first, ...pending, ...undated.slice(first.length)].slice(0, CLASSIFY_BUDGET);
    await mapLimited(work, async ([id, entry]) => {
      const known = await this.store.get<LedgerEntry>(outcomeKey(id));
      if (known && isFinal(known.s)) {
        ledger.entries[id] = { ...known, seen: entry.seen };
        return;
      }
      const detail = await findProcessInstance(this.transport, id);
      if (!detail) {
        // Deleted in DingTalk: nothing to deliver, and fetching it on every poll would fail every poll.
        delete ledger.entries[id];
        dropped.add(id);
        return;
      }
      const classified = entryFromDetail(detail, entry.seen);
      if (classified.s === 'RUNNING' && classified.c !== undefined && classified.c < windowStart) {
        // Older than DingTalk's 120-day listing window: no longer watchable, so no longer watched.
        delete ledger.entries[id];
        dropped.add(id);
        return;
      }
      ledger.entries[id] = classified;
      await rememberTitle(this.store, id, detail);
      if (isFinal(classified.s)) {
        await this.store.set(outcomeKey(id), classified, OUTCOME_TTL_S);
        await this.store.set(detailKey(id), detail, DETAIL_TTL_S);
      }
    });
  }

  /** Merge-before-write: a concurrent poll's classifications survive ours; what we dropped stays dropped. */
  private async save(scope: LedgerScope, ledger: Ledger, now: number, dropped: ReadonlySet<string>): Promise<void> {
    const latest = await this.read(scope);
    const merged: Ledger = latest
      ? {
          v: 1,
          refreshedAt: Math.max(latest.refreshedAt, ledger.refreshedAt),
          sweptAt: Math.max(latest.sweptAt, ledger.sweptAt),
          entries: mergeEntries(ledger.entries, latest.entries),
        }
      : ledger;
    for (const id of dropped) delete merged.entries[id];
    merged.entries = prune(merged.entries, now);
    await this.store.set(ledgerKey(scope), merged, LEDGER_TTL_S);
    Object.assign(ledger, merged);
  }
}
