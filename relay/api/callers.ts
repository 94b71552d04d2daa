/**
 * Who is calling the subscription API. The caller presents its DingTalk app's Client ID and Client Secret as
 * HTTP Basic credentials: holding them proves it owns the app. A known tenant's secret is compared in constant
 * time (over SHA-256 hashes, so lengths leak nothing). An unknown app on the allow-list, or a known one whose
 * secret differs (rotated in the DingTalk console), is checked with DingTalk by fetching a token (not metered)
 * and then saved as the tenant. Anything off the allow-list is refused before DingTalk is asked.
 */
import type { IncomingMessage } from 'node:http';
import { DingTalkError } from '../../dingtalk/errors';
import { allows, type RelayConfig } from '../config';
import type { Logger } from '../log';
import { TenantInputError, type TenantService } from '../tenants';
import { sameSecret } from './access';

export type Caller = { ok: true; clientId: string } | { ok: false; status: number; error: string };

const HOW = 'Send your DingTalk app\'s Client ID and Client Secret as HTTP Basic credentials ("Authorization: Basic base64(clientId:clientSecret)").';

function basicCredentials(request: IncomingMessage): { clientId: string; clientSecret: string } | undefined {
  const encoded = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return undefined;
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

/** A known app whose secret did not match is checked with DingTalk at most this often, so strangers cannot make
 * the relay hammer DingTalk's token endpoint in the app's name. */
const RECHECK_MS = 10_000;

export function callerCheck(config: Pick<RelayConfig, 'allowedClientIds'>, tenants: TenantService, log: Logger, now: () => number = Date.now) {
  const lastRecheck = new Map<string, number>();
  return async function callerOf(request: IncomingMessage): Promise<Caller> {
    const credentials = basicCredentials(request);
    if (!credentials) return { ok: false, status: 401, error: HOW };
    const { clientId, clientSecret } = credentials;
    log.redact(clientSecret);
    if (!allows(config, clientId)) {
      return { ok: false, status: 403, error: `This relay does not serve the DingTalk app ${clientId}: its operator can add it to RELAY_ALLOWED_CLIENT_IDS.` };
    }
    const stored = await tenants.credentials(clientId);
    if (stored && sameSecret(stored.clientSecret, clientSecret)) return { ok: true, clientId };
    if (stored) {
      if (now() - (lastRecheck.get(clientId) ?? -Infinity) < RECHECK_MS) return { ok: false, status: 401, error: 'This Client Secret does not match the one the relay holds for this app. Copy it again from the app\'s Credentials page in the DingTalk developer console.' };
      lastRecheck.set(clientId, now());
    }
    try {
      // A rotated secret replaces the stored one; HTTP push credentials stay as they were.
      await tenants.add({ clientId, clientSecret, callbackToken: stored?.callbackToken ?? undefined, callbackAesKey: stored?.callbackAesKey ?? undefined });
      log.info(stored ? 'tenant.secret-updated' : 'tenant.registered', { clientId, via: 'subscription API' });
      return { ok: true, clientId };
    } catch (error) {
      if (error instanceof TenantInputError) return { ok: false, status: 400, error: error.problems.join(' ') };
      if (error instanceof DingTalkError && error.problem.kind === 'bad-credentials') {
        return { ok: false, status: 401, error: 'DingTalk did not accept this Client ID and Client Secret. Copy both again from the app\'s Credentials page in the DingTalk developer console.' };
      }
      log.error('tenant.check-failed', { clientId, error });
      return { ok: false, status: 502, error: 'The relay could not check these credentials with DingTalk just now; try again in a minute. The relay\'s log says why.' };
    }
  };
}
