/**
 * What the ledger stores per approval (cacheKeys.ledger, version 2; version 1 used one-letter fields and v1.ts
 * reads it), and the pure rules for combining and ageing entries.
 */
import type { ProcessInstanceDetail } from '../../dingtalk/workflow';
import { DAY_MS, msFromApiTime } from '../../lib/time';
import { isFinal } from '../outcome';

/** Finished approvals are kept (and re-offered to Zaps) this long: one monthly quota cycle and then some. */
export const RETENTION_MS = 31 * DAY_MS;

/**
 * RUNNING: in the running set. PENDING: finished or left the running set, not yet classified.
 * SETTLED: finished before any Zap watched it (found while seeding dedupe), never classified or offered.
 * COMPLETED / TERMINATED: classified by a detail fetch.
 */
export type EntryStatus = 'RUNNING' | 'PENDING' | 'SETTLED' | 'COMPLETED' | 'TERMINATED';

export interface LedgerEntry {
  status: EntryStatus;
  /** agree | refuse, for COMPLETED. */
  result?: string;
  /** Submitted and finished times (ms), exact once a detail was fetched. */
  createdAt?: number;
  finishedAt?: number;
  /** When this connection first saw the id (ms): the submission time until the detail is known. */
  seenAt: number;
  /**
   * Found running by a rebuild, so `seenAt` is the rebuild's time, not the submission's. Classification fetches
   * its detail (within the budget) so New Approval can put it in its place, newest first.
   */
  undated?: true;
  /**
   * Found running by a refresh that was not a rebuild, so submitted after the refresh before it (ms): the earliest
   * its first task can have started, which Approval Waiting Too Long plans its first check from.
   */
  notBefore?: number;
}

/** Stored under cacheKeys.ledger; version 1 (one-letter entry fields) is read by v1.ts. */
export interface Ledger {
  v: 2;
  refreshedAt: number;
  /** The end of the last sweep's window. */
  sweptAt: number;
  /**
   * Since when this ledger has known every approval of its scope that was submitted or finished (ms): when it was
   * built, or when a ledger stored before this field was first refreshed. Find Approval Statistics reads the ledger
   * only for periods after it (approvals/stats/statistics.ts).
   */
  coveredFrom?: number;
  entries: Record<string, LedgerEntry>;
}

/** When the approval was submitted, as well as this ledger knows. */
export const submittedAt = (entry: LedgerEntry) => entry.createdAt ?? entry.seenAt;
/** When the approval finished, as well as this ledger knows (when it was first seen, until its detail is fetched). */
export const finishedAt = (entry: LedgerEntry) => entry.finishedAt ?? entry.seenAt;

const RANK: Record<EntryStatus, number> = { RUNNING: 0, PENDING: 1, SETTLED: 2, COMPLETED: 3, TERMINATED: 3 };

/** The ledger entry a detail implies (RUNNING when DingTalk says the instance still runs). */
export function entryFromDetail(detail: ProcessInstanceDetail, seenAt: number): LedgerEntry {
  const status = isFinal(detail.status) ? detail.status : 'RUNNING';
  const entry: LedgerEntry = { status, seenAt };
  if (detail.result) entry.result = detail.result;
  const created = msFromApiTime(detail.createTime);
  const finished = msFromApiTime(detail.finishTime);
  if (created !== undefined) entry.createdAt = created;
  if (finished !== undefined && status !== 'RUNNING') entry.finishedAt = finished;
  return entry;
}

/** Keeps the more final of two views of the same approval (a concurrent poll may know more). */
export function mergeEntries(ours: Ledger['entries'], theirs: Ledger['entries']): Ledger['entries'] {
  const merged = { ...theirs };
  for (const [id, entry] of Object.entries(ours)) {
    const other = merged[id];
    if (!other || RANK[entry.status] >= RANK[other.status]) merged[id] = { ...entry, seenAt: Math.min(entry.seenAt, other?.seenAt ?? entry.seenAt) };
  }
  return merged;
}

/** Drops finished approvals older than RETENTION_MS; running and unclassified ones are always kept. */
export function prune(entries: Ledger['entries'], now: number): Ledger['entries'] {
  return Object.fromEntries(
    Object.entries(entries).filter(([, entry]) => {
      if (entry.status === 'RUNNING' || entry.status === 'PENDING') return true;
      return finishedAt(entry) >= now - RETENTION_MS;
    }),
  );
}
