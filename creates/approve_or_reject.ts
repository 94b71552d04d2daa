import { defineCreate, defineInputFields, type CreatePerform, type InferInputData } from 'zapier-platform-core';
import { executeProcessInstance, MAX_REMARK_CHARS, type ProcessInstanceDetail } from '../dingtalk/workflow';
import { InputError, isChoice, quote, readInputs } from '../lib/inputs';
import { isoOrNull } from '../lib/time';
import sample from '../samples/approval.json';
import { approvalChange, finishedRecently, NAMING_TEMPLATE_HELP, userLabels } from '../zapier/actions';
import { approvalField, remarkField, taskField, templateField, userField } from '../zapier/fields';
import { approvalOutputFields, noteOutputField, outputFields } from '../zapier/output-fields';
import { withUserErrors } from '../zapier/user-errors';

const DECISIONS = { agree: 'Approve', refuse: 'Reject' } as const;
type Decision = keyof typeof DECISIONS;

const inputFields = defineInputFields([
  templateField(false, NAMING_TEMPLATE_HELP),
  approvalField,
  userField('actionerUserId', 'Approver', 'The DingTalk user whose pending task is decided. The decision is recorded as theirs.'),
  taskField(
    "Optional. Map Waiting Task ID from Approval Waiting Too Long to decide exactly that task of the Approver. Leave empty to decide the Approver's pending task; " +
      'then, if the Approver gave this same decision on this approval in the last 24 hours, the step takes it as its own earlier run (Zapier replays a step) and sends nothing, ' +
      'so a replay never decides a later step of theirs. To decide such a later step, map its Task ID.',
  ),
  {
    key: 'result',
    label: 'Decision',
    required: true,
    choices: DECISIONS,
    helpText: "Approve passes the approver's task; Reject ends the whole approval as rejected.",
  },
  remarkField('Optional comment recorded with the decision, at most 1,024 characters.'),
]);

type Task = NonNullable<ProcessInstanceDetail['tasks']>[number];

const sameDecision = (task: Task, result: Decision) => task.status === 'COMPLETED' && task.result?.toLowerCase() === result;

type Label = (userId: string) => string;
/** What this step does: decide a task, find its own decision already made, or refuse with a sentence and a code. */
type Choice =
  | { decide: Task }
  | { made: Task; later?: Task | undefined }
  | { refuse: (label: Label) => string; code: string; users: string[] };

/**
 * With a Task ID, exactly that task of the approver. Without one, the approver's pending task, unless their latest
 * decision on this approval is this same decision and recent: a replay of a step that succeeded would otherwise
 * decide a later step of theirs the user never asked for, so that decision is taken as this step's own (recent:
 * RERUN_WINDOW_MS in zapier/actions.ts).
 */
function chooseTask(detail: ProcessInstanceDetail, approver: string, result: Decision, taskId: number | undefined, now: number): Choice {
  const tasks = detail.tasks ?? [];
  const state = detail.status === 'RUNNING' ? '' : ` (the approval's status is ${detail.status})`;
  if (taskId !== undefined) {
    const task = tasks.find((t) => t.taskId === taskId);
    if (!task) return { refuse: () => `Task ${taskId} is not a task of this approval${state}`, code: 'NoPendingTask', users: [] };
    const owner = task.userId ?? '';
    if (owner !== approver) {
      return { refuse: (label) => `Task ${taskId} is ${label(owner)}'s, not ${label(approver)}'s; DingTalk only lets a task's own approver decide it`, code: 'NotTheApproversTask', users: [owner, approver] };
    }
    if (task.status === 'RUNNING') return { decide: task };
    if (sameDecision(task, result)) return { made: task };
    const ended = `${task.status ?? 'unknown'}${task.result ? `, ${task.result}` : ''}`;
    return { refuse: (label) => `Task ${taskId} of ${label(approver)} is no longer pending (${ended})${state}`, code: 'TaskNotPending', users: [approver] };
  }
  const mine = tasks.filter((t) => t.userId === approver);
  // DingTalk's rule: act on the task whose status is RUNNING and whose userId is the approver.
  const pending = mine.find((t) => t.status === 'RUNNING');
  const latest = mine.filter((t) => t.status !== 'RUNNING').at(-1);
  if (latest && sameDecision(latest, result) && (!pending || finishedRecently(latest.finishTime, now))) return { made: latest, later: pending };
  if (pending) return { decide: pending };
  return {
    refuse: (label) => `${label(approver)} has no pending task on this approval; it may already be decided or assigned to someone else${state}`,
    code: 'NoPendingTask',
    users: [approver],
  };
}

/**
 * The approval as this step knows it when DingTalk accepted the decision but could not be read back: the
 * approver's task as decided. A reject ends the approval as rejected (⚠ as DingTalk's approval flow does for a
 * refusal on any node; not checked for countersign nodes).
 */
function knownAfterDecision(detail: ProcessInstanceDetail, taskId: number, result: Decision, decidedAt: string): ProcessInstanceDetail {
  const tasks = (detail.tasks ?? []).map((t) => (t.taskId === taskId ? { ...t, status: 'COMPLETED', result: result.toUpperCase(), finishTime: decidedAt } : t));
  return result === 'refuse' ? { ...detail, status: 'COMPLETED', result: 'refuse', finishTime: decidedAt, tasks } : { ...detail, tasks };
}

/** After an approve, whether more approvers follow is unknown: status and outcome stay empty rather than guess. */
const UNKNOWN_STATUS = { status: null, result: null, outcome: null };

const perform = (async (z, bundle) => {
  const input = readInputs(bundle.inputData);
  const processInstanceId = input.required('processInstanceId', 'Approval');
  const approver = input.required('actionerUserId', 'Approver');
  const taskId = input.optionalWholeNumber('taskId', 'Task ID');
  const result = input.required('result', 'Decision');
  if (result && !isChoice(DECISIONS, result)) input.problems.push(`Decision must be agree (Approve) or refuse (Reject), not ${quote(result)}`);
  const remark = input.text('remark');
  input.maxLength('Remark', remark, MAX_REMARK_CHARS);
  input.done();
  if (!isChoice(DECISIONS, result)) throw new InputError(input.problems);

  const change = await approvalChange(z, bundle, processInstanceId, input.text('processCode'));
  const { detail, transport } = change;
  const decision = { decision: result, decided_by_user_id: approver };
  const chosen = chooseTask(detail, approver, result, taskId, Date.now());
  if ('refuse' in chosen) {
    const label = await userLabels(transport, z, chosen.users);
    throw new InputError([chosen.refuse(label)], chosen.code);
  }
  if ('made' in chosen) {
    // A rerun of a step that already succeeded (Zapier's replay, or the user's) finds its own decision: success.
    const { made, later } = chosen;
    const note = later
      ? `This decision was already in place on the Approver's task ${made.taskId}; nothing was sent to DingTalk. ` +
        `Their later task ${later.taskId} is still pending and was left alone, as a replay of this step must not decide it; to decide it, map its Task ID.`
      : 'This decision was already in place; nothing was sent to DingTalk.';
    return change.alreadyMade({ ...decision, decided_at: isoOrNull(made.finishTime) }, note);
  }
  const task = chosen.decide;

  // DingTalk's `result` here echoes the decision, not success; a failure comes back as an error code.
  await executeProcessInstance(transport, { processInstanceId, taskId: task.taskId, actionerUserId: approver, result, ...(remark ? { remark } : {}) });
  const decidedAt = new Date().toISOString();
  const done = `DingTalk accepted the decision (${DECISIONS[result]})`;
  const record = await change.afterWrite(done, knownAfterDecision(detail, task.taskId, result, decidedAt), result === 'agree' ? UNKNOWN_STATUS : {});
  return { ...record, ...decision, decided_at: isoOrNull(decidedAt) };
}) satisfies CreatePerform<InferInputData<typeof inputFields>>;

export default defineCreate({
  key: 'approve_or_reject',
  noun: 'Approval',
  display: {
    label: 'Approve or Reject Approval',
    description: "Creates a decision (approve or reject) on a user's pending task in a DingTalk approval and returns the updated approval. " +
      "Costs three metered DingTalk calls of the organisation's monthly quota (read, decide, read back).",
  },
  operation: {
    inputFields,
    perform: withUserErrors(perform),
    sample: { ...sample, decision: 'agree', decided_by_user_id: 'director0001', decided_at: sample.finished_at, note: null },
    outputFields: [
      ...approvalOutputFields,
      ...outputFields([
        ['decision', 'Decision (agree or refuse)'],
        ['decided_by_user_id', 'Decided By User ID'],
        ['decided_at', 'Decided At', 'datetime'],
      ]),
      noteOutputField,
    ],
  },
});
