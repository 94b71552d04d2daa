/**
 * A subscription's secrets at rest: its target URL (Zapier's hook URLs are bearer secrets) and its `whsec_`
 * signing secret, each sealed for its own subscription and field (relay/secrets.ts), and redacted from logs once
 * opened.
 */
import type { Logger } from '../log';
import type { Sealer } from '../secrets';
import type { SubscriptionRow } from '../store/subscriptions';

const context = (id: string, field: 'targetUrl' | 'signingSecret') => `subscription/${id}/${field}`;

export const sealSubscription = (sealer: Sealer, id: string, targetUrl: string, signingSecret: string) => ({
  targetUrl: sealer.seal(targetUrl, context(id, 'targetUrl')),
  signingSecret: sealer.seal(signingSecret, context(id, 'signingSecret')),
});

export function openSubscription(sealer: Sealer, row: Pick<SubscriptionRow, 'id' | 'targetUrl' | 'signingSecret'>, log: Logger) {
  const targetUrl = sealer.open(row.targetUrl, context(row.id, 'targetUrl'));
  const signingSecret = sealer.open(row.signingSecret ?? '', context(row.id, 'signingSecret'));
  log.redact(targetUrl);
  log.redact(signingSecret);
  return { targetUrl, signingSecret };
}
