import { defineCreate, defineInputFields, type Bundle, type CreatePerform, type InferInputData, type ZObject } from 'zapier-platform-core';
import { MAX_REMARK_CHARS, terminateProcessInstance, type ProcessInstanceDetail } from '../dingtalk/workflow';
import { InputError, readInputs } from '../lib/inputs';
import { isoOrNull, msFromApiTime } from '../lib/time';
import sample from '../samples/approval.json';
import { approvalChange, NAMING_TEMPLATE_HELP, userLabels } from '../zapier/actions';
import { approvalField, remarkField, templateField, userField } from '../zapier/fields';
import { approvalOutputFields, noteOutputField, outputFields } from '../zapier/output-fields';
import { zapierTransport } from '../zapier/transport';
import { withUserErrors } from '../zapier/user-errors';

/** revoke-an-approval-instance: "审批发起15秒内不能撤销审批流程". */
const MIN_AGE_MS = 15 * 1000;

const inputFields = defineInputFields([
  templateField(false, NAMING_TEMPLATE_HELP),
  approvalField,
  userField('operatingUserId', 'Originator', 'The user who submitted the approval. DingTalk only lets the originator revoke it; the revocation is recorded as theirs.'),
  remarkField('Optional reason recorded with the revocation, at most 1,024 characters.'),
]);

/**
 * Seconds to wait before DingTalk allows revoking, or undefined when it may already allow it (DingTalk then has the
 * final word). createTime usually has minute precision (`2026-11-24T01:05Z`), so the start may be up to a minute
 * later than it says: only a start certainly under 15 s ago is refused here, with a wait that is certainly enough.
 */
export function revokeWaitSeconds(createTime: string | null | undefined, now: number): number | undefined {
  const created = msFromApiTime(createTime);
  if (created === undefined || now - created >= MIN_AGE_MS) return undefined;
  const hasSeconds = /T\d{2}:\d{2}:\d{2}/.test(createTime ?? '');
  const latestStart = hasSeconds ? created : Math.min(now, created + 59_999);
  return Math.max(1, Math.ceil((latestStart + MIN_AGE_MS - now) / 1000));
}

const stateOf = ({ status, result }: ProcessInstanceDetail) => {
  if (status === 'TERMINATED') return 'was already revoked';
  if (status === 'COMPLETED') return `has already finished as ${result === 'refuse' ? 'rejected' : 'approved'}`;
  return `has the status ${status}`;
};

/** DingTalk's rules for a revoke (revoke-an-approval-instance), checked before sending so all of them are named at once. */
async function revokeProblems(z: ZObject, bundle: Bundle, detail: ProcessInstanceDetail, operatingUserId: string): Promise<string[]> {
  const problems: string[] = [];
  if (detail.status !== 'RUNNING') problems.push(`Only running approvals can be revoked; this one ${stateOf(detail)}`);
  const originator = detail.originatorUserId ?? '';
  if (originator && originator !== operatingUserId) {
    const label = await userLabels(zapierTransport(z, bundle, 'action'), z, [operatingUserId, originator]);
    problems.push(`${label(operatingUserId)} did not submit this approval; DingTalk only lets its originator, ${label(originator)}, revoke it`);
  }
  const wait = revokeWaitSeconds(detail.createTime, Date.now());
  if (wait !== undefined) {
    problems.push(`DingTalk does not allow revoking an approval within 15 seconds of its start. Wait ${wait} second${wait === 1 ? '' : 's'} and try again`);
  }
  return problems;
}

/**
 * A revoke already done by this originator: a rerun of a step that succeeded. DingTalk marks a revoked approval
 * TERMINATED; when it also lists who terminated it, that must be the same user.
 */
function revokeInPlace(detail: ProcessInstanceDetail, operatingUserId: string): boolean {
  if (detail.status !== 'TERMINATED' || detail.originatorUserId !== operatingUserId) return false;
  const terminations = (detail.operationRecords ?? []).filter((r) => r.type === 'TERMINATE_PROCESS_INSTANCE');
  return terminations.every((r) => !r.userId || r.userId === operatingUserId);
}

/** The approval as this step knows it when DingTalk revoked it but could not be read back. */
function knownAfterRevoke(detail: ProcessInstanceDetail, revokedAt: string): ProcessInstanceDetail {
  // What DingTalk does with the tasks still running is not documented: they are left out rather than shown as running.
  const tasks = (detail.tasks ?? []).filter((t) => t.status !== 'RUNNING');
  return { ...detail, status: 'TERMINATED', finishTime: revokedAt, tasks };
}

const perform = (async (z, bundle) => {
  const input = readInputs(bundle.inputData);
  const processInstanceId = input.required('processInstanceId', 'Approval');
  const operatingUserId = input.required('operatingUserId', 'Originator');
  const remark = input.text('remark');
  input.maxLength('Remark', remark, MAX_REMARK_CHARS);
  input.done();

  const change = await approvalChange(z, bundle, processInstanceId, input.text('processCode'));
  const { detail } = change;
  if (revokeInPlace(detail, operatingUserId)) {
    const revocation = { revoked_by_user_id: operatingUserId, revoked_at: isoOrNull(detail.finishTime) };
    return change.alreadyMade(revocation, 'The approval was already revoked by its originator; nothing was sent to DingTalk.');
  }
  const refused = await revokeProblems(z, bundle, detail, operatingUserId);
  if (refused.length > 0) throw new InputError(refused, 'CannotRevoke');

  const revoked = await terminateProcessInstance(change.transport, { processInstanceId, isSystem: false, operatingUserId, ...(remark ? { remark } : {}) });
  if (!revoked) throw new z.errors.Error('DingTalk answered that the approval was not revoked. Check it in DingTalk and try again.', 'NotRevoked', 400);
  const revokedAt = new Date().toISOString();
  const record = await change.afterWrite('DingTalk revoked the approval', knownAfterRevoke(detail, revokedAt));
  return { ...record, revoked_by_user_id: operatingUserId, revoked_at: isoOrNull(revokedAt) };
}) satisfies CreatePerform<InferInputData<typeof inputFields>>;

export default defineCreate({
  key: 'revoke_approval',
  noun: 'Approval',
  display: {
    label: 'Revoke Approval',
    description: 'Creates a revocation of a running DingTalk approval on behalf of its originator and returns the updated approval. ' +
      "Costs three metered DingTalk calls of the organisation's monthly quota (read, revoke, read back).",
  },
  operation: {
    inputFields,
    perform: withUserErrors(perform),
    sample: { ...sample, status: 'TERMINATED', result: null, outcome: 'revoked', tasks: [], revoked_by_user_id: sample.originator_user_id, revoked_at: sample.finished_at, note: null },
    outputFields: [
      ...approvalOutputFields,
      ...outputFields([
        ['revoked_by_user_id', 'Revoked By User ID'],
        ['revoked_at', 'Revoked At', 'datetime'],
      ]),
      noteOutputField,
    ],
  },
});
