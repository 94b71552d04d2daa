/**
 * The instant "waiting too long" record: the relay's waiting record (relay/delivery/record.ts, fired by a timer with
 * no DingTalk call) turned into exactly what Approval Waiting Too Long delivers (approvals/waiting/record.ts), with
 * the same `id` (approvals/waiting/thresholds.ts deliveryId), so a Zap switches between them without re-mapping.
 *
 * Costs: the approver's name and manager come from the free contacts API (topapi/v2/user/get, exempt from the
 * quota per dingtalk-api.md "Exempt"), at most two calls per approver, cached per connection for a week. The
 * approval record and the step name come from one metered GetProcessInstance when a Zap step uses the record,
 * shared by every Zap that received the same delivery (cached for an hour). Zapier-free.
 */
import type { Transport } from '../../dingtalk/transport';
import { getProcessInstance, type ProcessInstanceDetail } from '../../dingtalk/workflow';
import { cacheKeys, cacheTtlS } from '../../lib/cache-keys';
import type { Store } from '../../lib/store';
import { HOUR_MS } from '../../lib/time';
import { storedDetail } from '../record/detail';
import { personWithManager } from '../waiting/people';
import type { WaitingDelivery } from '../waiting/poll';
import { waitingFields } from '../waiting/record';
import { deliveryId, stepNameOf } from '../waiting/thresholds';
import type { RelayEventRecord } from './event';

/** A relay record of kind `waiting` with what the record needs; anything else is not a waiting record. */
export interface RelayWaitingRecord extends RelayEventRecord {
  kind: 'waiting';
  task_id: string;
  approver_user_id: string;
  waiting_hours: number;
}

export const isWaitingRecord = (record: RelayEventRecord): record is RelayWaitingRecord =>
  record.kind === 'waiting' && /^\d+$/.test(record.task_id ?? '') && Boolean(record.approver_user_id) && typeof record.waiting_hours === 'number';

/**
 * The waiting fields of the polling trigger, from the relay's record: the task started at `waiting_since` (older
 * relays: the threshold before the timer was due, which is how the relay schedules it), and was confirmed still
 * pending when the relay stored the record (`received_at`), which is the check time.
 * `step_name` is left to the hydrator: DingTalk's task events carry no node name, only the detail does.
 */
export async function instantWaitingFields(transport: Transport, store: Store, record: RelayWaitingRecord) {
  const thresholdMs = record.waiting_hours * HOUR_MS;
  const checkedAt = Date.parse(record.received_at);
  const since = record.waiting_since ? Date.parse(record.waiting_since) : NaN;
  const startedAt = Number.isNaN(since) ? Date.parse(record.occurred_at ?? record.received_at) - thresholdMs : since;
  const taskId = Number(record.task_id);
  const delivery: WaitingDelivery = {
    id: deliveryId(record.approval_id, taskId, thresholdMs),
    approvalId: record.approval_id,
    entry: { status: 'RUNNING', seenAt: checkedAt },
    task: { taskId, userId: record.approver_user_id, startedAt },
    checkedAt,
    approver: await personWithManager(transport, store, record.approver_user_id),
  };
  const { step_name: _stepName, ...fields } = waitingFields(delivery, thresholdMs);
  return fields;
}

export type InstantWaitingFields = Awaited<ReturnType<typeof instantWaitingFields>>;

/** The detail a delivery is hydrated from: one metered fetch, shared by the Zaps that received the same delivery. */
export async function deliveryDetail(transport: Transport, store: Store, fields: Pick<InstantWaitingFields, 'id' | 'approval_id'>): Promise<ProcessInstanceDetail> {
  const cached = await storedDetail(store, cacheKeys.waitingDeliveryDetail(fields.id));
  if (cached) return cached;
  const detail = await getProcessInstance(transport, fields.approval_id);
  await store.set(cacheKeys.waitingDeliveryDetail(fields.id), detail, cacheTtlS.waitingDeliveryDetail);
  return detail;
}

/** The step (node) name of the waiting task, when the detail's operation records name it (⚠ as the polling trigger). */
export const waitingStepName = (detail: ProcessInstanceDetail, taskId: number) => stepNameOf(detail, taskId) ?? null;
