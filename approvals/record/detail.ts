/**
 * GetProcessInstance results the ledger cached when it classified a finished approval: reading one is free,
 * so the record, Find Approval and Zapier's hydration try it before a metered fetch.
 */
import { ProcessInstance } from '../../dingtalk/schemas/workflow';
import type { ProcessInstanceDetail } from '../../dingtalk/workflow';
import { cacheKeys, cacheTtlS } from '../../lib/cache-keys';
import type { Store } from '../../lib/store';

/**
 * A detail stored under `key`, if it is there and still parses. Other caches keep details under their own keys
 * (a running approval's detail is never put under `detail`, which Find Approval trusts as final) and read them here.
 */
export async function storedDetail(store: Store, key: string): Promise<ProcessInstanceDetail | undefined> {
  const cached = ProcessInstance.safeParse(await store.get(key));
  return cached.success ? cached.data : undefined;
}

export const cachedDetail = (store: Store, id: string) => storedDetail(store, cacheKeys.detail(id));

export async function rememberDetail(store: Store, id: string, detail: ProcessInstanceDetail): Promise<void> {
  await store.set(cacheKeys.detail(id), detail, cacheTtlS.detail);
}
