/** A relay store with one tenant, one subscription, an approval, an error with markup in it, and a dead letter. */
import type { Store } from '../../relay/store';
import { deliveryWorker } from '../../relay/delivery/worker';
import { createLogger } from '../../relay/log';
import { approvalEvent, sealer, subscribe } from './delivery-fixtures';
import type { startReceiver } from './receiver';

export const MARKUP = '<img src=x onerror="document.title=\'owned\'"> & <script>alert(1)</script>';

export async function storeWithDeadLetter(store: Store, hook: Awaited<ReturnType<typeof startReceiver>>, now: number) {
  await store.tenants.save({ clientId: 'dingA', clientSecret: sealer.seal('client-secret-of-dingA-0123456789', 'tenant/dingA/clientSecret') }, now);
  const secret = await subscribe(store, 'sub-1', `${hook.url}/hooks/catch/1/abc/`);
  await store.errors.record({ tenantId: 'dingA', at: now, source: 'stream', message: `Title ${MARKUP}` });
  // An approval that took two hours from start to finish, both events as DingTalk pushes them.
  await store.events.record([approvalEvent({ eventId: 'ev-start', changeType: 'start', result: null, occurredAt: now - 7_200_000 - 1000 })], now);
  await store.events.record([approvalEvent({ eventId: 'ev-finish', occurredAt: now - 1000 })], now);
  // One attempt only, answered 500 by the receiver: the delivery becomes a dead letter.
  const once = deliveryWorker({ store, sealer, log: createLogger(() => undefined), schedule: [0] });
  await once.runOnce();
  return secret;
}
