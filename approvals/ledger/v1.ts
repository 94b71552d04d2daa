/**
 * Reading the ledger's first stored format (app versions before 2026-11-29), whose entries used one-letter
 * fields: `s` status, `r` result, `c` created, `f` finished, `seen`, `u` undated. A deploy must not throw customers' ledgers
 * away: a rebuild costs their quota (one detail fetch per finished approval in the look-back period). The new
 * format lives under a new key (lib/cache-keys.ts), so an older app version still running beside this one keeps
 * its own ledger and never reads an entry shape it does not know.
 */
import type { EntryStatus, Ledger, LedgerEntry } from './entry';

interface V1Entry {
  s: EntryStatus;
  r?: string;
  c?: number;
  f?: number;
  seen: number;
  /** Undated (see LedgerEntry.undated). */
  u?: 1;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const STATUSES = new Set<string>(['RUNNING', 'PENDING', 'SETTLED', 'COMPLETED', 'TERMINATED']);

/** One version-1 entry in today's field names; undefined when it is not one. */
export function entryFromV1(value: unknown): LedgerEntry | undefined {
  if (!isRecord(value) || typeof value.s !== 'string' || !STATUSES.has(value.s) || typeof value.seen !== 'number') return undefined;
  const old = value as unknown as V1Entry;
  return {
    status: old.s,
    ...(old.r === undefined ? {} : { result: old.r }),
    ...(old.c === undefined ? {} : { createdAt: old.c }),
    ...(old.f === undefined ? {} : { finishedAt: old.f }),
    seenAt: old.seen,
    ...(old.u === 1 ? { undated: true as const } : {}),
  };
}

/** A version-1 ledger in today's format; undefined when `value` is not one. Unreadable entries are left out. */
export function ledgerFromV1(value: unknown): Ledger | undefined {
  if (!isRecord(value) || value.v !== 1 || !isRecord(value.entries)) return undefined;
  const entries: Ledger['entries'] = {};
  for (const [id, old] of Object.entries(value.entries)) {
    const entry = entryFromV1(old);
    if (entry) entries[id] = entry;
  }
  return { v: 2, refreshedAt: Number(value.refreshedAt) || 0, sweptAt: Number(value.sweptAt) || 0, entries };
}
