import { defineCreate, defineInputFields, type Bundle, type CreatePerform, type InferInputData, type ZObject } from 'zapier-platform-core';
import { templateComponents } from '../approvals/record/lookup';
import { approverSettings, chosenApproverFields, originatorDepartment, startApproverFields } from '../approvals/start/approvers';
import { encodeForm } from '../approvals/start/form-encode';
import { formInputFields } from '../approvals/start/form-fields';
import { startProcessInstance } from '../dingtalk/workflow';
import { loadApprovalRecord } from '../hydrators';
import { readInputs } from '../lib/inputs';
import sample from '../samples/approval.json';
import { refreshTokenBeforeWriting } from '../zapier/actions';
import { templateField } from '../zapier/fields';
import { approvalOutputFields } from '../zapier/output-fields';
import { zapierStore } from '../zapier/store';
import { zapierTransport } from '../zapier/transport';
import { withUserErrors } from '../zapier/user-errors';

const staticFields = defineInputFields([
  templateField(
    true,
    "The approval template (审批模板). Its form fields appear below. Suite forms such as leave requests cannot be started through DingTalk's API.",
    { altersDynamicFields: true },
  ),
  {
    key: 'originatorUserId',
    label: 'Originator',
    required: true,
    dynamic: 'list_users.id.name',
    search: 'find_user.id',
    altersDynamicFields: true,
    helpText: 'The DingTalk user the approval is submitted for. Map a user found with Find User to match a person from another app.',
  },
  {
    key: 'deptId',
    label: "Originator's Department",
    required: false,
    dynamic: 'list_departments.id.name',
    altersDynamicFields: true,
    helpText: "Defaults to the originator's main department, which decides the approval flow in most templates.",
  },
  ...startApproverFields,
]);

/** The template's form and its originator-chosen approvers, typed by Zapier from the template. */
const dynamicFields = async (z: ZObject, bundle: Bundle) => {
  const input = readInputs(bundle.inputData);
  const processCode = input.text('processCode');
  if (!processCode) return [];
  const transport = zapierTransport(z, bundle);
  const store = zapierStore(z);
  const fields = formInputFields(await templateComponents(transport, store, processCode));
  const originator = input.text('originatorUserId');
  if (!originator) return fields;
  const deptId = await originatorDepartment(transport, originator, input.list('deptId')[0]);
  return [...fields, ...(await chosenApproverFields(transport, store, processCode, originator, deptId))];
};

const inputFields = defineInputFields([...staticFields, dynamicFields]);

const perform = (async (z, bundle) => {
  const transport = zapierTransport(z, bundle);
  const { inputData } = bundle;
  const input = readInputs(inputData);
  const processCode = input.required('processCode', 'Template');
  const originatorUserId = input.required('originatorUserId', 'Originator');
  const components = processCode ? await templateComponents(transport, zapierStore(z), processCode) : [];
  const form = encodeForm(components, inputData);
  const approvers = approverSettings(inputData);
  input.problems.push(...form.problems, ...approvers.problems);
  input.done();
  // A token refresh after the write would make Zapier rerun the step and submit the approval twice.
  refreshTokenBeforeWriting(z, bundle);

  const instanceId = await startProcessInstance(transport, {
    processCode,
    originatorUserId,
    deptId: await originatorDepartment(transport, originatorUserId, input.list('deptId')[0]),
    ...(bundle.authData.agentId ? { microappAgentId: Number(bundle.authData.agentId) } : {}),
    ...approvers.settings,
    formComponentValues: form.values,
  });
  try {
    return await loadApprovalRecord(z, bundle, instanceId, processCode);
  } catch (error) {
    // The approval exists now: a failed read-back must not fail the step, or Zapier would run it (and start) again.
    z.console.log(`Started approval ${instanceId}; reading it back failed: ${(error as Error).message}`);
    return { id: instanceId, template_code: processCode, status: 'RUNNING', outcome: 'pending' };
  }
}) satisfies CreatePerform<InferInputData<typeof staticFields>>;

export default defineCreate({
  key: 'start_approval',
  noun: 'Approval',
  display: {
    label: 'Start Approval',
    description: 'Creates a new DingTalk approval from a template, submitted on behalf of a user, with its form filled in.',
  },
  operation: {
    inputFields,
    perform: withUserErrors(perform),
    sample,
    outputFields: approvalOutputFields,
  },
});
