/**
 * Part 2's outbox (dingtalk-events.md §8): pending → inflight → done | dead. A claim takes due rows for a while
 * (locked_until) and names its process, so a process that dies mid-delivery lets another take them over as soon
 * as its heartbeat is seen to be stale, or when the lock runs out; on Postgres, SKIP LOCKED keeps two processes
 * from claiming the same row.
 */
import type { Db } from './db';

export interface DeliveryRow {
  eventId: number;
  subscriptionId: string;
  status: 'pending' | 'inflight' | 'done' | 'dead';
  attempts: number;
  nextAttemptAt: number;
  lastStatus: number | null;
  lastError: string | null;
  /** 1 when an earlier attempt's outcome is unknown (crash mid-POST, or a timeout): the receiver may have it. */
  redelivery: number;
}

/** Per tenant, for /status. */
export interface DeliveryCounts {
  tenantId: string;
  sent: number;
  /** Waiting for their first attempt. */
  queued: number;
  /** Failed at least once, with attempts left. */
  retrying: number;
  dead: number;
  /** Deliveries whose POST may have reached the receiver twice (each one is marked `redelivery: true`). */
  redeliveries: number;
}

export interface DeliveryError {
  eventId: number;
  subscriptionId: string;
  status: DeliveryRow['status'];
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  updatedAt: number;
}

const columns = `event_id AS "eventId", subscription_id AS "subscriptionId", status, attempts, next_attempt_at AS "nextAttemptAt",
  last_status AS "lastStatus", last_error AS "lastError", redelivery`;

const key = '(event_id = ? AND subscription_id = ?)';

export interface Outcome {
  /** The receiver's HTTP status, if it answered. */
  httpStatus?: number | null;
  error?: string | null;
  /** The receiver may have got it (a timeout): the next attempt is marked as a redelivery. */
  unknown?: boolean;
}

export function deliveryQueries(db: Db) {
  const settle = async (delivery: Pick<DeliveryRow, 'eventId' | 'subscriptionId'>, status: DeliveryRow['status'], nextAttemptAt: number | null, outcome: Outcome, now: number) =>
    (await db.run(
      `UPDATE deliveries SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), locked_until = NULL, last_status = ?, last_error = ?, updated_at = ?,
         redelivery = CASE WHEN ? = 1 THEN 1 ELSE redelivery END, delivered_at = CASE WHEN ? = 1 THEN ? ELSE delivered_at END
       WHERE ${key}`,
      [status, nextAttemptAt, outcome.httpStatus ?? null, outcome.error ?? null, now, outcome.unknown ? 1 : 0, status === 'done' ? 1 : 0, now, delivery.eventId, delivery.subscriptionId],
    )) > 0;

  return {
    /**
     * Claims up to `limit` due deliveries of active subscriptions for `lockMs`, for `claimer` (a processes.id, or
     * null for a worker without one): pending ones whose time has come, and inflight ones whose claimer died, seen
     * by its lock running out or by its heartbeat being no newer than `deadBefore`. Each claim counts as an attempt.
     */
    claimDue: (now: number, limit: number, lockMs: number, claimer: { id: string; deadBefore: number } | null = null) =>
      db.all<DeliveryRow>(
        // A row still inflight was claimed by a process that died before recording the outcome: the receiver may
        // have it already, so this attempt is marked as a redelivery (columns on the right of SET are the old values).
        // A claimer without a processes row yet (it is starting) counts as alive.
        `UPDATE deliveries SET status = 'inflight', attempts = attempts + 1, locked_until = ?, updated_at = ?, claimed_by = ?,
           redelivery = CASE WHEN status = 'inflight' THEN 1 ELSE redelivery END
         WHERE (event_id, subscription_id) IN (
           SELECT d.event_id, d.subscription_id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
           WHERE s.status = 'active' AND ((d.status = 'pending' AND d.next_attempt_at <= ?)
             OR (d.status = 'inflight' AND (d.locked_until <= ? OR d.claimed_by IN (SELECT p.id FROM processes p WHERE p.heartbeat_at <= ?))))
           ORDER BY d.next_attempt_at LIMIT ? ${db.dialect.skipLocked('d')})
         RETURNING ${columns}`,
        [now + lockMs, now, claimer?.id ?? null, now, now, claimer?.deadBefore ?? -1, limit],
      ),
    done: (delivery: Pick<DeliveryRow, 'eventId' | 'subscriptionId'>, outcome: Outcome, now: number) => settle(delivery, 'done', null, outcome, now),
    retryAt: (delivery: Pick<DeliveryRow, 'eventId' | 'subscriptionId'>, at: number, outcome: Outcome, now: number) => settle(delivery, 'pending', at, outcome, now),
    dead: (delivery: Pick<DeliveryRow, 'eventId' | 'subscriptionId'>, outcome: Outcome, now: number) => settle(delivery, 'dead', null, outcome, now),
    /** Sends a dead letter again, from the first attempt's schedule. */
    replay: async (delivery: Pick<DeliveryRow, 'eventId' | 'subscriptionId'>, now: number) =>
      (await db.run(`UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE ${key} AND status = 'dead'`, [now, now, delivery.eventId, delivery.subscriptionId])) > 0,
    ofSubscription: (subscriptionId: string) =>
      db.all<DeliveryRow>(`SELECT ${columns} FROM deliveries WHERE subscription_id = ? ORDER BY event_id`, [subscriptionId]),

    /** Sends a tenant's dead letters again (all, or one subscription's); says how many. */
    replayDead: (tenantId: string, subscriptionId: string | null, now: number) =>
      db.run(
        `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
         WHERE status = 'dead' AND subscription_id IN (SELECT id FROM subscriptions WHERE tenant_id = ? AND id = COALESCE(?, id))`,
        [now, now, tenantId, subscriptionId],
      ),

    /** A tenant's dead letters, newest first. */
    deadOf: (tenantId: string, limit: number) =>
      db.all<DeliveryError>(
        `SELECT d.event_id AS "eventId", d.subscription_id AS "subscriptionId", d.status, d.attempts, d.last_status AS "lastStatus",
           d.last_error AS "lastError", d.updated_at AS "updatedAt"
         FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
         WHERE s.tenant_id = ? AND d.status = 'dead' ORDER BY d.updated_at DESC, d.event_id DESC LIMIT ?`,
        [tenantId, limit],
      ),

    counts: (tenantId: string) =>
      db.get<DeliveryCounts>(
        `SELECT s.tenant_id AS "tenantId",
           SUM(CASE WHEN d.status = 'done' THEN 1 ELSE 0 END) AS sent,
           SUM(CASE WHEN d.status IN ('pending', 'inflight') AND d.last_status IS NULL AND d.last_error IS NULL THEN 1 ELSE 0 END) AS queued,
           SUM(CASE WHEN d.status IN ('pending', 'inflight') AND (d.last_status IS NOT NULL OR d.last_error IS NOT NULL) THEN 1 ELSE 0 END) AS retrying,
           SUM(CASE WHEN d.status = 'dead' THEN 1 ELSE 0 END) AS dead,
           SUM(d.redelivery) AS redeliveries
         FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE s.tenant_id = ? GROUP BY s.tenant_id`,
        [tenantId],
      ),

    /** The last failed attempts of a tenant's deliveries (still retrying or dead). */
    lastErrors: (tenantId: string, limit: number) =>
      db.all<DeliveryError>(
        `SELECT d.event_id AS "eventId", d.subscription_id AS "subscriptionId", d.status, d.attempts, d.last_status AS "lastStatus",
           d.last_error AS "lastError", d.updated_at AS "updatedAt"
         FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
         WHERE s.tenant_id = ? AND d.status <> 'done' AND (d.last_status IS NOT NULL OR d.last_error IS NOT NULL)
         ORDER BY d.updated_at DESC LIMIT ?`,
        [tenantId, limit],
      ),
  };
}
