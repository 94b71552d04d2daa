import { defineCreate, defineInputFields, type Bundle, type CreatePerform, type InferInputData, type ZObject } from 'zapier-platform-core';
import { templateComponents } from '../approvals/record/lookup';
import { approverSettings, chosenApproverFields, originatorDepartment, startApproverFields } from '../approvals/start/approvers';
import { encodeForm } from '../approvals/start/form-encode';
import { formInputFields } from '../approvals/start/form-fields';
import { startProcessInstance } from '../dingtalk/workflow';
import { actionTiming, Deadline } from '../lib/deadline';
import { readInputs } from '../lib/inputs';
import { isoFromMs } from '../lib/time';
import sample from '../samples/approval.json';
import { refreshTokenBeforeWriting } from '../zapier/actions';
import { recordAfterWrite } from '../zapier/after-write';
import { templateField } from '../zapier/fields';
import { approvalOutputFields, noteOutputField } from '../zapier/output-fields';
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
  const transport = zapierTransport(z, bundle, 'action');
  const store = zapierStore(z);
  const fields = formInputFields(await templateComponents(transport, store, processCode));
  const originator = input.text('originatorUserId');
  if (!originator) return fields;
  const deptId = await originatorDepartment(transport, originator, input.list('deptId')[0], store);
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

const perform = (async (z, bundle) => {
  const deadline = new Deadline();
  const transport = zapierTransport(z, bundle, 'action');
  const store = zapierStore(z);
  const { inputData } = bundle;
  const input = readInputs(inputData);
  const processCode = input.required('processCode', 'Template');
  const originatorUserId = input.required('originatorUserId', 'Originator');
  // Zapier allows 30 s: the template's form (cached for 10 minutes) and the originator's department (a free
  // contacts call) do not depend on each other, so they are read together.
  const [schema, department] = await Promise.allSettled([
    processCode ? templateComponents(transport, store, processCode) : [],
    originatorUserId ? originatorDepartment(transport, originatorUserId, input.list('deptId')[0], store) : undefined,
  ]);
  const components = settled(schema);
  const form = encodeForm(components, inputData);
  const approvers = approverSettings(inputData);
  input.problems.push(...form.problems, ...approvers.problems);
  input.done();
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
}) satisfies CreatePerform<InferInputData<typeof staticFields>>;

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
    description: 'Creates a new DingTalk approval from a template, submitted on behalf of a user, with its form filled in. ' +
      "Costs two metered DingTalk calls of the organisation's monthly quota (three when the template's form was not read in the last 10 minutes).",
  },
  operation: {
    inputFields: [...staticFields, dynamicFields],
    perform: withUserErrors(perform),
    sample: { ...sample, note: null },
    outputFields: [...approvalOutputFields, noteOutputField],
  },
});
