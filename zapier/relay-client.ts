/**
 * The one place the app talks to the organisation's DingTalk event relay (README section 8, "The subscription
 * API"): the connection test, and the instant trigger's subscribe, unsubscribe and sample read. These are not
 * DingTalk calls: they cost no quota, carry no DingTalk token, and skip the DingTalk error middleware and the
 * token refresh (both look for RELAY_REQUEST). The relay authenticates the caller with the connection's Client ID
 * and Client Secret as HTTP Basic credentials (relay/api/callers.ts): holding them proves the app is yours.
 */
import type { Bundle, HttpResponse, ZObject } from 'zapier-platform-core';
import { RelayEventRecord } from '../approvals/instant/event';
import { checkRelayUrl } from '../lib/relay-url';

/** A request option the middleware reads (z.request passes unknown keys through to `response.request`). */
export const RELAY_REQUEST = 'dingtalkRelayRequest';

export const isRelayRequest = (request: object) => (request as Record<string, unknown>)[RELAY_REQUEST] === true;

/** The filters the relay applies (relay/api/subscription-input.ts); hours and approvers only with the kind `waiting`. */
export interface RelayFilters {
  template?: string;
  originators?: string[];
  waitingHours?: number[];
  approvers?: string[];
}

export interface SubscriptionRequest extends RelayFilters {
  targetUrl: string;
  kinds: string[];
}

export interface EventsQuery extends RelayFilters {
  kinds: string[];
  limit: number;
}

/** The relay's answer body, or undefined when it is not JSON (a proxy's error page). */
function bodyOf(response: HttpResponse): Record<string, unknown> | undefined {
  try {
    const data: unknown = response.data;
    return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The relay's client for this connection, or undefined when the connection has no Relay URL. */
export function relayClient(z: ZObject, bundle: Bundle) {
  const relayUrl = String(bundle.authData.relayUrl ?? '').trim();
  if (!relayUrl) return undefined;
  const checked = checkRelayUrl(relayUrl);
  if (!checked.ok) throw new z.errors.Error(`${checked.problems.join('; ')}. Reconnect the DingTalk account with the corrected Relay URL.`, 'InvalidRelayUrl', 400);
  const { baseUrl } = checked;
  const host = new URL(baseUrl).host;
  const credentials = Buffer.from(`${String(bundle.authData.appKey ?? '').trim()}:${String(bundle.authData.appSecret ?? '').trim()}`).toString('base64');

  async function call(method: 'GET' | 'POST' | 'DELETE', path: string, options: { params?: Record<string, string>; body?: object } = {}) {
    const request = {
      url: `${baseUrl}${path}`,
      method,
      headers: { authorization: `Basic ${credentials}`, accept: 'application/json' },
      ...(options.params ? { params: options.params } : {}),
      ...(options.body ? { body: options.body } : {}),
      // The relay's 4xx carry a sentence (answerOf reads it); core would throw its own message first.
      skipThrowForStatus: true,
      [RELAY_REQUEST]: true,
    };
    try {
      return await z.request(request);
    } catch (error) {
      // core throws for a 401 before any middleware sees the answer (session auth: throw-for-stale-auth.js), and
      // the relay answers 401 only when DingTalk refused the credentials it was shown (relay/api/callers.ts).
      // Refreshing the DingTalk session cannot fix that, so it becomes the sentence, not a refresh.
      if (error instanceof z.errors.RefreshAuthError) {
        throw new z.errors.Error(
          `The DingTalk event relay at ${host} refused the request: DingTalk did not accept this connection's Client ID and Client Secret when the relay checked them (HTTP 401). Copy both again from the app's Credentials page in the DingTalk developer console and reconnect.`,
          'RelayRefused',
          401,
        );
      }
      // A 429 stays Zapier's ThrottledError: Zapier retries the step later.
      if (error instanceof z.errors.ThrottledError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new z.errors.Error(
        `The DingTalk event relay at ${host} could not be reached (${reason}). Check the Relay URL in the DingTalk connection and that the relay is running (its /health page answers).`,
        'RelayUnreachable',
        502,
      );
    }
  }

  /** The relay's answer as a sentence the user can act on; a 2xx returns its body. */
  function answerOf(response: HttpResponse, allowed: number[] = []): Record<string, unknown> {
    const body = bodyOf(response);
    if ((response.status >= 200 && response.status < 300) || allowed.includes(response.status)) return body ?? {};
    const said = typeof body?.error === 'string' ? body.error : undefined;
    if (response.status === 404 && !said) {
      throw new z.errors.Error(`${host} answered 404: it does not look like a DingTalk event relay. Check the Relay URL in the DingTalk connection (the relay's base address, without /v1).`, 'RelayNotFound', 404);
    }
    if (response.status >= 500 || !said) {
      throw new z.errors.Error(`The DingTalk event relay at ${host} answered HTTP ${response.status}${said ? `: ${said}` : ''}. Try again in a minute; the relay's log says why.`, 'RelayFailed', response.status);
    }
    throw new z.errors.Error(`The DingTalk event relay at ${host} refused the request: ${said}`, 'RelayRefused', response.status);
  }

  /** The filters in the relay's names; empty ones are left out (an empty list would mean "everyone" anyway). */
  const lists = (query: RelayFilters) => ({
    ...(query.template ? { template: query.template } : {}),
    ...(query.originators?.length ? { originators: query.originators } : {}),
    ...(query.waitingHours?.length ? { waiting_hours: query.waitingHours } : {}),
    ...(query.approvers?.length ? { approvers: query.approvers } : {}),
  });

  return {
    host,
    /** The connection test: the relay answers and accepts this DingTalk app. */
    async me(): Promise<{ client_id: string }> {
      const body = answerOf(await call('GET', '/v1/me'));
      if (typeof body.client_id !== 'string') throw new z.errors.Error(`${host} answered /v1/me without a client_id: it does not look like a DingTalk event relay. Check the Relay URL.`, 'RelayNotFound', 502);
      return { client_id: body.client_id };
    },
    /** Registers Zapier's hook URL with the filters; the relay's subscription id. */
    async subscribe({ targetUrl, kinds, ...filters }: SubscriptionRequest): Promise<{ id: string }> {
      const body = answerOf(await call('POST', '/v1/subscriptions', { body: { target_url: targetUrl, kinds, ...lists(filters) } }));
      if (typeof body.id !== 'string') throw new z.errors.Error(`The DingTalk event relay at ${host} did not return a subscription id.`, 'RelayFailed', 502);
      return { id: body.id };
    },
    /** Idempotent, as Zapier calls it when a Zap is turned off and again when it is deleted: a 404 is success too. */
    async unsubscribe(id: string): Promise<{ id: string; deleted: boolean }> {
      const response = await call('DELETE', `/v1/subscriptions/${encodeURIComponent(id)}`);
      const body = answerOf(response, [404]);
      return { id, deleted: response.status !== 404 && body.deleted === true };
    },
    /** The tenant's recent events from the relay's own log, as a hook receives them. No DingTalk call. */
    async events({ kinds, limit, ...filters }: EventsQuery): Promise<RelayEventRecord[]> {
      // The query string takes lists as comma-separated values (relay/api/subscription-input.ts filtersFromQuery).
      const params: Record<string, string> = { kinds: kinds.join(','), limit: String(limit) };
      for (const [name, value] of Object.entries(lists(filters))) params[name] = Array.isArray(value) ? value.join(',') : value;
      const body = answerOf(await call('GET', '/v1/events', { params }));
      const events = Array.isArray(body.events) ? body.events : [];
      return events.flatMap((event) => {
        const parsed = RelayEventRecord.safeParse(event);
        return parsed.success ? [parsed.data] : [];
      });
    },
  };
}

export type RelayClient = NonNullable<ReturnType<typeof relayClient>>;
