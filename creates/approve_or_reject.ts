import { defineCreate, defineInputFields, type Bundle, type ZObject } from 'zapier-platform-core';
import {
  approvalField,
  checkLength,
  currentRecord,
  namingTemplateField,
  refreshTokenBeforeWriting,
  requiredText,
  textOf,
  userField,
  userLabels,
} from '../zapier/actions';
import { approvalOutputFields } from '../zapier/output-fields';
import { InputError } from '../lib/inputs';
import { zapierTransport } from '../dingtalk/transport';
import { executeProcessInstance, getProcessInstance } from '../dingtalk/workflow';
import sample from '../samples/approval.json';
import { asUserErrors } from '../lib/inputs';

const DECISIONS = { agree: 'Approve', refuse: 'Reject' } as const;
type Decision = keyof typeof DECISIONS;
const isDecision = (value: string): value is Decision => Object.hasOwn(DECISIONS, value);

const inputFields = defineInputFields([
  namingTemplateField,
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

const perform = async (z: ZObject, bundle: Bundle) => {
  const problems: string[] = [];
  const processInstanceId = requiredText(problems, bundle.inputData, 'processInstanceId', 'Approval');
  const approver = requiredText(problems, bundle.inputData, 'actionerUserId', 'Approver');
  const result = requiredText(problems, bundle.inputData, 'result', 'Decision');
  if (result && !isDecision(result)) problems.push(`Decision must be agree (Approve) or refuse (Reject), not "${result}"`);
  const remark = textOf(bundle.inputData, 'remark');
  checkLength(problems, 'Remark', remark);
  if (problems.length > 0 || !isDecision(result)) throw new InputError(problems);
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
};

export default defineCreate({
  key: 'approve_or_reject',
  noun: 'Approval',
  display: {
    label: 'Approve or Reject Approval',
    description: "Creates a decision (approve or reject) on a user's pending task in a DingTalk approval and returns the updated approval.",
  },
  operation: {
    inputFields,
    perform: (z: ZObject, bundle: Bundle) => asUserErrors(z, () => perform(z, bundle)),
    sample,
    outputFields: approvalOutputFields,
  },
});
