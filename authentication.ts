/**
 * The connection: DingTalk's client-credentials token for an internal app, as Zapier session auth
 * (Zapier's oauth2 type only does the authorization-code flow).
 *
 * The token is fetched once by `sessionConfig.perform` and stored in authData with its expiry. The
 * beforeRequest in this file asks Zapier for a new session shortly before that expiry, and the afterResponse
 * in middleware.ts does the same when DingTalk reports the token invalid, so a token is never fetched per request.
 */
import type { Authentication, BeforeRequestMiddleware, Bundle, ZObject } from 'zapier-platform-core';
import { DEFAULT_TOKEN_LIFETIME_S, getAccessToken, renewalMarginMs } from './dingtalk/auth';
import { getDepartment } from './dingtalk/contact';
import { MINUTE_MS } from './lib/time';
import { zapierTransport } from './zapier/transport';
import { isRelayRequest, relayClient } from './zapier/relay-client';
import { DEVELOPER_CONSOLE_URL as CONSOLE_URL, endpoints } from './dingtalk/endpoints';
import { budgetProblems } from './quota/budget';
import { budgetFields, budgetSettings } from './zapier/quota';

/** Ask for a new token this long before DingTalk's 7,200 s expiry, so no request races it (less for shorter tokens). */
export const EXPIRY_MARGIN_MS = 5 * MINUTE_MS;

export const fetchSession = async (z: ZObject, bundle: Bundle) => {
  const token = await getAccessToken(zapierTransport(z, bundle, 'connection'), {
    appKey: String(bundle.authData.appKey ?? '').trim(),
    appSecret: String(bundle.authData.appSecret ?? '').trim(),
  });
  return {
    accessToken: token.accessToken,
    accessTokenExpiresAt: String(Date.now() + token.expireIn * 1000),
    // Kept so the refresh margin can scale with the lifetime (tokenExpiresSoon).
    accessTokenLifetimeSeconds: String(token.expireIn),
    // When the connection was first made, kept across session refreshes: a lost call meter is estimated from
    // then, not from the month's start (quota/meter.ts conservativeMeter).
    connectedAt: String(bundle.authData.connectedAt ?? Date.now()),
  };
};

/**
 * A cheap, free (contacts) call that proves the token works and names the organisation; with a Relay URL, also
 * that the relay answers and accepts this app (not a DingTalk call). Bad budget fields are refused first, all of
 * them in one message, so a connection never runs on a budget it did not ask for.
 */
export const testConnection = async (z: ZObject, bundle: Bundle) => {
  const problems = budgetProblems(budgetSettings(bundle.authData));
  if (problems.length) throw new z.errors.Error(`Please fix the connection: ${problems.join('; ')}.`, 'InvalidBudget', 400);
  const root = await getDepartment(zapierTransport(z, bundle, 'connection'));
  const relay = relayClient(z, bundle);
  if (relay) await relay.me();
  return { organization_name: root.name, connection_label: root.name || String(bundle.authData.appKey), ...(relay ? { relay_host: relay.host } : {}) };
};

/**
 * Whether the stored token expires within `withinMs` plus the refresh margin; false without a stored token. The
 * margin scales with the token's lifetime, and the whole window never exceeds half of it, so a freshly issued
 * token is never "about to expire" however short-lived (the sandbox's `--token-ttl 60`). Connections made
 * before the lifetime was stored count as DingTalk's 7,200 s.
 */
export function tokenExpiresSoon(bundle: Bundle, withinMs = 0): boolean {
  const expiresAt = Number(bundle.authData?.accessTokenExpiresAt);
  if (!bundle.authData?.accessToken || !expiresAt) return false;
  const lifetimeSeconds = Number(bundle.authData.accessTokenLifetimeSeconds) || DEFAULT_TOKEN_LIFETIME_S;
  const guardMs = Math.min(renewalMarginMs(lifetimeSeconds, EXPIRY_MARGIN_MS) + withinMs, (lifetimeSeconds * 1000) / 2);
  return expiresAt - guardMs < Date.now();
}

/** Refreshes the session before the stored token expires instead of spending a failed call on it. */

export const refreshExpiringToken: BeforeRequestMiddleware = (request, z, bundle) => {
  const isTokenCall = String(request.url ?? '').endsWith(endpoints.GetAccessToken.path);
  if (!isTokenCall && !isRelayRequest(request) && tokenExpiresSoon(bundle)) {
    throw new z.errors.RefreshAuthError('The DingTalk access token is about to expire; fetching a new one.');
  }
  return request;
};

export default {
  type: 'session',
  fields: [
    {
      key: 'appKey',
      label: 'Client ID (AppKey)',
      required: true,
      helpText: `The Client ID of your DingTalk internal app. Find it in the [DingTalk developer console](${CONSOLE_URL}) under your app → Credentials & Basic Info (凭证与基础信息).`,
    },
    {
      key: 'appSecret',
      label: 'Client Secret (AppSecret)',
      required: true,
      type: 'password',
      helpText: `The Client Secret shown next to the Client ID in the [DingTalk developer console](${CONSOLE_URL}) under Credentials & Basic Info.`,
    },
    {
      key: 'agentId',
      label: 'Agent ID',
      required: false,
      helpText: `Only needed to send work notifications. Find the AgentId in the [DingTalk developer console](${CONSOLE_URL}) under your app → Credentials & Basic Info; it is a number such as 3012345678.`,
    },
    {
      key: 'relayUrl',
      label: 'Relay URL',
      required: false,
      helpText:
        'Only for the instant trigger (Approval Event (Instant)); leave empty to use the polling triggers. The address of your DingTalk event relay, ' +
        'for example https://relay.example.com: a small service that your organisation or your DingTalk service partner runs, which receives ' +
        "DingTalk's approval events and passes them on within seconds. It must use https:// (http:// only on 127.0.0.1 or localhost), and " +
        "accept this app's Client ID (its RELAY_ALLOWED_CLIENT_IDS). How to run one: the integration's README, section 8, Run the relay.",
    },
    ...budgetFields,
    { key: 'accessToken', type: 'string', required: false, computed: true },
    { key: 'accessTokenExpiresAt', type: 'string', required: false, computed: true },
    { key: 'accessTokenLifetimeSeconds', type: 'string', required: false, computed: true },
    { key: 'connectedAt', type: 'string', required: false, computed: true },
  ],
  sessionConfig: { perform: fetchSession },
  test: testConnection,
  connectionLabel: '{{connection_label}}',
} satisfies Authentication;
