import { defineCreate, defineInputFields, type CreatePerform, type InferInputData } from 'zapier-platform-core';
import { executeProcessInstance, getProcessInstance, MAX_REMARK_CHARS, type ProcessInstanceDetail } from '../dingtalk/workflow';
import { loadApprovalRecord } from '../hydrators';
import { Deadline } from '../lib/deadline';
import { InputError, quote, readInputs } from '../lib/inputs';
import { isoOrNull } from '../lib/time';
import sample from '../samples/approval.json';
import { NAMING_TEMPLATE_HELP, refreshTokenBeforeWriting, userLabels } from '../zapier/actions';
import { knownRecord, recordAfterWrite } from '../zapier/after-write';
import { approvalField, templateField, userField } from '../zapier/fields';
import { approvalOutputFields, noteOutputField } from '../zapier/output-fields';
import { zapierTransport } from '../zapier/transport';
import { withUserErrors } from '../zapier/user-errors';

const DECISIONS = { agree: 'Approve', refuse: 'Reject' } as const;
type Decision = keyof typeof DECISIONS;
const isDecision = (value: string): value is Decision => Object.hasOwn(DECISIONS, value);

const inputFields = defineInputFields([
  templateField(false, NAMING_TEMPLATE_HELP),
  approvalField,
  userField('actionerUserId', 'Approver', 'The DingTalk user whose pending task is decided. The decision is recorded as theirs.'),
  {
    key: 'result',
    label: 'Decision',
    required: true,
    choices: DECISIONS,
    helpText: "Approve passes the approver's task; Reject ends the whole approval as rejected.",
  },
  {
    key: 'remark',
    label: 'Remark',
    required: false,
    type: 'text',
    helpText: 'Optional comment recorded with the decision, at most 1,024 characters.',
  },
]);

/** The approver's own decision, already in place: their latest task on this approval finished with `result`. */
function decisionInPlace(detail: ProcessInstanceDetail, approver: string, result: Decision) {
  const latest = (detail.tasks ?? []).filter((t) => t.userId === approver).at(-1);
  return latest?.status === 'COMPLETED' && latest.result?.toLowerCase() === result ? latest : undefined;
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
  const result = input.required('result', 'Decision');
  if (result && !isDecision(result)) input.problems.push(`Decision must be agree (Approve) or refuse (Reject), not ${quote(result)}`);
  const remark = input.text('remark');
  input.maxLength('Remark', remark, MAX_REMARK_CHARS);
  input.done();
  if (!isDecision(result)) throw new InputError(input.problems);
  refreshTokenBeforeWriting(z, bundle);

  const deadline = new Deadline();
  const processCode = input.text('processCode') || null;
  const transport = zapierTransport(z, bundle);
  const detail = await getProcessInstance(transport, processInstanceId);
  const decision = { decision: result, decided_by_user_id: approver };
  // DingTalk's rule: act on the task whose status is RUNNING and whose userId is the approver.
  const task = (detail.tasks ?? []).find((t) => t.status === 'RUNNING' && t.userId === approver);
  if (!task) {
    // A rerun of a step that already succeeded (Zapier's replay, or the user's) finds its own decision: success.
    const done = decisionInPlace(detail, approver, result);
    if (done) {
      const record = await loadApprovalRecord(z, bundle, processInstanceId, processCode, detail);
      return { ...record, ...decision, decided_at: isoOrNull(done.finishTime), note: 'This decision was already in place; nothing was sent to DingTalk.' };
    }
    const label = await userLabels(transport, z, [approver]);
    const status = detail.status === 'RUNNING' ? '' : ` (the approval's status is ${detail.status})`;
    throw new InputError(
      [`${label(approver)} has no pending task on this approval; it may already be decided or assigned to someone else${status}`],
      'NoPendingTask',
    );
  }
  // DingTalk's `result` here echoes the decision, not success; a failure comes back as an error code.
  await executeProcessInstance(transport, { processInstanceId, taskId: task.taskId, actionerUserId: approver, result, ...(remark ? { remark } : {}) });
  const decidedAt = new Date().toISOString();
  const record = await recordAfterWrite(z, bundle, deadline, `DingTalk accepted the decision (${DECISIONS[result]})`, processInstanceId, processCode, (note) => ({
    ...knownRecord(z, processInstanceId, knownAfterDecision(detail, task.taskId, result, decidedAt), processCode, note),
    ...(result === 'agree' ? UNKNOWN_STATUS : {}),
  }));
  return { ...record, ...decision, decided_at: isoOrNull(decidedAt) };
}) satisfies CreatePerform<InferInputData<typeof inputFields>>;

export default defineCreate({
  key: 'approve_or_reject',
  noun: 'Approval',
  display: {
    label: 'Approve or Reject Approval',
    description: "Creates a decision (approve or reject) on a user's pending task in a DingTalk approval and returns the updated approval.",
  },
  operation: {
    inputFields,
    perform: withUserErrors(perform),
    sample: { ...sample, decision: 'agree', decided_by_user_id: 'director0001', decided_at: sample.finished_at, note: null },
    outputFields: [
      ...approvalOutputFields,
      { key: 'decision', label: 'Decision (agree or refuse)', type: 'string' },
      { key: 'decided_by_user_id', label: 'Decided By User ID', type: 'string' },
      { key: 'decided_at', label: 'Decided At', type: 'datetime' },
      noteOutputField,
    ],
  },
});
