/**
 * The subscription API's input, checked before anything is stored: every problem is listed at once, and nothing
 * is changed silently. Names are snake_case, as Zapier's and most webhook APIs' JSON is.
 */
import { EVENT_KINDS, type EventKind, type SubscriptionFilters } from '../store/subscriptions';

/** DingTalk's approval list calls accept at most 10 originators; the polling triggers keep to that too. */
const MAX_ORIGINATORS = 10;
const MAX_THRESHOLDS = 5;
/** As many approvers as the polling waiting trigger's Approvers field takes in practice (a dropdown list). */
const MAX_APPROVERS = 50;
/** Timers must fire inside the event retention (35 days by default): 30 days is the longest threshold. */
const MAX_WAITING_HOURS = 720;

export interface SubscriptionInput {
  targetUrl: string;
  filters: SubscriptionFilters;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const asList = (value: unknown) => (value === undefined || value === null || value === '' ? [] : Array.isArray(value) ? value : [value]);

/** The filters, from a JSON body or a query string (comma lists), as the events read takes them. */
export function filtersFrom(raw: Record<string, unknown>, problems: string[], { requireKinds }: { requireKinds: boolean }): SubscriptionFilters {
  const kinds = asList(raw.kinds);
  if (requireKinds && kinds.length === 0) problems.push(`kinds is required: a list of one or more of ${EVENT_KINDS.join(', ')}.`);
  const unknownKinds = kinds.filter((kind) => !EVENT_KINDS.includes(kind as EventKind));
  if (unknownKinds.length) problems.push(`kinds: ${unknownKinds.map((k) => JSON.stringify(k)).join(', ')} is not a kind; use ${EVENT_KINDS.join(', ')}.`);

  const template = raw.template;
  if (template !== undefined && template !== null && (typeof template !== 'string' || template.trim() === '')) problems.push('template must be a template\'s process code (e.g. PROC-…), or left out for every template.');

  const originators = asList(raw.originators);
  if (originators.some((o) => typeof o !== 'string' || o.trim() === '')) problems.push('originators must be DingTalk userIds (strings).');
  if (originators.length > MAX_ORIGINATORS) problems.push(`originators: at most ${MAX_ORIGINATORS} users (got ${originators.length}).`);

  const hours = asList(raw.waiting_hours);
  const badHours = hours.filter((h) => typeof h !== 'number' || !Number.isFinite(h) || h <= 0 || h > MAX_WAITING_HOURS);
  if (badHours.length) problems.push(`waiting_hours must be numbers of hours above 0 and at most ${MAX_WAITING_HOURS} (30 days); ${badHours.map((h) => JSON.stringify(h)).join(', ')} is not.`);
  if (hours.length > MAX_THRESHOLDS) problems.push(`waiting_hours: at most ${MAX_THRESHOLDS} thresholds (got ${hours.length}).`);
  if (requireKinds && kinds.includes('waiting') && hours.length === 0) problems.push('waiting_hours is required with the kind "waiting": after how many hours a pending task counts as waiting too long, e.g. [24].');
  if (requireKinds && hours.length && !kinds.includes('waiting')) problems.push('waiting_hours only applies to the kind "waiting"; add "waiting" to kinds or leave waiting_hours out.');

  const approvers = asList(raw.approvers);
  if (approvers.some((a) => typeof a !== 'string' || a.trim() === '')) problems.push('approvers must be DingTalk userIds (strings).');
  if (approvers.length > MAX_APPROVERS) problems.push(`approvers: at most ${MAX_APPROVERS} users (got ${approvers.length}).`);
  if (requireKinds && approvers.length && !kinds.includes('waiting')) problems.push('approvers only applies to the kind "waiting" (the approver a task waits for); add "waiting" to kinds or leave approvers out.');

  return {
    kinds: kinds as EventKind[],
    ...(typeof template === 'string' && template.trim() ? { processCodes: [template.trim()] } : {}),
    ...(originators.length ? { originators: originators as string[] } : {}),
    ...(hours.length ? { waitingHours: [...new Set(hours as number[])] } : {}),
    ...(approvers.length ? { approvers: approvers as string[] } : {}),
  };
}

export function subscriptionInput(body: unknown): { ok: true; input: SubscriptionInput } | { ok: false; problems: string[] } {
  if (!isRecord(body)) return { ok: false, problems: ['The body must be a JSON object: {"target_url": "https://…", "kinds": ["approved"], …}.'] };
  const problems: string[] = [];
  const targetUrl = body.target_url;
  let url: URL | undefined;
  try {
    url = typeof targetUrl === 'string' ? new URL(targetUrl) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) problems.push('target_url is required: the http(s) URL to POST events to (Zapier sends bundle.targetUrl).');
  else if (url.username || url.password) problems.push('target_url must not carry a user name or password; the relay signs every POST instead (webhook-signature).');
  const filters = filtersFrom(body, problems, { requireKinds: true });
  return problems.length ? { ok: false, problems } : { ok: true, input: { targetUrl: targetUrl as string, filters } };
}

/** The events read takes the same filters as a query string: kinds=approved,rejected&template=PROC-…&originators=a,b (and waiting_hours, approvers). */
export function filtersFromQuery(query: URLSearchParams, problems: string[]): SubscriptionFilters {
  const list = (name: string) => (query.get(name) ?? '').split(',').map((v) => v.trim()).filter(Boolean);
  return filtersFrom(
    {
      kinds: list('kinds'),
      template: query.get('template') ?? undefined,
      originators: list('originators'),
      waiting_hours: list('waiting_hours').map(Number),
      approvers: list('approvers'),
    },
    problems,
    { requireKinds: false },
  );
}
