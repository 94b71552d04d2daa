/** oauth2_1_0 GetAccessToken (obtain-the-access-token-of-an-internal-app). */
import { randomBytes } from 'node:crypto';
import type { EndpointName } from '../../dingtalk/endpoints';
import { apiError, ok, text, type Handler } from '../http';

const DAY_MS = 24 * 60 * 60 * 1000;

export const authRoutes: Partial<Record<EndpointName, Handler>> = {
  /** A repeat call inside the token's life returns the same token and extends it, as DingTalk documents. */
  GetAccessToken: (ctx, { body }) => {
    const { app, tokens } = ctx.state;
    if (text(body.appKey) !== app.appKey || text(body.appSecret) !== app.appSecret) {
      return apiError(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
    }
    const now = ctx.now();
    // Expired tokens are kept a day, so a late caller hears "expired" (42001 on oapi) rather than "unknown".
    for (const [token, expiresAt] of Object.entries(tokens)) if (expiresAt < now - DAY_MS) delete tokens[token];
    const live = Object.entries(tokens).find(([, expiresAt]) => expiresAt > now)?.[0];
    const token = live ?? `sbx-token-${randomBytes(16).toString('hex')}`;
    tokens[token] = now + ctx.tokenTtlSeconds * 1000;
    return ok({ accessToken: token, expireIn: ctx.tokenTtlSeconds });
  },
};
