import { defineCreate, type Bundle, type ZObject } from 'zapier-platform-core';
import { encodeForm, asList } from '../approvals/start/form-encode';
import { formInputFields } from '../approvals/start/form-fields';
import { templateComponents } from '../approvals/record/lookup';
import { refreshTokenBeforeWriting } from '../zapier/actions';
import { approvalOutputFields } from '../zapier/output-fields';
import { asUserErrors, InputError } from '../lib/inputs';
import { approverSettings, chosenApproverFields, originatorDepartment, startApproverFields } from '../approvals/start/approvers';
import { zapierStore } from '../lib/store';
import { zapierTransport } from '../dingtalk/transport';
import { startProcessInstance } from '../dingtalk/workflow';
import { loadApprovalRecord } from '../hydrators';
import sample from '../samples/approval.json';

const staticFields = [
  {
    key: 'processCode',
    label: 'Template',
    required: true,
    dynamic: 'list_templates.id.name',
    altersDynamicFields: true,
    helpText: "The approval template (审批模板). Its form fields appear below. Suite forms such as leave requests cannot be started through DingTalk's API.",
  },
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
];

const dynamicFields = async (z: ZObject, bundle: Bundle) => {
  const processCode = String(bundle.inputData.processCode ?? '');
  if (!processCode) return [];
  const transport = zapierTransport(z, bundle);
  const store = zapierStore(z);
  const fields = formInputFields(await templateComponents(transport, store, processCode));
  const originator = String(bundle.inputData.originatorUserId ?? '');
  if (!originator) return fields;
  const deptId = await originatorDepartment(transport, originator, asList(bundle.inputData.deptId)[0]);
  return [...fields, ...(await chosenApproverFields(transport, store, processCode, originator, deptId))];
};

const perform = async (z: ZObject, bundle: Bundle) => {
  const transport = zapierTransport(z, bundle);
  const { inputData } = bundle;
  const processCode = String(inputData.processCode ?? '').trim();
  const originatorUserId = String(inputData.originatorUserId ?? '').trim();
  const problems = [...(processCode ? [] : ['Template is required']), ...(originatorUserId ? [] : ['Originator is required'])];
  const components = processCode ? await templateComponents(transport, zapierStore(z), processCode) : [];
  const form = encodeForm(components, inputData);
  const approvers = approverSettings(inputData);
  problems.push(...form.problems, ...approvers.problems);
  if (problems.length > 0) throw new InputError(problems);
  // A token refresh after the write would make Zapier rerun the step and submit the approval twice.
  refreshTokenBeforeWriting(z, bundle);

  const instanceId = await startProcessInstance(transport, {
    processCode,
    originatorUserId,
    deptId: await originatorDepartment(transport, originatorUserId, asList(inputData.deptId)[0]),
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
};

export default defineCreate({
  key: 'start_approval',
  noun: 'Approval',
  display: {
    label: 'Start Approval',
    description: 'Creates a new DingTalk approval from a template, submitted on behalf of a user, with its form filled in.',
  },
  operation: {
    inputFields: [...staticFields, dynamicFields],
    perform: (z: ZObject, bundle: Bundle) => asUserErrors(z, () => perform(z, bundle)),
    sample,
    outputFields: approvalOutputFields,
  },
});
