/**
 * The full record for one approval, from its id, as every consumer delivers it: the triggers' hydration, Start
 * Approval, Find Approval and the actions inside Zapier (hydrators.ts wraps this), and the relay outside it.
 * A detail the ledger cached when it classified the approval is free; otherwise one metered fetch. User and
 * template names come from cached lookups (contacts calls are free; a template name costs at most one list call).
 */
import type { Transport } from '../../dingtalk/transport';
import { getProcessInstance, type ProcessInstanceDetail } from '../../dingtalk/workflow';
import type { Deadline } from '../../lib/deadline';
import type { Store } from '../../lib/store';
import { isFinal } from '../outcome';
import { cachedDetail, rememberDetail } from './detail';
import { templateName, userNames } from './lookup';
import { approvalRecord, userIdsOf, type FileRef } from './record';

export interface LoadOptions {
  /** A detail the caller already holds (no fetch, no cache read). */
  known?: ProcessInstanceDetail;
  /** After a write, names are a convenience: past the deadline, or failing, they are left out. */
  deadline?: Deadline;
  /** How an attachment becomes a file field (a dehydrated pointer inside Zapier, a URL or id elsewhere). */
  file: (ref: FileRef) => string;
}

/**
 * `processCode` may be null: GetProcessInstance does not return the template, so a caller given only an approval id
 * leaves Template Code and Template Name empty instead of spending a metered lookup.
 */
export async function loadRecord(transport: Transport, store: Store, id: string, processCode: string | null, { known, deadline, file }: LoadOptions) {
  const detail = known ?? (await cachedDetail(store, id)) ?? (await fetchDetail(transport, store, id));
  const lookups = Promise.all([userNames(transport, store, userIdsOf(detail)), processCode ? templateName(transport, store, processCode) : null]);
  const [names, template] = deadline ? await deadline.within(lookups).catch(() => [new Map<string, string>(), null] as const) : await lookups;
  return approvalRecord(id, detail, { processCode, templateName: template, names, file });
}

/**
 * One metered fetch. A finished approval's detail is kept as the ledger keeps the ones it classifies, so every
 * other Zap on the connection that receives the same approval (an instant Approval Approved and Approval
 * Finished, say) hydrates it for free; a running one is not, since its status is about to change.
 */
async function fetchDetail(transport: Transport, store: Store, id: string): Promise<ProcessInstanceDetail> {
  const detail = await getProcessInstance(transport, id);
  if (isFinal(detail.status)) await rememberDetail(store, id, detail);
  return detail;
}
