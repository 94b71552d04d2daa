/**
 * What a person recognises an approval by (its title, originator and submission time), remembered per approval
 * whenever a detail is fetched anyway, so the approval dropdown can label its choices without spending a metered
 * call on each one every time it loads. An approval's title never changes after it is started.
 */
import type { ProcessInstanceDetail } from '../dingtalk/workflow';
import type { Store } from './store';
import { msFromApiTime } from './time';

export interface ApprovalTitle {
  title: string | null;
  originatorUserId: string | null;
  /** Submission time (ms), when DingTalk gave one. */
  createdAt: number | null;
}

/** As long as an outcome is remembered (ledger.ts OUTCOME_TTL_S): beyond DingTalk's 120-day listing window. */
const TITLE_TTL_S = 130 * 24 * 3600;
export const titleKey = (id: string) => `dingtalk:title:v1:${id}`;

export function titleOf(detail: ProcessInstanceDetail): ApprovalTitle {
  return { title: detail.title ?? null, originatorUserId: detail.originatorUserId ?? null, createdAt: msFromApiTime(detail.createTime) ?? null };
}

export async function rememberTitle(store: Store, id: string, detail: ProcessInstanceDetail): Promise<ApprovalTitle> {
  const title = titleOf(detail);
  await store.set(titleKey(id), title, TITLE_TTL_S);
  return title;
}
