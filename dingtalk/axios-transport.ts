/**
 * The axios adapter, for code that runs outside Zapier (scripts, the sandbox demo, benchmarks). Kept apart from
 * transport.ts so the Zapier app never loads axios on a cold start.
 */
import axios from 'axios';
import { getAccessToken, renewalMarginMs } from './auth';
import type { Endpoint } from './endpoints';
import { DingTalkError, problemOf } from './errors';
import { describeProblem } from './advice';
import { urlOf, withToken, type DingTalkRequest, type Transport } from './transport';

const RENEWAL_MARGIN_MS = 60 * 1000;

export interface AxiosTransportOptions {
  appKey: string;
  appSecret: string;
  /** Called with the endpoint of every request, e.g. to count metered calls. */
  onRequest?: (endpoint: Endpoint) => void;
  /** Give up on a request DingTalk has not answered after this long (default 30 s, Zapier's own limit). */
  timeoutMs?: number;
}

/**
 * The axios adapter for code that runs outside Zapier. It fetches the app token once, reuses it until it
 * expires, and fetches a new one (once) when DingTalk reports it expired.
 */
export function axiosTransport({ appKey, appSecret, onRequest, timeoutMs = 30_000 }: AxiosTransportOptions): Transport {
  const http = axios.create({ validateStatus: () => true, timeout: timeoutMs });
  let token: { value: string; expiresAt: number } | undefined;

  const send = async (request: DingTalkRequest, accessToken?: string) => {
    onRequest?.(request.endpoint);
    const { params, headers } = withToken(request, accessToken);
    const url = urlOf(request.endpoint);
    const response = await http.request({ url, method: request.endpoint.method, params, headers, data: request.body });
    const retryAfter = response.headers['retry-after'];
    const problem = problemOf({ url, method: request.endpoint.method, status: response.status, body: response.data, retryAfter: retryAfter == null ? null : String(retryAfter) });
    if (problem && !request.notFoundCodes?.includes(problem.code)) throw new DingTalkError(problem, describeProblem(problem));
    return response.data as unknown;
  };

  let pending: Promise<string> | undefined;
  /** Calls made together before a token exists share one token request. */
  const freshToken = (): Promise<string> => {
    if (token && token.expiresAt > Date.now()) return Promise.resolve(token.value);
    pending ??= getAccessToken((request) => send(request), { appKey, appSecret })
      .then((result) => {
        // Renew a minute early (less for a short-lived token) so a token never expires mid-request.
        token = { value: result.accessToken, expiresAt: Date.now() + result.expireIn * 1000 - renewalMarginMs(result.expireIn, RENEWAL_MARGIN_MS) };
        return token.value;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  return async (request) => {
    if (!request.endpoint.authenticated) return send(request);
    try {
      return await send(request, await freshToken());
    } catch (error) {
      if (!(error instanceof DingTalkError) || error.problem.kind !== 'expired-token') throw error;
      token = undefined;
      return send(request, await freshToken());
    }
  };
}
