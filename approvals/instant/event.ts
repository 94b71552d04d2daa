/**
 * What the relay POSTs to an instant trigger (its "event record", README "The event record", relay/delivery/record.ts)
 * and what the trigger makes of it: the same stub the polling triggers deliver (zapier/approval-trigger.ts
 * stubRecord), with the same `id` (the approval's id), so the full record comes from the same hydrator and a Zap
 * can switch between polling and instant without re-mapping a field. Zapier-free.
 */
import { z } from 'zod';
import { isoFromMs } from '../../lib/time';
import type { InstantEvent } from '../ledger/kinds';
import { outcomeOf } from '../outcome';

/** The fields the trigger relies on; the relay sends more (event_id, client_id, redelivery…), which are ignored. */
export const RelayEventRecord = z.object({
  id: z.string().min(1),
  kind: z.enum(['submitted', 'approved', 'rejected', 'revoked', 'waiting']),
  approval_id: z.string().min(1),
  template_code: z.string().nullable(),
  result: z.string().nullable(),
  occurred_at: z.string().nullable(),
  received_at: z.string(),
  // The waiting record's own fields (null on the other kinds; older relays leave waiting_since out).
  task_id: z.string().nullish(),
  approver_user_id: z.string().nullish(),
  waiting_hours: z.number().positive().nullish(),
  waiting_since: z.string().nullish(),
});
export type RelayEventRecord = z.infer<typeof RelayEventRecord>;

/** The relay's `kind` as DingTalk's instance status (dingtalk-events.md §5: start, finish, terminate). */
const STATUS = { submitted: 'RUNNING', approved: 'COMPLETED', rejected: 'COMPLETED', revoked: 'TERMINATED' } as const;

export interface ApprovalStub {
  id: string;
  template_code: string | null;
  status: 'RUNNING' | 'COMPLETED' | 'TERMINATED';
  result: string | null;
  outcome: string;
  created_at: string | null;
  finished_at: string | null;
}

/** The relay's ISO time as the records write times: ISO-8601 with the organisation's +08:00 offset. */
function orgTime(iso: string | null): string | null {
  const ms = iso === null ? NaN : Date.parse(iso);
  return Number.isNaN(ms) ? null : isoFromMs(ms);
}

/** Whether an instant event (the Zap's choice) takes this record; the relay filters too, this is a second check. */
export const takes = (event: InstantEvent, record: RelayEventRecord) => (event.delivers as readonly string[]).includes(record.kind);

/**
 * The polling triggers' stub for a relay record (approval kinds only: a `waiting` record has its own shape).
 * The event tells when it happened: that is the submission time of a submitted approval and the finish time of a
 * finished one; the hydrated record fills in the rest.
 */
export function stubOf(record: RelayEventRecord & { kind: keyof typeof STATUS }): ApprovalStub {
  const status = STATUS[record.kind];
  const when = orgTime(record.occurred_at ?? record.received_at);
  return {
    id: record.approval_id,
    template_code: record.template_code,
    status,
    result: record.result,
    outcome: outcomeOf(status, record.result) ?? 'pending',
    created_at: status === 'RUNNING' ? when : null,
    finished_at: status === 'RUNNING' ? null : when,
  };
}
