/**
 * When a waiting task crosses a threshold, as pure rules on a clock (no DingTalk, no cache).
 *
 * DingTalk pushes nothing when a task merely waits, and listing running approvals says nothing about their tasks,
 * so the only way to learn a task's start is a metered detail fetch. These rules spend one only when a task could
 * first cross the threshold N (issue 11):
 * - an approval never checked: at seen time + N (its submission time once the ledger has dated it): as far as
 *   this connection can know, no task of it crossed N before then;
 * - once checked: at the earliest start + N of its running tasks not yet confirmed past N;
 * - when every running task is confirmed past N: at the check + N, because any later task (a transfer, the next
 *   step) starts after the check.
 * A task is confirmed past N when a check saw it still RUNNING at least N after its start; that fact never
 * changes, so it is delivered under a stable id, once per Zap (Zapier's dedupe on `id`).
 */
import type { ProcessInstanceDetail } from '../../dingtalk/workflow';
import { HOUR_MS, msFromApiTime } from '../../lib/time';


/** A task a check saw RUNNING. */
export interface WaitingTask {
  taskId: number;
  /** The approver (DingTalk userId). */
  userId: string;
  /** The task's createTime (ms): when it started waiting. */
  startedAt: number;
  activityId?: string;
  /** The step (node) name, when an operation record on the same node names it (⚠ tasks carry no name). */
  stepName?: string;
}

/** What one detail fetch taught about an approval's waiting tasks. */
export interface Watch {
  /** When the detail was fetched (ms). */
  checkedAt: number;
  /** Its RUNNING tasks at that moment. */
  tasks: WaitingTask[];
}

/** Tasks the check confirmed waiting at least `thresholdMs`: still RUNNING that long after they started. */
export function crossedTasks(watch: Watch, thresholdMs: number): WaitingTask[] {
  return watch.tasks.filter((task) => watch.checkedAt - task.startedAt >= thresholdMs);
}

/** The earliest moment a task of this approval could first cross `thresholdMs`, so the next detail fetch is due. */
export function dueAt(seenAt: number, watch: Watch | undefined, thresholdMs: number): number {
  if (!watch) return seenAt + thresholdMs;
  const unconfirmed = watch.tasks.filter((task) => watch.checkedAt - task.startedAt < thresholdMs).map((task) => task.startedAt + thresholdMs);
  return unconfirmed.length > 0 ? Math.min(...unconfirmed) : watch.checkedAt + thresholdMs;
}

/**
 * The approvals whose detail is due now for any of `thresholdsMs` (every waiting Zap on the template shares one
 * round of checks), most overdue first, at most `budget` of them.
 */
export function dueForCheck(
  running: readonly { id: string; seenAt: number }[],
  watches: Readonly<Record<string, Watch>>,
  thresholdsMs: readonly number[],
  now: number,
  budget: number,
): string[] {
  return running
    .map(({ id, seenAt }) => ({ id, due: Math.min(...thresholdsMs.map((thresholdMs) => dueAt(seenAt, watches[id], thresholdMs))) }))
    .filter(({ due }) => due <= now)
    .sort((a, b) => a.due - b.due)
    .slice(0, Math.max(0, budget))
    .map(({ id }) => id);
}

/** Hours as the delivery id and the record show them: 2, 1.5, 0.25. */
export const hoursLabel = (thresholdMs: number) => String(Math.round((thresholdMs / HOUR_MS) * 1000) / 1000);

/**
 * The delivery's stable id: one per approval, task and threshold. A transferred task, or the next step, is a new
 * DingTalk task (new taskId), so it is delivered again; a 2-hour and a 24-hour Zap each get their own.
 */
export const deliveryId = (approvalId: string, taskId: number, thresholdMs: number) => `${approvalId}:task-${taskId}:after-${hoursLabel(thresholdMs)}h`;

/** Step (node) names by activityId, from the operation records that name one (⚠ tasks carry no name). */
function stepNamesOf(detail: ProcessInstanceDetail): Map<string, string> {
  const stepNames = new Map<string, string>();
  for (const record of detail.operationRecords ?? []) {
    if (record.activityId && record.showName) stepNames.set(record.activityId, record.showName);
  }
  return stepNames;
}

/** The step name of one task, running or not, when the detail names it. */
export function stepNameOf(detail: ProcessInstanceDetail, taskId: number): string | undefined {
  const activityId = detail.tasks?.find((task) => task.taskId === taskId)?.activityId;
  return activityId ? stepNamesOf(detail).get(activityId) : undefined;
}

/** The RUNNING tasks of a fetched detail, as a Watch at `checkedAt`. A task without an approver or start is skipped. */
export function watchFromDetail(detail: ProcessInstanceDetail, checkedAt: number): Watch {
  const stepNames = stepNamesOf(detail);
  const tasks: WaitingTask[] = [];
  if (detail.status === 'RUNNING') {
    for (const task of detail.tasks ?? []) {
      const startedAt = msFromApiTime(task.createTime);
      if (task.status !== 'RUNNING' || !task.userId || startedAt === undefined) continue;
      const stepName = task.activityId ? stepNames.get(task.activityId) : undefined;
      tasks.push({
        taskId: task.taskId,
        userId: task.userId,
        startedAt,
        ...(task.activityId ? { activityId: task.activityId } : {}),
        ...(stepName ? { stepName } : {}),
      });
    }
  }
  return { checkedAt, tasks };
}
