/**
 * What a hook receives: a thin event record, documented in the README ("The event record"). It carries ids,
 * kind, times, template, originator, approver and task, never form values: the Zapier app hydrates the full
 * approval record from `approval_id` (one metered call, cached), and other receivers can do the same.
 *
 * `id` follows the polling triggers' scheme so a Zap can move from polling to instant without re-mapping:
 * the approval id for submitted/approved/rejected/revoked/finished (approvals/ledger/kinds.ts), and
 * `{approval}:task-{taskId}:after-{hours}h` for waiting, as the waiting trigger's deliveryId
 * (`deliveryId` in approvals/waiting/thresholds.ts).
 */
import type { StoredEvent } from '../store';
import { kindOf } from '../store/subscriptions';

const HOUR_MS = 3_600_000;

export interface EventRecord {
  id: string;
  kind: 'submitted' | 'approved' | 'rejected' | 'revoked' | 'waiting';
  approval_id: string;
  template_code: string | null;
  /** DingTalk's result on instance events: agree or refuse; null when revoked or submitted. */
  result: string | null;
  originator_user_id: string | null;
  /** Waiting only: who the task waits on. */
  approver_user_id: string | null;
  task_id: string | null;
  /** Waiting only: the threshold crossed. */
  waiting_hours: number | null;
  /** Waiting only: when the task started, by DingTalk's clock (its start event's createTime). */
  waiting_since: string | null;
  /** When it happened by DingTalk's clock (a waiting record: when the threshold was crossed). */
  occurred_at: string | null;
  /** When the relay stored the event. */
  received_at: string;
  /** DingTalk's eventId (a waiting record: the relay's timer id). */
  event_id: string;
  /** The DingTalk app (Client ID) the event belongs to. */
  client_id: string;
  /** True when an earlier POST of this record may have reached you (the relay died mid-POST, or you timed out). */
  redelivery: boolean;
}

/** Hours as the waiting trigger shows them: 2, 1.5, 0.25. */
const hoursLabel = (ms: number) => Math.round((ms / HOUR_MS) * 1000) / 1000;
const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(Number(ms)).toISOString());

interface WaitingRaw {
  afterMs?: number;
  taskStartedAt?: number | null;
  approverUserId?: string | null;
}

/** The record of a stored event, or undefined for events no kind delivers (task events, deletes). */
export function eventRecord(event: StoredEvent, redelivery = false): EventRecord | undefined {
  const kind = kindOf(event);
  if (!kind) return undefined;
  const common = {
    kind,
    approval_id: event.processInstanceId,
    template_code: event.processCode ?? null,
    originator_user_id: event.staffId ?? null,
    occurred_at: iso(event.occurredAt ?? event.bornAt ?? event.receivedAt),
    received_at: iso(event.receivedAt)!,
    event_id: event.eventId,
    client_id: event.tenantId,
    redelivery,
  };
  if (kind === 'waiting') {
    const raw = JSON.parse(event.raw) as WaitingRaw;
    const hours = hoursLabel(Number(raw.afterMs ?? 0));
    return {
      id: `${event.processInstanceId}:task-${event.taskId}:after-${hours}h`,
      ...common,
      result: null,
      approver_user_id: raw.approverUserId ?? null,
      task_id: event.taskId ?? null,
      waiting_hours: hours,
      waiting_since: iso(raw.taskStartedAt),
    };
  }
  return { id: event.processInstanceId, ...common, result: event.result ?? null, approver_user_id: null, task_id: null, waiting_hours: null, waiting_since: null };
}
