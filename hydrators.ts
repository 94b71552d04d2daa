/**
 * Hydrators: work Zapier does only when a Zap step actually uses the data.
 * - `approval` turns an approval id into the full record (one detail fetch, or none when the poll that
 *   classified it cached the detail).
 * - `waitingApproval` and `instantWaitingApproval` add a waiting delivery's fields to that record.
 * - `attachmentFile` asks DingTalk for a fresh download URL (they expire after 15 minutes) and stashes the
 *   bytes with the file's real name and type.
 */
import type { Bundle, RawHttpResponse, ZObject } from 'zapier-platform-core';
import { contentTypeOf } from './approvals/record/files';
import { loadRecord } from './approvals/record/load';
import type { FileRef } from './approvals/record/record';
import { deliveryDetail, waitingStepName, type InstantWaitingFields } from './approvals/instant/waiting';
import { checkedDetail } from './approvals/waiting/poll';
import { grantProcessInstanceForDownloadFile, type ProcessInstanceDetail } from './dingtalk/workflow';
import type { Deadline } from './lib/deadline';
import { zapierStore } from './zapier/store';
import { zapierTransport } from './zapier/transport';

/** The full record for one approval (approvals/record/load.ts), with attachments as Zapier file fields. */
export const loadApprovalRecord = (z: ZObject, bundle: Bundle, id: string, processCode: string | null, known?: ProcessInstanceDetail, deadline?: Deadline) =>
  loadRecord(zapierTransport(z, bundle, 'hydration'), zapierStore(z), id, processCode, { known, deadline, file: dehydratedFile(z) });

/** An attachment as a Zapier file field: a pointer that `attachmentFile` turns into the file when a step uses it. */
export const dehydratedFile = (z: ZObject) => (ref: FileRef) => z.dehydrateFile(attachmentFile, { ...ref });

export const approval = async (z: ZObject, bundle: Bundle) =>
  loadApprovalRecord(z, bundle, String(bundle.inputData.id), bundle.inputData.processCode ? String(bundle.inputData.processCode) : null);

/**
 * An Approval Waiting Too Long delivery: the approval record from the detail its check already fetched (free; one
 * metered fetch once that expired), with the delivery's own waiting fields on top, `id` included.
 */
export const waitingApproval = async (z: ZObject, bundle: Bundle) => {
  const { approvalId, processCode, delivery } = bundle.inputData as { approvalId: string; processCode: string; delivery: Record<string, unknown> };
  const known = await checkedDetail(zapierStore(z), approvalId);
  return { ...(await loadApprovalRecord(z, bundle, approvalId, processCode, known)), ...delivery };
};

/**
 * An instant "waiting too long" delivery (approvals/instant/waiting.ts): the approval record from one metered detail
 * fetch shared by the Zaps that received the delivery, the delivery's waiting fields on top, and the step name the
 * detail gives.
 */
export const instantWaitingApproval = async (z: ZObject, bundle: Bundle) => {
  const { processCode, delivery } = bundle.inputData as { processCode: string | null; delivery: InstantWaitingFields };
  const detail = await deliveryDetail(zapierTransport(z, bundle, 'hydration'), zapierStore(z), delivery);
  const record = await loadApprovalRecord(z, bundle, delivery.approval_id, processCode, detail);
  return { ...record, ...delivery, step_name: waitingStepName(detail, delivery.task_id) };
};

export const attachmentFile = async (z: ZObject, bundle: Bundle) => {
  const { processInstanceId, fileId, name, type, comment } = fileRefOf(bundle.inputData);
  const { downloadUri } = await grantProcessInstanceForDownloadFile(zapierTransport(z, bundle, 'hydration'), {
    processInstanceId,
    fileId,
    ...(comment ? { withCommentAttatchment: true } : {}),
  });
  // core's stashFile takes a raw-response promise plus a name and type (create-file-stasher.js); its .d.ts
  // types that overload with one argument only. The download URL is pre-signed: no token is added.
  const stash = z.stashFile as (input: Promise<RawHttpResponse>, knownLength?: number, filename?: string, contentType?: string) => string;
  return stash(z.request({ url: downloadUri, raw: true }), undefined, name, contentTypeOf(type));
};

/** The dehydrated pointer's inputData, read back with the types `approvalRecord` gave it. */
function fileRefOf(inputData: Record<string, unknown>): FileRef {
  return {
    processInstanceId: String(inputData.processInstanceId),
    fileId: String(inputData.fileId),
    name: String(inputData.name),
    type: String(inputData.type ?? ''),
    comment: inputData.comment === true,
  };
}

export default { approval, waitingApproval, instantWaitingApproval, attachmentFile };
