/**
 * The status page: `GET /` renders every tenant's figures as HTML, and `POST /status/replay` sends dead letters
 * again from its buttons. Both follow /status's rule (this machine by a loopback Host, or RELAY_STATUS_TOKEN; see
 * access.ts), and a replay has guards of its own:
 * - CSRF. A browser sends the token (an HTTP Basic password) or the loopback address with every request,
 *   whichever site started it. A replay must therefore carry the `x-relay-status-page` header: another site can
 *   only add a custom header through a CORS preflight, which the relay never grants, and an HTML form cannot add
 *   one. An `Origin` or `Sec-Fetch-Site` that names another site is refused as well.
 * - DNS rebinding (access.ts, for /status too). Without a token, the request's Host must name this machine, so a
 *   page on another domain that resolves to 127.0.0.1 cannot read the page or replay through the loopback exemption.
 * Tenants replay their own dead letters through the subscription API (`POST /v1/dead-letters/replay`).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayConfig } from '../config';
import type { Logger } from '../log';
import type { Store } from '../store';
import { accessOf } from './access';
import { sendJson, type Handler } from './server';
import { CHINA_OFFSET_MS, periodStarts, statusOf, type StatusSource } from './status';
import { renderPage, type TenantView } from './status-html';

export interface StatusPageOptions {
  config: Pick<RelayConfig, 'statusToken'>;
  store: Store;
  log: Logger;
  statusSources: StatusSource[];
  now?: () => number;
  /** Called when dead letters were replayed, so the delivery worker looks at once. */
  replayed?: () => void;
}

const DAY_MS = 86_400_000;
const CHART_DAYS = 14;
const PROCESSING_DAYS = 30;
const DEAD_LETTERS_SHOWN = 20;
const MAX_BODY_BYTES = 4 * 1024;

type Verdict = { ok: true } | { ok: false; status: number; message: string; basic?: boolean };

function verdictOf(request: IncomingMessage, statusToken: string | undefined): Verdict {
  const access = accessOf(request, statusToken);
  if (access === 'no-token-configured') return { ok: false, status: 403, message: 'The status page is available off this machine only with a token: set RELAY_STATUS_TOKEN on the relay.' };
  if (access === 'needs-token') return { ok: false, status: 401, message: 'Sign in with any user name and RELAY_STATUS_TOKEN as the password.', basic: true };
  if (access === 'foreign-host') return { ok: false, status: 403, message: 'Open the status page as http://127.0.0.1:<port>/ or http://localhost:<port>/ on this machine, or send RELAY_STATUS_TOKEN.' };
  return { ok: true };
}

/** Why a replay did not come from the page itself, if it did not. */
function crossSiteProblem(request: IncomingMessage): string | undefined {
  if (request.headers['x-relay-status-page'] !== 'replay') return 'Replays come from the status page\'s buttons (header x-relay-status-page: replay); tenants can use POST /v1/dead-letters/replay.';
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return 'Replays are accepted from the status page itself only.';
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== request.headers.host) return 'Replays are accepted from the status page itself only.';
  }
  return undefined;
}

async function smallJson(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  let text = '';
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > MAX_BODY_BYTES) return undefined;
  }
  try {
    const body: unknown = JSON.parse(text || '{}');
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const localDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export function statusPage({ config, store, log, statusSources, now = Date.now, replayed = () => undefined }: StatusPageOptions) {
  const refuse = (response: ServerResponse, verdict: Extract<Verdict, { ok: false }>, html: boolean) => {
    if (verdict.basic) response.setHeader('www-authenticate', 'Basic realm="DingTalk relay status", charset="UTF-8"');
    if (!html) return sendJson(response, verdict.status, { error: verdict.message });
    const body = `<!doctype html><meta charset="utf-8"><title>DingTalk Event Relay</title><p>${verdict.message.replace(/</g, '&lt;')}</p>`;
    response.writeHead(verdict.status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(body);
  };

  async function tenantViews(at: number): Promise<{ time: string; database: string; tenants: TenantView[] }> {
    const status = await statusOf(store, statusSources, at);
    const today = Math.floor((periodStarts(at).todayStart + CHINA_OFFSET_MS) / DAY_MS);
    const tenants = await Promise.all(
      status.tenants.map(async (tenant) => {
        // What intake (connections, pushQuota) and delivery (deliveries) add to /status, in the shapes they export.
        const entry = tenant as typeof tenant & Partial<Pick<TenantView, 'connections' | 'pushQuota' | 'deliveries'>>;
        const [perDay, processing, dead] = await Promise.all([
          store.charts.eventsPerDay(tenant.clientId, (today - CHART_DAYS + 1) * DAY_MS - CHINA_OFFSET_MS, CHINA_OFFSET_MS),
          store.charts.processingTime(tenant.clientId, at - PROCESSING_DAYS * DAY_MS),
          store.deliveries.deadOf(tenant.clientId, DEAD_LETTERS_SHOWN),
        ]);
        const counted = new Map(perDay.map((row) => [row.day, row.events]));
        return {
          clientId: tenant.clientId,
          connections: entry.connections ?? [],
          eventsToday: tenant.eventsToday,
          eventsThisMonth: tenant.eventsThisMonth,
          lastEventAt: tenant.lastEventAt,
          pushQuota: entry.pushQuota,
          deliveries: entry.deliveries,
          reconcile: tenant.reconcile,
          repeatedFinishesThisMonth: tenant.repeatedFinishesThisMonth,
          errors: tenant.errors,
          deadLetters: dead.map((row) => ({ eventId: Number(row.eventId), subscriptionId: row.subscriptionId, attempts: Number(row.attempts), httpStatus: row.lastStatus, error: row.lastError, at: new Date(Number(row.updatedAt)).toISOString() })),
          eventsPerDay: Array.from({ length: CHART_DAYS }, (_, i) => today - CHART_DAYS + 1 + i).map((day) => ({ date: localDate(day), events: counted.get(day) ?? 0 })),
          processing,
        };
      }),
    );
    return { time: status.time!, database: status.database, tenants };
  }

  const page: Handler = async (request, response) => {
    const verdict = verdictOf(request, config.statusToken);
    if (!verdict.ok) return refuse(response, verdict, true);
    const nonce = randomBytes(16).toString('base64');
    const html = renderPage(await tenantViews(now()), nonce);
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(html),
      // Nothing runs but the page's own script, nothing loads from elsewhere, and no other site may frame it.
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    response.end(html);
  };

  const replay: Handler = async (request, response) => {
    const verdict = verdictOf(request, config.statusToken);
    if (!verdict.ok) return refuse(response, verdict, false);
    const problem = crossSiteProblem(request);
    if (problem) return sendJson(response, 403, { error: problem });
    const body = await smallJson(request);
    const clientId = body?.client_id;
    const eventId = body?.event_id;
    const subscriptionId = body?.subscription_id;
    const problems: string[] = [];
    if (typeof clientId !== 'string' || clientId === '') problems.push('client_id must be a tenant\'s Client ID.');
    if (eventId !== undefined && !Number.isInteger(eventId)) problems.push('event_id must be a stored event\'s number.');
    if (subscriptionId !== undefined && typeof subscriptionId !== 'string') problems.push('subscription_id must be a subscription\'s id.');
    if (eventId !== undefined && subscriptionId === undefined) problems.push('event_id needs its subscription_id.');
    if (!body || problems.length) return sendJson(response, 400, { error: body ? problems.join(' ') : 'The body must be a JSON object of at most 4 KB.', problems });

    let count: number;
    if (eventId !== undefined) {
      const subscription = await store.subscriptions.get(subscriptionId as string);
      const owned = subscription?.tenantId === clientId;
      count = owned && (await store.deliveries.replay({ eventId: eventId as number, subscriptionId: subscriptionId as string }, now())) ? 1 : 0;
    } else {
      count = await store.deliveries.replayDead(clientId as string, (subscriptionId as string | undefined) ?? null, now());
    }
    log.info('delivery.replayed', { clientId, subscriptionId: subscriptionId ?? null, eventId: eventId ?? null, count, via: 'status page' });
    if (count > 0) replayed();
    sendJson(response, 200, { replayed: count });
  };

  return [
    { match: (method: string, path: string) => method === 'GET' && path === '/', handle: page },
    { match: (method: string, path: string) => method === 'POST' && path === '/status/replay', handle: replay },
  ];
}
