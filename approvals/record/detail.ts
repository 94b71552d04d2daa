/**
 * GetProcessInstance results the ledger cached when it classified a finished approval: reading one is free,
 * so the record, Find Approval and Zapier's hydration try it before a metered fetch.
 */
import { ProcessInstance } from '../../dingtalk/schemas/workflow';
import type { ProcessInstanceDetail } from '../../dingtalk/workflow';
import { cacheKeys, cacheTtlS } from '../../lib/cache-keys';
import type { Store } from '../../lib/store';

export async function cachedDetail(store: Store, id: string): Promise<ProcessInstanceDetail | undefined> {
  const cached = ProcessInstance.safeParse(await store.get(cacheKeys.detail(id)));
  return cached.success ? cached.data : undefined;
}

export async function rememberDetail(store: Store, id: string, detail: ProcessInstanceDetail): Promise<void> {
  await store.set(cacheKeys.detail(id), detail, cacheTtlS.detail);
}
