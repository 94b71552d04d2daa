/** oauth2_1_0: the internal app's access token (obtain-the-access-token-of-an-internal-app). */
import { call } from './call';
import { endpoints } from './endpoints';
import { GetAccessTokenResponseBody } from './schemas/oauth2';
import type { Transport } from './transport';

export interface AccessToken {
  accessToken: string;
  /** Seconds the token stays valid (7200). A repeat call inside that window returns the same token. */
  expireIn: number;
}

/** Exchanges the app's AppKey/AppSecret (Client ID/Secret) for an app access token. */
export async function getAccessToken(transport: Transport, body: { appKey: string; appSecret: string }): Promise<AccessToken> {
  const { accessToken, expireIn } = await call(transport, endpoints.GetAccessToken, GetAccessTokenResponseBody, { body });
  return { accessToken, expireIn };
}

/** DingTalk's token lifetime (obtain-the-access-token-of-an-internal-app), assumed when a caller does not know it. */
export const DEFAULT_TOKEN_LIFETIME_S = 7200;

/**
 * How long before its expiry a token is renewed: `preferredMs` for DingTalk's two-hour token, but never more than a
 * tenth of the token's lifetime. A fixed margin longer than the lifetime (a 60 s token against 5 minutes) would make
 * every new token "about to expire" from the moment it was issued, and every call would ask for another.
 */
export function renewalMarginMs(lifetimeSeconds: number, preferredMs: number): number {
  return Math.min(preferredMs, (lifetimeSeconds * 1000) / 10);
}
