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
