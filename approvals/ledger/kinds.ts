/**
 * The approval trigger kinds, as data: each kind is one entry saying which input fields it adds, which ledger
 * entries it delivers, and how the Zap editor's sample is found. The engine (ledger.ts) and the Zapier
 * trigger factory (zapier/approval-trigger.ts) know no kind by name, so a new kind is one new entry here plus
 * its own logic, and one file in triggers/.
 *
 * Every kind derives its records from the ledger's state, never from what one poll happened to notice, and
 * Zapier's per-Zap dedupe (on `id`) does the rest.
 */
import type { InstanceStatus, ProcessInstanceDetail } from '../../dingtalk/workflow';
import { DAY_MS } from '../../lib/time';
import { OUTCOMES, outcomeOf, type Outcome } from '../outcome';
import { finishedAt, RETENTION_MS, submittedAt, type LedgerEntry } from './entry';

export const DEFAULT_LOOK_BACK_DAYS = 7;
/** New Approval's sample looks this far back: submissions are rarer than a week's worth in small teams. */
const SUBMITTED_SAMPLE_WINDOW_MS = 30 * DAY_MS;

export interface Selected {
  id: string;
  entry: LedgerEntry;
}

export interface SelectContext {
  now: number;
  /** How far back an approval may have been submitted (Look Back (Days)). */
  lookBackMs: number;
  /** Seeding a new Zap's dedupe list: every id this trigger could ever have delivered. */
  seedingDedupe: boolean;
  /** The step's inputs, for a kind that reads fields of its own (read them with lib/inputs.ts). */
  inputData: Readonly<Record<string, unknown>>;
}

/** An input field a kind adds, as plain data (Zapier's PlainInputField shape, without importing Zapier). */
export interface KindInputField {
  key: string;
  label: string;
  type?: 'string' | 'integer' | 'number' | 'boolean';
  required?: boolean;
  default?: string;
  helpText?: string;
}

export interface TriggerKind {
  /** Fields this kind adds after Template and Originators (every kind also gets Refresh Interval). */
  inputFields: readonly KindInputField[];
  /** Problems with this kind's own fields, reported with the common ones before anything is sent. */
  check?(inputData: Readonly<Record<string, unknown>>): string[];
  /** The entries the trigger delivers, newest first. */
  select(entries: readonly Selected[], context: SelectContext): Selected[];
  /** The Zap editor's sample: one page of ids with these statuses (every status when omitted), then details. */
  sample: {
    statuses?: InstanceStatus[];
    windowMs(lookBackMs: number): number;
    matches(detail: ProcessInstanceDetail): boolean;
    /** The time samples are ordered by, newest first. */
    time(detail: ProcessInstanceDetail): string | null | undefined;
  };
}

export const lookBackField = {
  key: 'lookBackDays',
  label: 'Look Back (Days)',
  type: 'integer',
  required: false,
  default: String(DEFAULT_LOOK_BACK_DAYS),
  helpText:
    'How long after submission an approval is still watched: one approved 10 days after it was submitted needs at least 10. ' +
    'From 1 to 120 (DingTalk\'s limit). A longer look-back costs no extra DingTalk calls on normal polls; when Zapier has lost ' +
    'the trigger\'s memory it costs about one metered call per 20 approvals submitted in that period, plus one per finished approval.',
} as const satisfies KindInputField;

const newestFirst = (time: (entry: LedgerEntry) => number) => (a: Selected, b: Selected) => time(b.entry) - time(a.entry);

/** Every submission, running or finished, newest first by submission. */
const submitted: TriggerKind = {
  inputFields: [],
  select: (entries, { now, seedingDedupe }) =>
    entries
      .filter(({ entry }) => seedingDedupe || (entry.status !== 'SETTLED' && submittedAt(entry) >= now - RETENTION_MS))
      .sort(newestFirst(submittedAt)),
  sample: {
    windowMs: () => SUBMITTED_SAMPLE_WINDOW_MS,
    matches: () => true,
    time: (detail) => detail.createTime,
  },
};

/** Approvals that finished with one of `outcomes`, newest first by finish. */
function finishedAs(outcomes: readonly Outcome[], statuses: InstanceStatus[]): TriggerKind {
  const wanted = (outcome: Outcome | undefined) => outcome !== undefined && outcomes.includes(outcome);
  return {
    inputFields: [lookBackField],
    select: (entries, { now, lookBackMs, seedingDedupe }) => {
      // Seeding: only certainly-final approvals. A PENDING one may still be running, and seeding it would hide its outcome.
      if (seedingDedupe) return entries.filter(({ entry }) => entry.status === 'SETTLED' || entry.status === 'COMPLETED' || entry.status === 'TERMINATED');
      return entries
        .filter(({ entry }) => wanted(outcomeOf(entry.status, entry.result)) && submittedAt(entry) >= now - lookBackMs && finishedAt(entry) >= now - RETENTION_MS)
        .sort(newestFirst(finishedAt));
    },
    sample: {
      statuses,
      windowMs: (lookBackMs) => lookBackMs,
      matches: (detail) => wanted(outcomeOf(detail.status, detail.result)),
      time: (detail) => detail.finishTime,
    },
  };
}

export const KINDS = {
  submitted,
  approved: finishedAs(['approved'], ['COMPLETED']),
  rejected: finishedAs(['rejected'], ['COMPLETED']),
  revoked: finishedAs(['revoked'], ['TERMINATED']),
  finished: finishedAs(OUTCOMES, ['COMPLETED', 'TERMINATED']),
} as const satisfies Record<string, TriggerKind>;

export type KindName = keyof typeof KINDS;

/**
 * The instant trigger's events: the relay's event kinds (README "The subscription API"), each the push twin of a
 * polling trigger, which a Zap can switch to without re-mapping fields (same record, same `id`). `waiting` is the
 * twin of Approval Waiting Too Long (approvals/waiting/): its hours go to the relay as `waiting_hours` and its
 * record is built in approvals/instant/waiting.ts.
 */
export interface InstantEvent {
  /** The relay's kind, sent in `kinds` when subscribing and in the events read. */
  relayKind: 'submitted' | 'approved' | 'rejected' | 'revoked' | 'finished' | 'waiting';
  /** The choice's label in the editor. */
  label: string;
  /** The polling trigger with the same record, named when no relay is set up. */
  pollingTrigger: string;
  /** The relay records this event delivers (`finished` stands for the three outcomes). */
  delivers: readonly ('submitted' | 'waiting' | Outcome)[];
}

export const INSTANT_EVENTS = [
  { relayKind: 'submitted', label: 'Approval Submitted', pollingTrigger: 'New Approval', delivers: ['submitted'] },
  { relayKind: 'approved', label: 'Approval Approved', pollingTrigger: 'Approval Approved', delivers: ['approved'] },
  { relayKind: 'rejected', label: 'Approval Rejected', pollingTrigger: 'Approval Rejected', delivers: ['rejected'] },
  { relayKind: 'revoked', label: 'Approval Revoked', pollingTrigger: 'Approval Revoked', delivers: ['revoked'] },
  { relayKind: 'finished', label: 'Approval Finished (Approved, Rejected or Revoked)', pollingTrigger: 'Approval Finished', delivers: OUTCOMES },
  { relayKind: 'waiting', label: 'Approval Waiting Too Long', pollingTrigger: 'Approval Waiting Too Long', delivers: ['waiting'] },
] as const satisfies readonly InstantEvent[];
