/**
 * Hydrators: work Zapier does only when a Zap step actually uses the data.
 * - `approval` turns an approval id into the full record (one detail fetch, or none when the poll that
 *   classified it cached the detail).
 * - `attachmentFile` asks DingTalk for a fresh download URL (they expire after 15 minutes) and stashes the
 *   bytes with the file's real name and type.
 */
import type { Bundle, RawHttpResponse, ZObject } from 'zapier-platform-core';
import { cachedDetail } from './approvals/record/detail';
import { contentTypeOf } from './approvals/record/files';
import { templateName, userNames } from './approvals/record/lookup';
import { approvalRecord, userIdsOf, type FileRef } from './approvals/record/record';
import { getProcessInstance, grantProcessInstanceForDownloadFile, type ProcessInstanceDetail } from './dingtalk/workflow';
import type { Deadline } from './lib/deadline';
import { zapierStore } from './zapier/store';
import { zapierTransport } from './zapier/transport';

/**
 * The full record for one approval, as the triggers, Start Approval and Find Approval deliver it.
 * `processCode` may be null: GetProcessInstance does not return the template, so an action given only an approval id
 * (Approve or Reject, Revoke) leaves Template Code and Template Name empty instead of spending a metered lookup.
 */
export async function loadApprovalRecord(z: ZObject, bundle: Bundle, id: string, processCode: string | null, known?: ProcessInstanceDetail, deadline?: Deadline) {
  const transport = zapierTransport(z, bundle);
  const store = zapierStore(z);
  // A detail a poll cached when it classified the approval is free; otherwise one metered fetch.
  const detail = known ?? (await cachedDetail(store, id)) ?? (await getProcessInstance(transport, id));
  const lookups = Promise.all([
    userNames(transport, store, userIdsOf(detail)),
    processCode ? templateName(transport, store, processCode) : null,
  ]);
  // After a write (see zapier/after-write.ts) names are a convenience: past the deadline, or failing, they are left out.
  const [names, template] = deadline ? await deadline.within(lookups).catch(() => [new Map<string, string>(), null] as const) : await lookups;
  return approvalRecord(id, detail, {
    processCode,
    templateName: template,
    names,
    file: dehydratedFile(z),
  });
}

/** An attachment as a Zapier file field: a pointer that `attachmentFile` turns into the file when a step uses it. */
export const dehydratedFile = (z: ZObject) => (ref: FileRef) => z.dehydrateFile(attachmentFile, { ...ref });

export const approval = async (z: ZObject, bundle: Bundle) =>
  loadApprovalRecord(z, bundle, String(bundle.inputData.id), String(bundle.inputData.processCode));

export const attachmentFile = async (z: ZObject, bundle: Bundle) => {
  const { processInstanceId, fileId, name, type, comment } = fileRefOf(bundle.inputData);
  const { downloadUri } = await grantProcessInstanceForDownloadFile(zapierTransport(z, bundle), {
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

export default { approval, attachmentFile };
