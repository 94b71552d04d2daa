/**
 * Events, stored once per tenant and DingTalk eventId, with their outbox rows (part 2) in the same transaction:
 * a crash between storing an event and queueing its deliveries cannot happen, because both commit together.
 */
import type { Db, Sql } from './db';
import { groupCommit } from './group-commit';
import { matchesFilters, parseFilters } from './subscriptions';

/** How an event reached the relay. Reconciled events were never pushed, so they cost no push quota. */
export type Via = 'stream' | 'http' | 'reconcile' | 'timer';

/** One DingTalk approval event, normalised (dingtalk-events.md §5); `raw` is the payload as DingTalk sent it. */
export interface NewEvent {
  tenantId: string;
  eventId: string;
  /** `bpms_instance_change` or `bpms_task_change`. */
  eventType: string;
  /** DingTalk's `type`: start, finish, terminate, delete (instance); start, finish, cancel, comment (task). */
  changeType: string;
  result?: string | null;
  processInstanceId: string;
  /** Absent on some older events. */
  processCode?: string | null;
  /** A string, whether DingTalk sent a number or a string. */
  taskId?: string | null;
  staffId?: string | null;
  corpId?: string | null;
  /** DingTalk's time of the change itself: finishTime, else createTime (ms). */
  occurredAt?: number | null;
  /** DingTalk's time of the event: eventBornTime (Stream) or EventTime (HTTP push), ms. */
  bornAt: number;
  via: Via;
  raw: unknown;
}

export interface StoredEvent extends Omit<NewEvent, 'raw'> {
  id: number;
  receivedAt: number;
  raw: string;
}

export interface Recorded {
  /** False for a duplicate: the event was already stored, and the caller acknowledges it all the same. */
  stored: boolean;
  /** Deliveries queued for the event's subscriptions. */
  deliveries: number;
}

const columns = `id, tenant_id AS "tenantId", event_id AS "eventId", event_type AS "eventType", change_type AS "changeType",
  result, process_instance_id AS "processInstanceId", process_code AS "processCode", task_id AS "taskId",
  staff_id AS "staffId", corp_id AS "corpId", occurred_at AS "occurredAt", born_at AS "bornAt",
  received_at AS "receivedAt", via, raw`;

async function recordIn(tx: Sql, event: NewEvent, now: number): Promise<Recorded> {
  const inserted = await tx.get<{ id: number }>(
    `INSERT INTO events (tenant_id, event_id, event_type, change_type, result, process_instance_id, process_code, task_id,
       staff_id, corp_id, occurred_at, born_at, received_at, via, raw)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (tenant_id, event_id) DO NOTHING RETURNING id`,
    [event.tenantId, event.eventId, event.eventType, event.changeType, event.result ?? null, event.processInstanceId,
      event.processCode ?? null, event.taskId ?? null, event.staffId ?? null, event.corpId ?? null, event.occurredAt ?? null,
      event.bornAt, now, event.via, JSON.stringify(event.raw)],
  );
  if (!inserted) return { stored: false, deliveries: 0 };
  const subscriptions = await tx.all<{ id: string; filters: string }>(
    "SELECT id, filters FROM subscriptions WHERE tenant_id = ? AND status = 'active'",
    [event.tenantId],
  );
  const matching = subscriptions.filter((subscription) => matchesFilters(parseFilters(subscription.filters), event));
  for (const subscription of matching) {
    await tx.run(
      `INSERT INTO deliveries (event_id, subscription_id, status, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, 'pending', ?, ?, ?)`,
      [inserted.id, subscription.id, now, now, now],
    );
  }
  return { stored: true, deliveries: matching.length };
}

export function eventQueries(db: Db) {
  return {
    /**
     * Stores events and queues their deliveries, all in one transaction, grouped with other calls waiting at the
     * same moment. When this resolves, every event is on disk and can be acknowledged to DingTalk; duplicates are
     * dropped (stored: false) and can be acknowledged too.
     */
    record: groupCommit(db, recordIn),

    /** A tenant's latest events by DingTalk's own times (arrival order is not DingTalk's order). */
    latest: (tenantId: string, limit: number) =>
      db.all<StoredEvent>(
        `SELECT ${columns} FROM events WHERE tenant_id = ?
         ORDER BY COALESCE(occurred_at, born_at) DESC, born_at DESC, id DESC LIMIT ?`,
        [tenantId, limit],
      ),

    /** Every event of one approval, in the order DingTalk says things happened. */
    ofInstance: (tenantId: string, processInstanceId: string) =>
      db.all<StoredEvent>(
        `SELECT ${columns} FROM events WHERE tenant_id = ? AND process_instance_id = ?
         ORDER BY COALESCE(occurred_at, born_at), born_at, id`,
        [tenantId, processInstanceId],
      ),

    /** Whether a finish event is already known for an approval (reconcile creates only the missing ones). */
    async hasChange(tenantId: string, processInstanceId: string, eventType: string, changeType: string): Promise<boolean> {
      const row = await db.get(
        'SELECT 1 AS found FROM events WHERE tenant_id = ? AND process_instance_id = ? AND event_type = ? AND change_type = ? LIMIT 1',
        [tenantId, processInstanceId, eventType, changeType],
      );
      return row !== undefined;
    },
  };
}
