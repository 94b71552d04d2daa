/**
 * Part 2's outbox (dingtalk-events.md §8): pending → inflight → done | dead. A claim takes due rows for a while
 * (locked_until), so a process that dies mid-delivery lets another take them over when the lock runs out; on
 * Postgres, SKIP LOCKED keeps two processes from claiming the same row.
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
}

const columns = `event_id AS "eventId", subscription_id AS "subscriptionId", status, attempts, next_attempt_at AS "nextAttemptAt",
  last_status AS "lastStatus", last_error AS "lastError"`;

const key = '(event_id = ? AND subscription_id = ?)';

export interface Outcome {
  /** The receiver's HTTP status, if it answered. */
  httpStatus?: number | null;
  error?: string | null;
}

export function deliveryQueries(db: Db) {
  const settle = async (delivery: Pick<DeliveryRow, 'eventId' | 'subscriptionId'>, status: DeliveryRow['status'], nextAttemptAt: number | null, outcome: Outcome, now: number) =>
    (await db.run(
      `UPDATE deliveries SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), locked_until = NULL, last_status = ?, last_error = ?, updated_at = ?
       WHERE ${key}`,
      [status, nextAttemptAt, outcome.httpStatus ?? null, outcome.error ?? null, now, delivery.eventId, delivery.subscriptionId],
    )) > 0;

  return {
    /**
     * Claims up to `limit` due deliveries of active subscriptions for `lockMs`: pending ones whose time has come,
     * and inflight ones whose claimer died. Each claim counts as an attempt.
     */
    claimDue: (now: number, limit: number, lockMs: number) =>
      db.all<DeliveryRow>(
        `UPDATE deliveries SET status = 'inflight', attempts = attempts + 1, locked_until = ?, updated_at = ?
         WHERE (event_id, subscription_id) IN (
           SELECT d.event_id, d.subscription_id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
           WHERE s.status = 'active' AND ((d.status = 'pending' AND d.next_attempt_at <= ?) OR (d.status = 'inflight' AND d.locked_until <= ?))
           ORDER BY d.next_attempt_at LIMIT ? ${db.dialect.skipLocked('d')})
         RETURNING ${columns}`,
        [now + lockMs, now, now, now, limit],
      ),
    done: (delivery: Pick<DeliveryRow, 'eventId' | 'subscriptionId'>, outcome: Outcome, now: number) => settle(delivery, 'done', null, outcome, now),
    retryAt: (delivery: Pick<DeliveryRow, 'eventId' | 'subscriptionId'>, at: number, outcome: Outcome, now: number) => settle(delivery, 'pending', at, outcome, now),
    dead: (delivery: Pick<DeliveryRow, 'eventId' | 'subscriptionId'>, outcome: Outcome, now: number) => settle(delivery, 'dead', null, outcome, now),
    /** Sends a dead letter again, from the first attempt's schedule. */
    replay: async (delivery: Pick<DeliveryRow, 'eventId' | 'subscriptionId'>, now: number) =>
      (await db.run(`UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE ${key} AND status = 'dead'`, [now, now, delivery.eventId, delivery.subscriptionId])) > 0,
    ofSubscription: (subscriptionId: string) =>
      db.all<DeliveryRow>(`SELECT ${columns} FROM deliveries WHERE subscription_id = ? ORDER BY event_id`, [subscriptionId]),
  };
}
