/**
 * The schema, as numbered migrations applied in order at start-up, each in one transaction. A migration is never
 * edited once released: a change gets the next number. Times are integer milliseconds since the epoch (BIGINT);
 * secrets are sealed text (relay/secrets.ts); JSON is TEXT, read and written by the relay only.
 */
import type { Db, Dialect } from './db';

interface Migration {
  version: number;
  name: string;
  statements: (dialect: Dialect) => string[];
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'intake and delivery',
    statements: ({ serial }) => [
      // One DingTalk internal app per tenant. Removing a tenant erases its secrets and keeps the row, so its
      // stored events keep their owner until retention removes them.
      `CREATE TABLE tenants (
        client_id TEXT PRIMARY KEY,
        client_secret TEXT,
        callback_token TEXT,
        callback_aes_key TEXT,
        added_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        removed_at BIGINT
      )`,
      // One row per DingTalk event, whichever way it came (dingtalk-events.md §5). UNIQUE(tenant_id, event_id)
      // drops DingTalk's redeliveries and duplicates, across processes too. DingTalk's own times order them:
      // occurred_at is the change's finishTime or createTime, born_at the event's eventBornTime/EventTime
      // (absent on older HTTP pushes).
      `CREATE TABLE events (
        id ${serial},
        tenant_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        change_type TEXT NOT NULL,
        result TEXT,
        process_instance_id TEXT NOT NULL,
        process_code TEXT,
        task_id TEXT,
        staff_id TEXT,
        corp_id TEXT,
        occurred_at BIGINT,
        born_at BIGINT,
        received_at BIGINT NOT NULL,
        via TEXT NOT NULL,
        raw TEXT NOT NULL,
        UNIQUE (tenant_id, event_id)
      )`,
      'CREATE INDEX events_by_tenant_time ON events (tenant_id, occurred_at, born_at)',
      'CREATE INDEX events_by_received ON events (received_at)',
      'CREATE INDEX events_by_instance ON events (tenant_id, process_instance_id)',
      // HTTP push nonces seen inside the freshness window, so a replayed request is refused.
      `CREATE TABLE nonces (
        tenant_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        seen_at BIGINT NOT NULL,
        PRIMARY KEY (tenant_id, nonce)
      )`,
      'CREATE INDEX nonces_by_time ON nonces (seen_at)',
      // Live relay processes, so a process knows whether another one can hold a tenant's second connection.
      `CREATE TABLE processes (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started_at BIGINT NOT NULL,
        heartbeat_at BIGINT NOT NULL
      )`,
      // Who holds each of a tenant's Stream connection slots, until when.
      `CREATE TABLE leases (
        tenant_id TEXT NOT NULL,
        slot INTEGER NOT NULL,
        holder TEXT NOT NULL,
        acquired_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (tenant_id, slot)
      )`,
      // One reconcile per tenant, template and day; the unique key lets only one process run it.
      `CREATE TABLE reconcile_runs (
        id ${serial},
        tenant_id TEXT NOT NULL,
        process_code TEXT NOT NULL,
        day TEXT NOT NULL,
        holder TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        finished_at BIGINT,
        metered_calls INTEGER NOT NULL DEFAULT 0,
        recovered INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        UNIQUE (tenant_id, process_code, day)
      )`,
      // What went wrong, per tenant (NULL: the relay itself), for /status. Messages never hold secrets.
      `CREATE TABLE errors (
        id ${serial},
        tenant_id TEXT,
        at BIGINT NOT NULL,
        source TEXT NOT NULL,
        message TEXT NOT NULL
      )`,
      'CREATE INDEX errors_by_tenant_time ON errors (tenant_id, at)',
      // Part 2: who wants which events. target_url and signing_secret are sealed.
      `CREATE TABLE subscriptions (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        target_url TEXT NOT NULL,
        signing_secret TEXT,
        filters TEXT NOT NULL,
        status TEXT NOT NULL,
        status_reason TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      'CREATE INDEX subscriptions_by_tenant ON subscriptions (tenant_id, status)',
      // Part 2, the outbox: one row per event and subscription, written in the event's own transaction.
      `CREATE TABLE deliveries (
        event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        locked_until BIGINT,
        last_status INTEGER,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (event_id, subscription_id)
      )`,
      'CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at)',
      'CREATE INDEX deliveries_by_subscription ON deliveries (subscription_id, status)',
      // Part 2: "waiting too long" timers, one per task and subscribed threshold; claimed once across processes.
      `CREATE TABLE timers (
        id ${serial},
        tenant_id TEXT NOT NULL,
        subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
        process_instance_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        after_ms BIGINT NOT NULL,
        fire_at BIGINT NOT NULL,
        status TEXT NOT NULL,
        locked_until BIGINT,
        created_at BIGINT NOT NULL,
        UNIQUE (subscription_id, task_id, after_ms)
      )`,
      'CREATE INDEX timers_due ON timers (status, fire_at)',
      'CREATE INDEX timers_by_task ON timers (tenant_id, task_id)',
      // One row that proves the master key: sealed with it at the first start and opened at every start after.
      `CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'delivery: redeliveries and timers by approval',
    statements: () => [
      // 1 when an attempt's outcome was never recorded (its process died mid-POST, or the receiver timed out), so
      // the receiver may already have it: the next POST says `redelivery: true`, and /status counts them.
      'ALTER TABLE deliveries ADD COLUMN redelivery INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE deliveries ADD COLUMN delivered_at BIGINT',
      // A finished or revoked approval cancels all its tasks' timers at once.
      'CREATE INDEX timers_by_instance ON timers (tenant_id, process_instance_id)',
    ],
  },
  {
    version: 3,
    name: 'intake: an approval finishes once, whichever event says so first',
    statements: () => [
      // The daily reconcile creates a finish DingTalk never pushed; DingTalk may push it late all the same, under
      // its own eventId. UNIQUE(tenant_id, dedupe_key) keeps the second out, across processes too: the key is
      // `finish:<processInstanceId>` or `terminate:<processInstanceId>` (dedupeKeyOf in events.ts), NULL for every
      // other event (both databases let NULLs repeat in a unique index).
      'ALTER TABLE events ADD COLUMN dedupe_key TEXT',
      // Existing rows get their key too; where an approval's finish is already stored twice, the first keeps it.
      `UPDATE events SET dedupe_key = change_type || ':' || process_instance_id
       WHERE event_type = 'bpms_instance_change' AND change_type IN ('finish', 'terminate')
         AND id = (SELECT MIN(first.id) FROM events AS first WHERE first.tenant_id = events.tenant_id
           AND first.process_instance_id = events.process_instance_id AND first.event_type = events.event_type
           AND first.change_type = events.change_type)`,
      'CREATE UNIQUE INDEX events_once_per_instance ON events (tenant_id, dedupe_key)',
      // The second arrivals the key kept out (not stored as events, never delivered), so /status can count them
      // and pushes used can include them. One row per eventId, so DingTalk's redeliveries of it count once.
      `CREATE TABLE merged_arrivals (
        tenant_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        kept_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        via TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        PRIMARY KEY (tenant_id, event_id)
      )`,
      'CREATE INDEX merged_arrivals_by_kept ON merged_arrivals (kept_id)',
    ],
  },
  {
    version: 4,
    name: 'delivery: claims name their process',
    statements: () => [
      // The process (processes.id) that claimed an inflight delivery: once that process's heartbeat is older than a
      // lease, it is dead, and another takes its claims over without waiting for the lock.
      'ALTER TABLE deliveries ADD COLUMN claimed_by TEXT',
    ],
  },
];

/** Applies the migrations this database lacks; several processes starting together apply each one once. */
export async function migrate(db: Db, now: number = Date.now()): Promise<number[]> {
  return db.transaction(async (tx) => {
    if (db.dialect.lockMigrations) await tx.get(db.dialect.lockMigrations);
    await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const applied = new Set((await tx.all<{ version: number }>('SELECT version FROM schema_migrations')).map((row) => Number(row.version)));
    const newlyApplied: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements(db.dialect)) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [migration.version, migration.name, now]);
      newlyApplied.push(migration.version);
    }
    return newlyApplied;
  });
}
