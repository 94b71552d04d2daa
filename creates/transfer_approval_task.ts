import { defineCreate, defineInputFields, type CreatePerform, type InferInputData } from 'zapier-platform-core';
import { personWithManager } from '../approvals/waiting/people';
import { MAX_REDIRECT_REMARK, redirectWorkflowTask, type ProcessInstanceDetail } from '../dingtalk/workflow';
import { InputError, isChoice, quote, readInputs } from '../lib/inputs';
import { isoOrNull } from '../lib/time';
import sample from '../samples/approval.json';
import { approvalChange, finishedRecently, NAMING_TEMPLATE_HELP, userLabels } from '../zapier/actions';
import { approvalField, remarkField, taskField, templateField } from '../zapier/fields';
import { approvalOutputFields, noteOutputField, outputFields } from '../zapier/output-fields';
import { zapierStore } from '../zapier/store';
import { withUserErrors } from '../zapier/user-errors';

const TARGETS = { manager: "The current approver's manager", user: 'A chosen user' } as const;

const inputFields = defineInputFields([
  templateField(false, NAMING_TEMPLATE_HELP),
  approvalField,
  taskField(
    'Map Waiting Task ID from Approval Waiting Too Long. Leave empty to transfer the pending task of the Current Approver below, or the only pending task; ' +
      'then a transfer to the same person made on this approval in the last 24 hours is taken as this step\'s own earlier run (Zapier replays a step) and nothing is sent.',
  ),
  {
    key: 'approverUserId',
    label: 'Current Approver',
    required: false,
    dynamic: 'list_users.id.name',
    search: 'find_user.id',
    helpText: 'Optional: whose pending task moves, when the approval waits for several approvers and no Task ID is mapped.',
  },
  {
    key: 'target',
    label: 'Transfer To',
    required: true,
    default: 'manager',
    choices: TARGETS,
    helpText: "The approver's manager comes from DingTalk's contacts (free to look up); the step fails with a clear message when none is set.",
  },
  {
    key: 'toUserId',
    label: 'User',
    required: false,
    dynamic: 'list_users.id.name',
    search: 'find_user.id',
    helpText: 'The DingTalk user who receives the task, when Transfer To is "A chosen user".',
  },
  remarkField(`Optional note shown with the transfer, at most ${MAX_REDIRECT_REMARK} characters (DingTalk's limit).`),
]);

type Task = NonNullable<ProcessInstanceDetail['tasks']>[number];

/** The same transfer already made (a rerun): the task ended REDIRECTED and the target holds a running task at its step. */
function transferInPlace(detail: ProcessInstanceDetail, task: Task, toUserId: string) {
  if (task.status !== 'COMPLETED' || task.result !== 'REDIRECTED') return undefined;
  return (detail.tasks ?? []).find((t) => t.userId === toUserId && t.status === 'RUNNING' && t.activityId === task.activityId);
}

/**
 * Without a Task ID, a transfer made in the last day (RERUN_WINDOW_MS) from the Current Approver (if chosen) to the
 * same target, which now holds a task at that step: a replay of a step that succeeded. Without this the replay
 * would move the target's new task on (to the manager's manager). `targetOf` names the target for the task's user.
 */
async function recentTransfer(detail: ProcessInstanceDetail, approver: string, targetOf: (from: string) => Promise<string | null>, now: number) {
  const tasks = detail.tasks ?? [];
  const transferred = tasks.filter((t) => t.result === 'REDIRECTED' && (!approver || t.userId === approver) && finishedRecently(t.finishTime, now));
  for (const task of transferred.reverse()) {
    const toUserId = await targetOf(task.userId ?? '');
    if (toUserId && tasks.some((t) => t.userId === toUserId && t.activityId === task.activityId && t.taskId !== task.taskId)) return { task, toUserId };
  }
  return undefined;
}

/** The approval as this step knows it when DingTalk accepted the transfer but could not be read back. */
function knownAfterTransfer(detail: ProcessInstanceDetail, taskId: number, at: string): ProcessInstanceDetail {
  return { ...detail, tasks: (detail.tasks ?? []).map((t) => (t.taskId === taskId ? { ...t, status: 'COMPLETED', result: 'REDIRECTED', finishTime: at } : t)) };
}

const perform = (async (z, bundle) => {
  const input = readInputs(bundle.inputData);
  const processInstanceId = input.required('processInstanceId', 'Approval');
  const taskId = input.optionalWholeNumber('taskId', 'Task ID');
  const approver = input.text('approverUserId');
  const target = input.required('target', 'Transfer To');
  if (target && !isChoice(TARGETS, target)) input.problems.push(`Transfer To must be manager (the current approver's manager) or user (a chosen user), not ${quote(target)}`);
  const chosen = input.text('toUserId');
  if (target === 'user' && !chosen) input.problems.push('User is required when Transfer To is "A chosen user"');
  const remark = input.text('remark');
  input.maxLength('Remark', remark, MAX_REDIRECT_REMARK);
  input.done();

  const change = await approvalChange(z, bundle, processInstanceId, input.text('processCode'));
  const { detail, transport } = change;
  const tasks = detail.tasks ?? [];
  const running = tasks.filter((t) => t.status === 'RUNNING' && t.userId);
  const label = await userLabels(transport, z, [...new Set([...tasks.map((t) => t.userId ?? ''), approver, chosen])]);
  // The target: a chosen user, or the approver's manager from the contacts API (quota-free).
  const managerOf = async (userId: string) => (await personWithManager(transport, zapierStore(z), userId)).managerUserId;
  const targetOf = async (from: string) => (target === 'manager' ? managerOf(from) : chosen);

  if (taskId === undefined) {
    const replay = await recentTransfer(detail, approver, targetOf, Date.now());
    if (replay) {
      const { task, toUserId } = replay;
      const transfer = { transferred_task_id: task.taskId, from_user_id: task.userId ?? '', to_user_id: toUserId, transferred_at: isoOrNull(task.finishTime) };
      return change.alreadyMade(transfer, 'This transfer was already in place; nothing was sent to DingTalk. To transfer the task again, map its Task ID.');
    }
  }

  let task: Task | undefined;
  if (taskId !== undefined) task = tasks.find((t) => t.taskId === taskId);
  else if (approver) task = running.find((t) => t.userId === approver);
  else if (running.length === 1) task = running[0];
  else if (running.length > 1) {
    throw new InputError([`This approval waits for ${running.length} approvers (${running.map((t) => label(t.userId!)).join(', ')}); map a Task ID or choose the Current Approver`], 'SeveralPendingTasks');
  }
  const status = detail.status === 'RUNNING' ? '' : ` (the approval's status is ${detail.status})`;
  if (!task) {
    const whose = approver ? `${label(approver)} has no pending task on this approval` : taskId !== undefined ? `Task ${taskId} is not a task of this approval` : 'This approval has no pending task';
    throw new InputError([`${whose}${status}`], 'NoPendingTask');
  }
  const from = task.userId ?? '';

  const toUserId = await targetOf(from);
  if (!toUserId) {
    throw new InputError([`${label(from)} has no manager set in DingTalk's contacts. Set one in the DingTalk admin console (Contacts), or choose Transfer To "A chosen user"`], 'NoManager');
  }
  const transfer = { transferred_task_id: task.taskId, from_user_id: from, to_user_id: toUserId };

  if (task.status !== 'RUNNING') {
    // A rerun of a step that already succeeded finds its own transfer: success.
    const moved = transferInPlace(detail, task, toUserId);
    if (moved) return change.alreadyMade({ ...transfer, transferred_at: isoOrNull(task.finishTime) }, 'This transfer was already in place; nothing was sent to DingTalk.');
    throw new InputError([`Task ${task.taskId} of ${label(from)} is no longer pending (${task.status ?? 'unknown'}${task.result ? `, ${task.result}` : ''})${status}`], 'TaskNotPending');
  }
  if (toUserId === from) throw new InputError([`${label(from)} already holds this task; choose someone else to transfer it to`], 'SameApprover');

  // DingTalk's rule (transfer-the-oa-approval-task): the operator must be the task's current approver, so the
  // transfer is always made, and recorded, as theirs.
  await redirectWorkflowTask(transport, { taskId: task.taskId, toUserId, operateUserId: from, ...(remark ? { remark } : {}) });
  const transferredAt = new Date().toISOString();
  const record = await change.afterWrite(`DingTalk accepted the transfer to ${label(toUserId)}`, knownAfterTransfer(detail, task.taskId, transferredAt));
  return { ...record, ...transfer, transferred_at: isoOrNull(transferredAt) };
}) satisfies CreatePerform<InferInputData<typeof inputFields>>;

export default defineCreate({
  key: 'transfer_approval_task',
  noun: 'Approval',
  display: {
    label: 'Transfer Approval Task',
    description: "Creates a transfer of a pending approval task to another DingTalk user, or to the current approver's manager, and returns the updated approval. " +
      "Costs three metered DingTalk calls of the organisation's monthly quota (read, transfer, read back); the manager lookup is free.",
  },
  operation: {
    inputFields,
    perform: withUserErrors(perform),
    sample: {
      ...sample,
      status: 'RUNNING',
      result: null,
      outcome: 'pending',
      finished_at: null,
      transferred_task_id: 71000001,
      from_user_id: 'director0001',
      to_user_id: 'boss0001',
      transferred_at: '2026-11-21T10:15:00+08:00',
      note: null,
    },
    outputFields: [
      ...approvalOutputFields,
      ...outputFields([
        ['transferred_task_id', 'Transferred Task ID', 'integer'],
        ['from_user_id', 'From User ID'],
        ['to_user_id', 'To User ID'],
        ['transferred_at', 'Transferred At', 'datetime'],
      ]),
      noteOutputField,
    ],
  },
});
