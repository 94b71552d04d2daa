/**
 * Part 2's subscriptions: who wants which of a tenant's events. The target URL and signing secret arrive sealed.
 * Filters are kept as JSON; an empty or missing list matches everything.
 */
import type { Db } from './db';

/** What the subscription API offers: the polling triggers' kinds, plus "waiting too long" (timers). */
export const EVENT_KINDS = ['submitted', 'approved', 'rejected', 'revoked', 'finished', 'waiting'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** The event type of the relay's own "still waiting" events, created by a timer (relay/timers), never by DingTalk. */
export const WAITING_EVENT_TYPE = 'relay_task_waiting';

export interface SubscriptionFilters {
  /** Event kinds; `finished` means approved, rejected or revoked, as the polling trigger "Approval Finished". */
  kinds?: EventKind[];
  /** Originators' DingTalk userIds (an instance event's staffId). */
  originators?: string[];
  /** Thresholds of the `waiting` kind, in hours: one timer per started task and threshold. */
  waitingHours?: number[];
  /** The `waiting` kind only: tasks waiting for these DingTalk userIds (a task event's staffId). */
  approvers?: string[];
  /** bpms_instance_change, bpms_task_change */
  eventTypes?: string[];
  /** DingTalk's `type`: start, finish, terminate, … */
  changeTypes?: string[];
  /** agree, refuse, … */
  results?: string[];
  /** Template codes. An event without a processCode (older events) matches no template filter. */
  processCodes?: string[];
}

export interface SubscriptionRow {
  id: string;
  tenantId: string;
  /** `zapier` (REST hook) or `webhook` (Standard Webhooks). */
  kind: string;
  /** Sealed. */
  targetUrl: string;
  /** Sealed. */
  signingSecret: string | null;
  filters: string;
  status: 'active' | 'disabled';
  statusReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface FilterableEvent {
  eventType: string;
  changeType: string;
  result?: string | null;
  processCode?: string | null;
  /** The originator on instance and waiting events; the approver on task events. */
  staffId?: string | null;
}

/**
 * The kind a stored event delivers as (dingtalk-events.md §5): an instance's start is "submitted"; its finish
 * with agree or refuse is "approved" or "rejected"; terminate (the originator revoked it) is "revoked", as the
 * polling triggers' outcomes (approvals/outcome.ts). Task events deliver nothing themselves: they drive timers.
 */
export function kindOf(event: Pick<FilterableEvent, 'eventType' | 'changeType' | 'result'>): Exclude<EventKind, 'finished'> | undefined {
  if (event.eventType === WAITING_EVENT_TYPE) return 'waiting';
  if (event.eventType !== 'bpms_instance_change') return undefined;
  if (event.changeType === 'start') return 'submitted';
  if (event.changeType === 'terminate') return 'revoked';
  if (event.changeType === 'finish' && event.result === 'agree') return 'approved';
  if (event.changeType === 'finish' && event.result === 'refuse') return 'rejected';
  return undefined;
}

const FINISHED: ReadonlySet<EventKind> = new Set(['approved', 'rejected', 'revoked']);

function kindAllows(kinds: EventKind[] | undefined, event: FilterableEvent): boolean {
  if (!kinds?.length) return true;
  const kind = kindOf(event);
  return kind !== undefined && (kinds.includes(kind) || (kinds.includes('finished') && FINISHED.has(kind)));
}

const allows = (list: string[] | undefined, value: string | null | undefined) => !list?.length || (value != null && list.includes(value));

export function matchesFilters(filters: SubscriptionFilters, event: FilterableEvent): boolean {
  return (
    kindAllows(filters.kinds, event) &&
    allows(filters.originators, event.staffId) &&
    allows(filters.eventTypes, event.eventType) &&
    allows(filters.changeTypes, event.changeType) &&
    allows(filters.results, event.result) &&
    allows(filters.processCodes, event.processCode)
  );
}

export const parseFilters = (json: string): SubscriptionFilters => JSON.parse(json) as SubscriptionFilters;

const columns = `id, tenant_id AS "tenantId", kind, target_url AS "targetUrl", signing_secret AS "signingSecret", filters,
  status, status_reason AS "statusReason", created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface NewSubscription {
  id: string;
  tenantId: string;
  kind: string;
  targetUrl: string;
  signingSecret?: string | null;
  filters: SubscriptionFilters;
}

export function subscriptionQueries(db: Db) {
  return {
    async add(subscription: NewSubscription, now: number): Promise<void> {
      await db.run(
        `INSERT INTO subscriptions (id, tenant_id, kind, target_url, signing_secret, filters, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
        [subscription.id, subscription.tenantId, subscription.kind, subscription.targetUrl, subscription.signingSecret ?? null, JSON.stringify(subscription.filters), now, now],
      );
    },
    get: (id: string) => db.get<SubscriptionRow>(`SELECT ${columns} FROM subscriptions WHERE id = ?`, [id]),
    ofTenant: (tenantId: string) => db.all<SubscriptionRow>(`SELECT ${columns} FROM subscriptions WHERE tenant_id = ? ORDER BY created_at, id`, [tenantId]),
    /** Stops deliveries to a subscription, e.g. after Zapier answers 410; pending deliveries stay for the record. */
    disable: async (id: string, reason: string, now: number) =>
      (await db.run("UPDATE subscriptions SET status = 'disabled', status_reason = ?, updated_at = ? WHERE id = ? AND status = 'active'", [reason, now, id])) > 0,
    /** Deletes a subscription and its deliveries and timers; idempotent, as Zapier's unsubscribe must be. */
    remove: async (id: string) => (await db.run('DELETE FROM subscriptions WHERE id = ?', [id])) > 0,
  };
}
