/** What the delivery and timer tests share: an approval event, the sealer, and a subscription stored directly. */
import { sealerFor } from '../../relay/secrets';
import type { NewEvent, Store } from '../../relay/store';
import type { SubscriptionFilters } from '../../relay/store/subscriptions';
import { newSigningSecret } from '../../relay/delivery/signature';
import { sealSubscription } from '../../relay/delivery/subscription-secrets';

export const T0 = Date.parse('2026-11-20T10:00:00+08:00');
export const sealer = sealerFor('delivery test master key, 32+ characters');

export const approvalEvent = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  tenantId: 'dingA',
  eventId: 'ev-1',
  eventType: 'bpms_instance_change',
  changeType: 'finish',
  result: 'agree',
  processInstanceId: 'pi-1',
  processCode: 'PROC-EXPENSE',
  staffId: 'user-originator',
  corpId: 'ding-corp',
  occurredAt: T0 - 1000,
  bornAt: T0,
  via: 'stream',
  raw: {},
  ...overrides,
});

export async function subscribe(store: Store, id: string, targetUrl: string, filters: SubscriptionFilters = { kinds: ['approved'] }, tenantId = 'dingA') {
  const secret = newSigningSecret();
  const sealed = sealSubscription(sealer, id, targetUrl, secret);
  await store.subscriptions.add({ id, tenantId, kind: 'webhook', targetUrl: sealed.targetUrl, signingSecret: sealed.signingSecret, filters }, T0);
  return secret;
}
