/**
 * Which ledger entries each trigger delivers. Every trigger derives its records from the ledger's state, never
 * from what one poll happened to notice, and Zapier's per-Zap dedupe (on `id`) does the rest.
 */
import { RETENTION_MS, type Ledger, type LedgerEntry } from './ledger';

export type TriggerKind = 'submitted' | 'approved' | 'rejected' | 'revoked' | 'finished';
export type Outcome = 'approved' | 'rejected' | 'revoked';

export interface Selected {
  id: string;
  entry: LedgerEntry;
}

/** approved = COMPLETED + agree; rejected = COMPLETED + refuse; revoked = TERMINATED. */
export function outcomeOf(entry: { s: string; r?: string | null }): Outcome | undefined {
  if (entry.s === 'TERMINATED') return 'revoked';
  if (entry.s !== 'COMPLETED') return undefined;
  if (entry.r === 'agree') return 'approved';
  if (entry.r === 'refuse') return 'rejected';
  return undefined;
}

const submittedAt = (entry: LedgerEntry) => entry.c ?? entry.seen;

export interface SelectOptions {
  now: number;
  /** Outcome triggers: how far back an approval may have been submitted. */
  lookBackMs: number;
  /** Seeding a new Zap's dedupe list: every id this trigger could ever have delivered. */
  seedingDedupe: boolean;
}

/** The entries a trigger of `kind` delivers, newest first (by submission, or by finish for outcomes). */
export function select(ledger: Ledger, kind: TriggerKind, { now, lookBackMs, seedingDedupe }: SelectOptions): Selected[] {
  const all = Object.entries(ledger.entries).map(([id, entry]) => ({ id, entry }));
  if (kind === 'submitted') {
    return all
      .filter(({ entry }) => seedingDedupe || (entry.s !== 'SETTLED' && submittedAt(entry) >= now - RETENTION_MS))
      .sort((a, b) => submittedAt(b.entry) - submittedAt(a.entry));
  }
  if (seedingDedupe) {
    // Only certainly-final approvals: a PENDING one may still be running, and seeding it would hide its outcome.
    return all.filter(({ entry }) => entry.s === 'SETTLED' || entry.s === 'COMPLETED' || entry.s === 'TERMINATED');
  }
  return all
    .filter(({ entry }) => {
      const outcome = outcomeOf(entry);
      if (!outcome || (kind !== 'finished' && outcome !== kind)) return false;
      return submittedAt(entry) >= now - lookBackMs && (entry.f ?? entry.seen) >= now - RETENTION_MS;
    })
    .sort((a, b) => (b.entry.f ?? b.entry.seen) - (a.entry.f ?? a.entry.seen));
}
