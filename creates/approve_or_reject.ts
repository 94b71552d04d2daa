import { defineCreate, defineInputFields, type CreatePerform, type InferInputData } from 'zapier-platform-core';
import { executeProcessInstance, getProcessInstance, MAX_REMARK_CHARS } from '../dingtalk/workflow';
import { InputError, readInputs } from '../lib/inputs';
import sample from '../samples/approval.json';
import { currentRecord, NAMING_TEMPLATE_HELP, refreshTokenBeforeWriting, userLabels } from '../zapier/actions';
import { approvalField, templateField, userField } from '../zapier/fields';
import { approvalOutputFields } from '../zapier/output-fields';
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

const perform = (async (z, bundle) => {
  const input = readInputs(bundle.inputData);
  const processInstanceId = input.required('processInstanceId', 'Approval');
  const approver = input.required('actionerUserId', 'Approver');
  const result = input.required('result', 'Decision');
  if (result && !isDecision(result)) input.problems.push(`Decision must be agree (Approve) or refuse (Reject), not "${result}"`);
  const remark = input.text('remark');
  input.maxLength('Remark', remark, MAX_REMARK_CHARS);
  input.done();
  if (!isDecision(result)) throw new InputError(input.problems);
  refreshTokenBeforeWriting(z, bundle);

  const transport = zapierTransport(z, bundle);
  const detail = await getProcessInstance(transport, processInstanceId);
  // DingTalk's rule: act on the task whose status is RUNNING and whose userId is the approver.
  const task = (detail.tasks ?? []).find((t) => t.status === 'RUNNING' && t.userId === approver);
  if (!task) {
    const label = await userLabels(transport, z, [approver]);
    const status = detail.status === 'RUNNING' ? '' : ` (the approval's status is ${detail.status})`;
    throw new InputError(
      [`${label(approver)} has no pending task on this approval; it may already be decided or assigned to someone else${status}`],
      'NoPendingTask',
    );
  }
  // DingTalk's `result` here echoes the decision, not success; a failure comes back as an error code.
  await executeProcessInstance(transport, { processInstanceId, taskId: task.taskId, actionerUserId: approver, result, ...(remark ? { remark } : {}) });
  return currentRecord(z, bundle, processInstanceId);
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
    sample,
    outputFields: approvalOutputFields,
  },
});
