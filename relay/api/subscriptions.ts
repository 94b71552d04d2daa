/**
 * The subscription API (README "The subscription API"), for Zapier's REST hooks and for n8n, Make or any
 * receiver of Standard Webhooks. Every route authenticates the caller as a tenant (callers.ts) and sees only that
 * tenant's subscriptions, events and dead letters. The target URL (a secret for Zapier's hooks) and the signing
 * secret are sealed at rest; the signing secret is returned once, at creation.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayConfig } from '../config';
import { newSigningSecret } from '../delivery/signature';
import { eventRecord, type EventRecord } from '../delivery/record';
import { hostOf } from '../delivery/post';
import { sealSubscription } from '../delivery/subscription-secrets';
import type { Logger } from '../log';
import type { Sealer } from '../secrets';
import type { Store } from '../store';
import { matchesFilters, parseFilters, type SubscriptionFilters, type SubscriptionRow } from '../store/subscriptions';
import type { TenantService } from '../tenants';
import { callerCheck } from './callers';
import { sendJson, type Handler } from './server';
import { filtersFromQuery, subscriptionInput } from './subscription-input';

export interface SubscriptionApiOptions {
  config: Pick<RelayConfig, 'allowedClientIds'>;
  store: Store;
  sealer: Sealer;
  tenants: TenantService;
  log: Logger;
  now?: () => number;
  /** Called when dead letters were replayed, so the delivery worker looks at once. */
  replayed?: () => void;
}

const MAX_BODY_BYTES = 64 * 1024;
/** How far back the events read looks, in stored events of the tenant, before filtering. */
const EVENTS_SCANNED = 500;
const DEFAULT_EVENTS = 3;
const MAX_EVENTS = 100;

async function jsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RangeError('too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() ? JSON.parse(text) : {};
}

const iso = (ms: number) => new Date(Number(ms)).toISOString();

/** What the API shows of a subscription: never the signing secret, and the target URL's host only. */
const view = (row: SubscriptionRow, targetUrl: string) => {
  const filters = parseFilters(row.filters);
  return {
    id: row.id,
    target_host: hostOf(targetUrl),
    kinds: filters.kinds ?? [],
    template: filters.processCodes?.[0] ?? null,
    originators: filters.originators ?? [],
    waiting_hours: filters.waitingHours ?? [],
    approvers: filters.approvers ?? [],
    status: row.status,
    created_at: iso(row.createdAt),
  };
};

/** A waiting record's own filters: its threshold and the approver its task waits for. */
const waitingMatches = (filters: SubscriptionFilters, record: EventRecord) =>
  (!filters.waitingHours?.length || filters.waitingHours.includes(record.waiting_hours!)) &&
  (!filters.approvers?.length || (record.approver_user_id !== null && filters.approvers.includes(record.approver_user_id)));

export function subscriptionApi({ config, store, sealer, tenants, log, now = Date.now, replayed = () => undefined }: SubscriptionApiOptions) {
  const callerOf = callerCheck(config, tenants, log, now);
  const openUrl = (row: SubscriptionRow) => {
    const url = sealer.open(row.targetUrl, `subscription/${row.id}/targetUrl`);
    log.redact(url);
    return url;
  };

  /** Runs `handle` for an authenticated tenant, or answers why not. */
  const authenticated = (handle: (clientId: string, request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>): Handler =>
    async (request, response) => {
      const caller = await callerOf(request);
      if (!caller.ok) {
        if (caller.status === 401) response.setHeader('www-authenticate', 'Basic realm="dingtalk-relay"');
        return sendJson(response, caller.status, { error: caller.error });
      }
      await handle(caller.clientId, request, response, new URL(request.url ?? '/', 'http://relay'));
    };

  const create = authenticated(async (clientId, request, response) => {
    let body: unknown;
    try {
      body = await jsonBody(request);
    } catch (error) {
      return sendJson(response, error instanceof RangeError ? 413 : 400, { error: error instanceof RangeError ? 'The body is larger than 64 KB.' : 'The body is not valid JSON.' });
    }
    const checked = subscriptionInput(body);
    if (!checked.ok) return sendJson(response, 400, { error: checked.problems.join(' '), problems: checked.problems });
    const id = `sub_${randomUUID().replace(/-/g, '')}`;
    const secret = newSigningSecret();
    const sealed = sealSubscription(sealer, id, checked.input.targetUrl, secret);
    await store.subscriptions.add({ id, tenantId: clientId, kind: 'webhook', targetUrl: sealed.targetUrl, signingSecret: sealed.signingSecret, filters: checked.input.filters }, now());
    const row = (await store.subscriptions.get(id))!;
    log.info('subscription.created', { clientId, subscriptionId: id, host: hostOf(checked.input.targetUrl), kinds: checked.input.filters.kinds });
    sendJson(response, 201, { ...view(row, checked.input.targetUrl), secret });
  });

  const list = authenticated(async (clientId, _request, response) => {
    const rows = await store.subscriptions.ofTenant(clientId);
    sendJson(response, 200, { subscriptions: rows.map((row) => view(row, openUrl(row))) });
  });

  // Idempotent: Zapier unsubscribes both when a Zap is turned off and when it is deleted. Another tenant's
  // subscription is answered like a missing one, and left alone.
  const remove = authenticated(async (clientId, request, response, url) => {
    const id = decodeURIComponent(url.pathname.slice('/v1/subscriptions/'.length));
    const row = await store.subscriptions.get(id);
    const deleted = row !== undefined && row.tenantId === clientId && (await store.subscriptions.remove(id));
    if (deleted) log.info('subscription.deleted', { clientId, subscriptionId: id });
    sendJson(response, 200, { id, deleted });
  });

  // For Zapier's performList: the tenant's recent events as the hooks would receive them, from the relay's own
  // log. No DingTalk calls.
  const events = authenticated(async (clientId, _request, response, url) => {
    const problems: string[] = [];
    const filters = filtersFromQuery(url.searchParams, problems);
    const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : DEFAULT_EVENTS;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS) problems.push(`limit must be a whole number from 1 to ${MAX_EVENTS}.`);
    if (problems.length) return sendJson(response, 400, { error: problems.join(' '), problems });
    const records = (await store.events.latest(clientId, EVENTS_SCANNED))
      .filter((event) => matchesFilters(filters, event))
      .map((event) => eventRecord(event))
      .filter((record) => record !== undefined && (record.kind !== 'waiting' || waitingMatches(filters, record)));
    sendJson(response, 200, { events: records.slice(0, limit) });
  });

  const deadLetters = authenticated(async (clientId, _request, response) => {
    const rows = await store.deliveries.deadOf(clientId, MAX_EVENTS);
    sendJson(response, 200, {
      dead_letters: rows.map((row) => ({ event: Number(row.eventId), subscription_id: row.subscriptionId, attempts: Number(row.attempts), http_status: row.lastStatus, error: row.lastError, at: iso(row.updatedAt) })),
    });
  });

  const replay = authenticated(async (clientId, request, response) => {
    let body: unknown;
    try {
      body = await jsonBody(request);
    } catch {
      return sendJson(response, 400, { error: 'The body is not valid JSON: send {} to replay every dead letter, or {"subscription_id": "sub_…"}.' });
    }
    const subscriptionId = (body as { subscription_id?: unknown })?.subscription_id;
    if (subscriptionId !== undefined && typeof subscriptionId !== 'string') return sendJson(response, 400, { error: 'subscription_id must be a subscription\'s id (a string), or left out for all.' });
    const count = await store.deliveries.replayDead(clientId, subscriptionId ?? null, now());
    log.info('delivery.replayed', { clientId, subscriptionId: subscriptionId ?? null, count });
    if (count > 0) replayed();
    sendJson(response, 200, { replayed: count });
  });

  // For a connection test: the relay answers and accepts this app.
  const me = authenticated(async (clientId, _request, response) => sendJson(response, 200, { client_id: clientId }));

  const exact = (method: string, path: string, handle: Handler) => ({ match: (m: string, p: string) => m === method && p === path, handle });
  return [
    exact('POST', '/v1/subscriptions', create),
    exact('GET', '/v1/subscriptions', list),
    { match: (m: string, p: string) => m === 'DELETE' && /^\/v1\/subscriptions\/[^/]+$/.test(p), handle: remove },
    exact('GET', '/v1/events', events),
    exact('GET', '/v1/dead-letters', deadLetters),
    exact('POST', '/v1/dead-letters/replay', replay),
    exact('GET', '/v1/me', me),
  ];
}
