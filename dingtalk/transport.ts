/**
 * One request function; the adapters live with their runtimes.
 *
 * The client modules (auth, workflow, contact, message) describe a call as a `DingTalkRequest` and hand it to a
 * `Transport`. Inside Zapier the transport is `z.request` (zapier/transport.ts), so Zapier logs the call, scrubs
 * secrets and refreshes the session; outside Zapier (the relay, scripts, the sandbox demo) it is axios
 * (axios-transport.ts). This folder imports nothing from zapier-platform-core. Both return the parsed
 * JSON body of a successful call and throw for a DingTalk error, classified by `problemOf` in errors.ts.
 */
import type { Endpoint, Host } from './endpoints';

/** The z.request option that tells the middleware which error codes mean "nothing found" for this call. */
export const NOT_FOUND_CODES_OPTION = 'dingtalkNotFoundCodes';

export type QueryValue = string | number | boolean | undefined;

export interface DingTalkRequest {
  endpoint: Endpoint;
  query?: Record<string, QueryValue>;
  body?: Record<string, unknown>;
  /** Error codes that mean "nothing found" for this call: the body is returned instead of an error. */
  notFoundCodes?: string[];
}

/**
 * Counts metered calls for the quota governor (quota/meter.ts): `count` before a metered call is sent,
 * `settle` once it answered or failed, so the count is stored before the step ends.
 */
export interface CallCounter {
  count(endpoint: Endpoint): void;
  settle(): Promise<void>;
}

export type Transport = ((request: DingTalkRequest) => Promise<unknown>) & { counter?: CallCounter };

const DEFAULT_BASE_URLS: Record<Host, string> = {
  api: 'https://api.dingtalk.com',
  oapi: 'https://oapi.dingtalk.com',
};

/** Base URLs can be pointed at a local DingTalk stand-in with DINGTALK_API_BASE_URL / DINGTALK_OAPI_BASE_URL. */
export function baseUrl(host: Host): string {
  const override = host === 'api' ? process.env.DINGTALK_API_BASE_URL : process.env.DINGTALK_OAPI_BASE_URL;
  return (override || DEFAULT_BASE_URLS[host]).replace(/\/+$/, '');
}

export const urlOf = (endpoint: Endpoint): string => baseUrl(endpoint.host) + endpoint.path;

const definedOnly = (query: Record<string, QueryValue> = {}): Record<string, string> =>
  Object.fromEntries(
    Object.entries(query).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])),
  );

/** Where DingTalk wants the token: a header on api.dingtalk.com, `?access_token=` on oapi. */
export function withToken(request: DingTalkRequest, token: string | undefined) {
  const params = definedOnly(request.query);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (request.endpoint.authenticated && token) {
    if (request.endpoint.host === 'api') headers['x-acs-dingtalk-access-token'] = token;
    else params.access_token = token;
  }
  return { params, headers };
}
