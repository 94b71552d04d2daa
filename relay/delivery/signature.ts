/**
 * Standard Webhooks signatures (standard-webhooks/standard-webhooks spec @03f5f8c, dingtalk-events.md §8): the
 * secret is `whsec_` + base64 of random bytes (at least 24; we use 32), and a message is signed as
 * `v1,` + base64(HMAC-SHA256(key, `{webhook-id}.{webhook-timestamp}.{body}`)), the timestamp in unix seconds.
 */
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

export const newSigningSecret = () => `${PREFIX}${randomBytes(32).toString('base64')}`;

export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The three headers of one attempt; `webhook-id` stays the same across retries so receivers can dedupe. */
export function webhookHeaders(secret: string, id: string, body: string, now: number): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(secret, id, timestamp, body) };
}
