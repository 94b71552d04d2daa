import { defineCreate, type Bundle, type ZObject } from 'zapier-platform-core';
import { encodeForm, asList } from '../approvals/form-encode';
import { formInputFields } from '../approvals/form-fields';
import { templateComponents } from '../approvals/lookup';
import { refreshTokenBeforeWriting } from '../approvals/actions';
import { actionTiming, Deadline, recordAfterWrite } from '../approvals/after-write';
import { approvalOutputFields, noteOutputField } from '../approvals/output';
import { isoFromMs } from '../approvals/time';
import { asUserErrors, InputError } from '../user-errors';
import { approverSettings, chosenApproverFields, originatorDepartment, startApproverFields } from '../approvals/start';
import { zapierStore } from '../approvals/store';
import { zapierTransport } from '../dingtalk/transport';
import { startProcessInstance } from '../dingtalk/workflow';
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
  const deptId = await originatorDepartment(transport, originator, asList(bundle.inputData.deptId)[0], store);
  return [...fields, ...(await chosenApproverFields(transport, store, processCode, originator, deptId))];
};

/** The approval as this step knows it when DingTalk started it but could not be read back in time. */
const knownStart = (id: string, processCode: string, originatorUserId: string, note: string) => ({
  id,
  template_code: processCode,
  status: 'RUNNING',
  outcome: 'pending',
  originator_user_id: originatorUserId,
  created_at: isoFromMs(Date.now()),
  note,
});

/** A reason Promise.allSettled gave, rethrown; or the value. */
const settled = <T>(result: PromiseSettledResult<T>): T => {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
};

const perform = async (z: ZObject, bundle: Bundle) => {
  const deadline = new Deadline();
  const transport = zapierTransport(z, bundle);
  const store = zapierStore(z);
  const { inputData } = bundle;
  const processCode = String(inputData.processCode ?? '').trim();
  const originatorUserId = String(inputData.originatorUserId ?? '').trim();
  const problems = [...(processCode ? [] : ['Template is required']), ...(originatorUserId ? [] : ['Originator is required'])];
  // Zapier allows 30 s: the template's form (cached for 10 minutes) and the originator's department (a free
  // contacts call) do not depend on each other, so they are read together.
  const [schema, department] = await Promise.allSettled([
    processCode ? templateComponents(transport, store, processCode) : [],
    originatorUserId ? originatorDepartment(transport, originatorUserId, asList(inputData.deptId)[0], store) : undefined,
  ]);
  const components = settled(schema);
  const form = encodeForm(components, inputData);
  const approvers = approverSettings(inputData);
  problems.push(...form.problems, ...approvers.problems);
  if (problems.length > 0) throw new InputError(problems);
  const deptId = settled(department)!;
  // A token refresh after the write would make Zapier rerun the step and submit the approval twice.
  refreshTokenBeforeWriting(z, bundle);
  if (deadline.elapsedMs() > actionTiming.writeCutoffMs) {
    throw new z.errors.Error(
      'DingTalk answered too slowly to start the approval safely within Zapier\'s 30-second limit. Nothing was submitted; try again in a few minutes.',
      'DingTalkTooSlow',
      503,
    );
  }

  const instanceId = await startOrExplain(z, () =>
    startProcessInstance(transport, {
      processCode,
      originatorUserId,
      deptId,
      ...(bundle.authData.agentId ? { microappAgentId: Number(bundle.authData.agentId) } : {}),
      ...approvers.settings,
      formComponentValues: form.values,
    }),
  );
  // The approval exists now: whatever happens to the read-back, the step returns its id, or Zapier would start it again.
  return recordAfterWrite(z, bundle, deadline, `DingTalk started approval ${instanceId}`, instanceId, processCode, (note) =>
    knownStart(instanceId, processCode, originatorUserId, note),
  );
};

/**
 * The start call itself. DingTalk's own errors already read as advice (dingtalk/advice.ts, including a 5xx). A
 * connection that failed or timed out, or an answer this client does not understand, says nothing about
 * whether the approval exists, so the user is told to look before trying again.
 */
async function startOrExplain(z: ZObject, start: () => Promise<string>): Promise<string> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof Error && ZAPIER_ERRORS.has(error.name)) throw error;
    throw new z.errors.Error(
      `Starting the approval failed without a clear answer from DingTalk (${(error as Error).message}). It may have been created anyway: check the originator's submitted approvals in DingTalk before trying again, or it may be submitted twice.`,
      'StartUnanswered',
      504,
    );
  }
}
/** Errors the app's middleware raised for an answer DingTalk gave (middleware.ts). */
const ZAPIER_ERRORS = new Set(['AppError', 'ResponseError', 'RefreshAuthError', 'ThrottledError', 'HaltedError', 'ExpiredAuthError']);

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
    sample: { ...sample, note: null },
    outputFields: [...approvalOutputFields, noteOutputField],
  },
});
