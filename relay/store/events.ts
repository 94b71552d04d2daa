/**
 * Events, stored once per tenant and DingTalk eventId, with their outbox rows (part 2) in the same transaction:
 * a crash between storing an event and queueing its deliveries cannot happen, because both commit together.
 * An approval's finish and terminate are also stored once per tenant whatever their eventId (dedupeKeyOf), so a
 * finish the reconcile created and DingTalk's late push of the same finish are delivered once.
 */
import type { Db, Sql } from './db';
import { groupCommit } from './group-commit';
import { matchesFilters, parseFilters } from './subscriptions';
import { applyTimerRules } from './timers';

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
  /** DingTalk's time of the event: eventBornTime (Stream) or EventTime (HTTP push), ms; absent on older pushes. */
  bornAt?: number | null;
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

/**
 * Finishes and terminates that were not stored: a repeat of the stored event's own eventId is an ordinary
 * duplicate; under another eventId, it is a second arrival of the same change (usually DingTalk's late push of a
 * finish the reconcile already created), kept in merged_arrivals once per eventId for /status. Rare: one statement
 * each.
 */
async function recordMerged(tx: Sql, arrivals: Arrival[]): Promise<void> {
  for (const { event, now } of arrivals) {
    await tx.run(
      `INSERT INTO merged_arrivals (tenant_id, event_id, kept_id, via, received_at)
       SELECT tenant_id, ?, id, ?, ? FROM events WHERE tenant_id = ? AND dedupe_key = ? AND event_id <> ?
       ON CONFLICT DO NOTHING`,
      [event.eventId, event.via, now, event.tenantId, dedupeKeyOf(event), event.eventId],
    );
  }
}

/** Rows per multi-row statement: well under SQLite's 32,766 parameters at 16 a row. */
const ROWS_PER_STATEMENT = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

const keyOf = (tenantId: string, eventId: string) => `${tenantId}\u0000${eventId}`;

/**
 * An approval finishes, or is terminated, once: whichever event says so first is stored, under any eventId.
 * The reconcile's event and DingTalk's push of the same change carry different eventIds. The key leaves out the
 * result: a terminate has none (dingtalk-events.md §5), and the reconcile reads a finish's result from
 * GetProcessInstance rather than from the event (⚠ assumed to agree; if it ever did not, the first still wins).
 * A finish followed by a terminate (an approved approval revoked later) keeps both: they are different changes.
 * The migration (version 3) builds the same key in SQL for rows stored before it.
 */
export function dedupeKeyOf(event: Pick<NewEvent, 'eventType' | 'changeType' | 'processInstanceId'>): string | null {
  const once = event.eventType === 'bpms_instance_change' && (event.changeType === 'finish' || event.changeType === 'terminate');
  return once ? `${event.changeType}:${event.processInstanceId}` : null;
}
const placeholders = (rows: number, columns: number) => Array.from({ length: rows }, () => `(${Array(columns).fill('?').join(', ')})`).join(', ');

export interface Arrival {
  event: NewEvent;
  /** When the relay received it. */
  now: number;
}

/**
 * Stores events and their deliveries in a few statements (one round trip per 500 rows, not two per event).
 * Returns one result per arrival, in order; a repeat of an eventId, in the database or earlier in the same list,
 * is a duplicate.
 */
export async function recordAll(tx: Sql, arrivals: Arrival[]): Promise<Recorded[]> {
  const newIds = new Map<string, number>();
  for (const chunk of chunks(arrivals, ROWS_PER_STATEMENT)) {
    const rows = await tx.all<{ id: number; tenantId: string; eventId: string }>(
      // No conflict target: a repeated eventId and a repeated dedupe key are both dropped (either unique index).
      `INSERT INTO events (tenant_id, event_id, event_type, change_type, result, process_instance_id, process_code, task_id,
         staff_id, corp_id, occurred_at, born_at, received_at, via, raw, dedupe_key)
       VALUES ${placeholders(chunk.length, 16)}
       ON CONFLICT DO NOTHING RETURNING id, tenant_id AS "tenantId", event_id AS "eventId"`,
      chunk.flatMap(({ event, now }) => [event.tenantId, event.eventId, event.eventType, event.changeType, event.result ?? null,
        event.processInstanceId, event.processCode ?? null, event.taskId ?? null, event.staffId ?? null, event.corpId ?? null,
        event.occurredAt ?? null, event.bornAt ?? null, now, event.via, JSON.stringify(event.raw), dedupeKeyOf(event)]),
    );
    for (const row of rows) newIds.set(keyOf(row.tenantId, row.eventId), Number(row.id));
  }
  await recordMerged(tx, arrivals.filter(({ event }) => !newIds.has(keyOf(event.tenantId, event.eventId)) && dedupeKeyOf(event) !== null));

  const tenants = [...new Set(arrivals.filter(({ event }) => newIds.has(keyOf(event.tenantId, event.eventId))).map(({ event }) => event.tenantId))];
  const subscriptions = tenants.length === 0 ? [] : await tx.all<{ id: string; tenantId: string; filters: string }>(
    `SELECT id, tenant_id AS "tenantId", filters FROM subscriptions WHERE status = 'active' AND tenant_id IN (${tenants.map(() => '?').join(', ')})`,
    tenants,
  );

  const deliveries: (string | number)[][] = [];
  const stored: NewEvent[] = [];
  const results = arrivals.map(({ event, now }): Recorded => {
    const key = keyOf(event.tenantId, event.eventId);
    const id = newIds.get(key);
    if (id === undefined) return { stored: false, deliveries: 0 };
    newIds.delete(key); // the same eventId later in the list is a duplicate
    stored.push(event);
    const matching = subscriptions.filter((subscription) => subscription.tenantId === event.tenantId && matchesFilters(parseFilters(subscription.filters), event));
    for (const subscription of matching) deliveries.push([id, subscription.id, now, now, now]);
    return { stored: true, deliveries: matching.length };
  });
  for (const chunk of chunks(deliveries, ROWS_PER_STATEMENT)) {
    await tx.run(
      `INSERT INTO deliveries (event_id, subscription_id, status, next_attempt_at, created_at, updated_at)
       VALUES ${Array.from(chunk, () => "(?, ?, 'pending', ?, ?, ?)").join(', ')}`,
      chunk.flat(),
    );
  }
  if (stored.length) await applyTimerRules(tx, stored, subscriptions, arrivals[0]!.now);
  return results;
}

export function eventQueries(db: Db) {
  return {
    /**
     * Stores events and queues their deliveries, all in one transaction, grouped with other calls waiting at the
     * same moment. When this resolves, every event is on disk and can be acknowledged to DingTalk; duplicates are
     * dropped (stored: false) and can be acknowledged too.
     */
    record: groupCommit(db, recordAll),

    /** A tenant's latest events by DingTalk's own times (arrival order is not DingTalk's order). */
    latest: (tenantId: string, limit: number) =>
      db.all<StoredEvent>(
        `SELECT ${columns} FROM events WHERE tenant_id = ?
         ORDER BY COALESCE(occurred_at, born_at, received_at) DESC, COALESCE(born_at, received_at) DESC, id DESC LIMIT ?`,
        [tenantId, limit],
      ),

    /** Events by the relay's own ids (the outbox's event_id), for building delivery payloads. */
    byIds: (ids: number[]) =>
      ids.length === 0 ? Promise.resolve([] as StoredEvent[]) : db.all<StoredEvent>(`SELECT ${columns} FROM events WHERE id IN (${ids.map(() => '?').join(', ')})`, ids),

    /** Every event of one approval, in the order DingTalk says things happened. */
    ofInstance: (tenantId: string, processInstanceId: string) =>
      db.all<StoredEvent>(
        `SELECT ${columns} FROM events WHERE tenant_id = ? AND process_instance_id = ?
         ORDER BY COALESCE(occurred_at, born_at, received_at), COALESCE(born_at, received_at), id`,
        [tenantId, processInstanceId],
      ),

    /** The templates (processCode) a tenant's events named since `since` (ms): what the daily reconcile covers. */
    templatesSeen: async (tenantId: string, since: number) =>
      (await db.all<{ processCode: string }>(
        'SELECT DISTINCT process_code AS "processCode" FROM events WHERE tenant_id = ? AND process_code IS NOT NULL AND received_at >= ? ORDER BY 1',
        [tenantId, since],
      )).map((row) => row.processCode),

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
