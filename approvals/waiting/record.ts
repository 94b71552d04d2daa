/**
 * The waiting fields a delivery adds to the approval record every approval trigger delivers: which task waits, for
 * whom, since when, and who the approver's manager is (so a 24-hour Zap can escalate without another lookup).
 */
import { HOUR_MS, isoFromMs } from '../../lib/time';
import type { WaitingDelivery } from './poll';
import { hoursLabel } from './thresholds';

export function waitingFields(delivery: WaitingDelivery, thresholdMs: number) {
  const { task, approver } = delivery;
  return {
    id: delivery.id,
    approval_id: delivery.approvalId,
    task_id: task.taskId,
    approver_user_id: task.userId,
    approver_name: approver.name,
    step_name: task.stepName ?? null,
    waiting_since: isoFromMs(task.startedAt),
    hours_waited: Math.round(((delivery.checkedAt - task.startedAt) / HOUR_MS) * 10) / 10,
    threshold_hours: Number(hoursLabel(thresholdMs)),
    checked_at: isoFromMs(delivery.checkedAt),
    manager_user_id: approver.managerUserId,
    manager_name: approver.managerName,
  };
}

export type WaitingFields = ReturnType<typeof waitingFields>;
