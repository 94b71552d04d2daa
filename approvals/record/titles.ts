/**
 * What a person recognises an approval by (its title, originator and submission time), remembered per approval
 * whenever a detail is fetched anyway, so the approval dropdown can label its choices without spending a metered
 * call on each one every time it loads. An approval's title never changes after it is started.
 */
import type { ProcessInstanceDetail } from '../../dingtalk/workflow';
import { cacheKeys, cacheTtlS } from '../../lib/cache-keys';
import type { Store } from '../../lib/store';
import { msFromApiTime } from '../../lib/time';

export interface ApprovalTitle {
  title: string | null;
  originatorUserId: string | null;
  /** Submission time (ms), when DingTalk gave one. */
  createdAt: number | null;
}

export function titleOf(detail: ProcessInstanceDetail): ApprovalTitle {
  return { title: detail.title ?? null, originatorUserId: detail.originatorUserId ?? null, createdAt: msFromApiTime(detail.createTime) ?? null };
}

export async function rememberTitle(store: Store, id: string, detail: ProcessInstanceDetail): Promise<ApprovalTitle> {
  const title = titleOf(detail);
  await store.set(cacheKeys.title(id), title, cacheTtlS.title);
  return title;
}
