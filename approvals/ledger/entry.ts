/**
 * What the ledger stores per approval (cacheKeys.ledger, version 2). Version 1 used one-letter fields; v1.ts reads it.
 */
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
}

/** Stored under cacheKeys.ledger; version 1 (one-letter entry fields) is read by v1.ts. */
export interface Ledger {
  v: 2;
  refreshedAt: number;
  /** The end of the last sweep's window. */
  sweptAt: number;
  entries: Record<string, LedgerEntry>;
}

/** When the approval was submitted, as well as this ledger knows. */
export const submittedAt = (entry: LedgerEntry) => entry.createdAt ?? entry.seenAt;
/** When the approval finished, as well as this ledger knows (when it was first seen, until its detail is fetched). */
export const finishedAt = (entry: LedgerEntry) => entry.finishedAt ?? entry.seenAt;
