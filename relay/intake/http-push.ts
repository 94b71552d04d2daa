/**
 * DingTalk's encrypted HTTP push: `POST /dingtalk/events/{clientId}?signature&timestamp&nonce` (or the samples'
 * msg_signature/timeStamp) with `{"encrypt": …}` (../shared/dingtalk-events.md §6). In order, before anything is
 * stored: the tenant and its push credentials, the signature (constant time), the timestamp's freshness, the
 * decryption and the owner key (the app's Client ID), and the nonce (refused if seen before). Then the event is
 * committed and the reply is DingTalk's encrypted, signed "success". `check_url` gets the same reply, unstored.
 *
 * The deadline is 1,500 ms, durable insert included (§6: the strictest of DingTalk's figures; 2,500 ms elsewhere ⚠).
 * A failed store answers 503 quickly, so DingTalk pushes again (its retry schedule is undocumented ⚠) and the
 * nonce is forgotten again, in case a retry reuses it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { envelopeOf, openPush, PushCryptoError, pushTimestampMs, sealPush, SUCCESS_REPLY, type PushCredentials } from '../../dingtalk/events/crypto';
import { sendJson, type Handler } from '../api/server';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { TenantService } from '../tenants';
import type { Ingest } from './ingest';

export const PUSH_PATH = /^\/dingtalk\/events\/([A-Za-z0-9_-]+)$/;

/**
 * ±5 minutes. Wide enough for clock skew between DingTalk and an NTP-synced server plus the request's own transit;
 * narrow enough that a captured request is useless soon after. Nonces are kept for the whole retention period
 * (8 days or more), far longer than the window, so every request the window admits is also checked for replay.
 * Whether DingTalk's retries carry a new timestamp is undocumented ⚠: if they reuse the first one, retries later
 * than 5 minutes are refused here, and the daily reconcile recovers their finished approvals.
 */
export const FRESHNESS_WINDOW_MS = 5 * 60_000;
/** A body larger than this is not a DingTalk push (events are a few kB). */
const MAX_BODY_BYTES = 256 * 1024;

export interface HttpPushOptions {
  store: Store;
  tenants: Pick<TenantService, 'credentials'>;
  ingest: Ingest;
  log: Logger;
  now?: () => number;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Refusal(413, 'The body is larger than any DingTalk push.');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new Refusal(400, 'The body is not JSON: DingTalk sends {"encrypt": "…"}.');
  }
}

export function httpPushRoute({ store, tenants, ingest, log, now = Date.now }: HttpPushOptions): { match: (method: string, path: string) => boolean; handle: Handler } {
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://relay');
    const clientId = PUSH_PATH.exec(url.pathname)![1]!;
    let remembered: string | undefined;
    try {
      const body = await readJson(request);
      const envelope = envelopeOf(Object.fromEntries(url.searchParams), body);
      if ('missing' in envelope) throw new Refusal(400, `Not a DingTalk push: missing ${envelope.missing.join(', ')}.`);

      const stored = await tenants.credentials(clientId);
      if (!stored?.callbackToken || !stored.callbackAesKey) {
        throw new Refusal(404, `No tenant ${clientId} with HTTP push credentials here: add it with tenant add --callback-token … --callback-aes-key ….`);
      }
      const credentials: PushCredentials = { token: stored.callbackToken, aesKey: stored.callbackAesKey, ownerKey: clientId };

      const at = now();
      const sentAt = pushTimestampMs(envelope.timestamp);
      let plaintext: string;
      try {
        plaintext = openPush(credentials, envelope);
      } catch (error) {
        if (error instanceof PushCryptoError) throw new Refusal(error.problem === 'bad-signature' ? 401 : 400, error.message);
        throw error;
      }
      if (sentAt === undefined || Math.abs(at - sentAt) > FRESHNESS_WINDOW_MS) {
        throw new Refusal(403, `The push's timestamp is not within ${FRESHNESS_WINDOW_MS / 60_000} minutes of this server's clock: a replay, or this server's clock is wrong (sync it with NTP).`);
      }
      if (!(await store.nonces.remember(clientId, envelope.nonce, at))) throw new Refusal(403, 'This nonce was seen before: the request is a replay.');
      remembered = envelope.nonce;

      let payload: unknown;
      try {
        payload = JSON.parse(plaintext);
      } catch {
        throw new Refusal(400, 'The decrypted push is not JSON.');
      }
      const ingested = await ingest(clientId, payload);
      if (ingested.outcome === 'check_url') log.info('http_push.check_url', { tenantId: clientId });
      sendJson(response, 200, sealPush(credentials, SUCCESS_REPLY, now()));
    } catch (error) {
      if (error instanceof Refusal) {
        log.warn('http_push.refused', { tenantId: clientId, status: error.status, reason: error.message });
        return sendJson(response, error.status, { error: error.message });
      }
      // The store failed: DingTalk must push again, and may reuse the nonce.
      if (remembered) await store.nonces.forget(clientId, remembered).catch(() => undefined);
      log.error('http_push.store_failed', { tenantId: clientId, error });
      sendJson(response, 503, { error: 'The relay could not store the event; DingTalk will push it again.' });
    }
  }
  return { match: (method, path) => method === 'POST' && PUSH_PATH.test(path), handle };
}
