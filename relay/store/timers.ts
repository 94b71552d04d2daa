/**
 * Part 2's "waiting too long" timers: scheduled when a task starts, cancelled when it ends, fired once if it is
 * still pending. They live in the database, so they survive restarts, and a claim holds a timer for a while so
 * only one process fires it.
 */
import type { Db, Sql } from './db';
import { parseFilters, WAITING_EVENT_TYPE, type SubscriptionFilters } from './subscriptions';

const HOUR_MS = 3_600_000;

export interface TimerRow {
  id: number;
  tenantId: string;
  subscriptionId: string;
  processInstanceId: string;
  taskId: string;
  afterMs: number;
  fireAt: number;
  status: 'pending' | 'fired' | 'cancelled';
}

export interface NewTimer {
  tenantId: string;
  subscriptionId: string;
  processInstanceId: string;
  taskId: string;
  afterMs: number;
  /** When the task started, by DingTalk's clock. */
  startedAt: number;
}

const columns = `id, tenant_id AS "tenantId", subscription_id AS "subscriptionId", process_instance_id AS "processInstanceId",
  task_id AS "taskId", after_ms AS "afterMs", fire_at AS "fireAt", status`;

export function timerQueries(db: Db) {
  return {
    /** Schedules a timer once per subscription, task and threshold; a redelivered task start changes nothing. */
    schedule: async (timer: NewTimer, now: number) =>
      (await db.run(
        `INSERT INTO timers (tenant_id, subscription_id, process_instance_id, task_id, after_ms, fire_at, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (subscription_id, task_id, after_ms) DO NOTHING`,
        [timer.tenantId, timer.subscriptionId, timer.processInstanceId, timer.taskId, timer.afterMs, timer.startedAt + timer.afterMs, now],
      )) > 0,
    /** Cancels a task's pending timers (finished, cancelled or transferred); says how many. */
    cancelForTask: (tenantId: string, taskId: string) =>
      db.run("UPDATE timers SET status = 'cancelled', locked_until = NULL WHERE tenant_id = ? AND task_id = ? AND status = 'pending'", [tenantId, taskId]),
    /** Claims due timers for `lockMs`; a claimer that dies before `fired` leaves them to another process. */
    claimDue: (now: number, limit: number, lockMs: number) =>
      db.all<TimerRow>(
        `UPDATE timers SET locked_until = ? WHERE id IN (
           SELECT t.id FROM timers t JOIN subscriptions s ON s.id = t.subscription_id
           WHERE t.status = 'pending' AND s.status = 'active' AND t.fire_at <= ? AND (t.locked_until IS NULL OR t.locked_until <= ?)
           ORDER BY t.fire_at LIMIT ? ${db.dialect.skipLocked('t')})
         RETURNING ${columns}`,
        [now + lockMs, now, now, limit],
      ),
    /**
     * Fires a claimed timer in one transaction: if the task is still pending, a "waiting" event (via `timer`) and
     * its one delivery are stored; if DingTalk said it is over, the timer is cancelled. Only the caller that moves
     * the timer out of `pending` does either, so a timer fires once across processes. Says what happened.
     */
    fire: (timer: TimerRow, now: number) =>
      db.transaction(async (tx): Promise<'fired' | 'cancelled' | 'gone'> => {
        if (await taskIsOver(tx, timer.tenantId, timer.processInstanceId, timer.taskId)) {
          return (await tx.run("UPDATE timers SET status = 'cancelled', locked_until = NULL WHERE id = ? AND status = 'pending'", [timer.id])) > 0 ? 'cancelled' : 'gone';
        }
        if ((await tx.run("UPDATE timers SET status = 'fired', locked_until = NULL WHERE id = ? AND status = 'pending'", [timer.id])) === 0) return 'gone';
        const start = await tx.get<{ processCode: string | null; staffId: string | null; occurredAt: number | null; corpId: string | null }>(
          `SELECT process_code AS "processCode", staff_id AS "staffId", occurred_at AS "occurredAt", corp_id AS "corpId" FROM events
           WHERE tenant_id = ? AND process_instance_id = ? AND event_type = 'bpms_task_change' AND task_id = ? AND change_type = 'start' LIMIT 1`,
          [timer.tenantId, timer.processInstanceId, timer.taskId],
        );
        const originator = await originatorOf(tx, timer.tenantId, timer.processInstanceId);
        const raw = { subscriptionId: timer.subscriptionId, afterMs: Number(timer.afterMs), taskStartedAt: start?.occurredAt ?? null, approverUserId: start?.staffId ?? null };
        const row = await tx.get<{ id: number }>(
          `INSERT INTO events (tenant_id, event_id, event_type, change_type, result, process_instance_id, process_code, task_id,
             staff_id, corp_id, occurred_at, born_at, received_at, via, raw)
           VALUES (?, ?, ?, 'waiting', NULL, ?, ?, ?, ?, ?, ?, NULL, ?, 'timer', ?)
           ON CONFLICT (tenant_id, event_id) DO NOTHING RETURNING id`,
          [timer.tenantId, `timer:${timer.subscriptionId}:${timer.taskId}:${timer.afterMs}`, WAITING_EVENT_TYPE, timer.processInstanceId, start?.processCode ?? null,
            timer.taskId, originator, start?.corpId ?? null, Number(timer.fireAt), now, JSON.stringify(raw)],
        );
        if (row) {
          await tx.run("INSERT INTO deliveries (event_id, subscription_id, status, next_attempt_at, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?, ?)",
            [Number(row.id), timer.subscriptionId, now, now, now]);
        }
        return 'fired';
      }),
    fired: async (id: number) => (await db.run("UPDATE timers SET status = 'fired', locked_until = NULL WHERE id = ? AND status = 'pending'", [id])) > 0,
    ofTask: (tenantId: string, taskId: string) => db.all<TimerRow>(`SELECT ${columns} FROM timers WHERE tenant_id = ? AND task_id = ? ORDER BY after_ms`, [tenantId, taskId]),
  };
}

/** An event as recordAll sees it, once stored. */
export interface TimedEvent {
  tenantId: string;
  eventType: string;
  changeType: string;
  processInstanceId: string;
  processCode?: string | null;
  taskId?: string | null;
  /** The approver, on a task event. */
  staffId?: string | null;
  occurredAt?: number | null;
}

const wantsWaiting = (filters: SubscriptionFilters) => Boolean(filters.kinds?.includes('waiting') && filters.waitingHours?.length);

/** True when DingTalk already said the task, or its whole approval, is over (events may arrive out of order). */
export async function taskIsOver(tx: Sql, tenantId: string, processInstanceId: string, taskId: string): Promise<boolean> {
  const row = await tx.get(
    `SELECT 1 AS over FROM events WHERE tenant_id = ? AND process_instance_id = ? AND (
       (event_type = 'bpms_task_change' AND task_id = ? AND change_type IN ('finish', 'cancel'))
       OR (event_type = 'bpms_instance_change' AND change_type IN ('finish', 'terminate', 'delete'))) LIMIT 1`,
    [tenantId, processInstanceId, taskId],
  );
  return row !== undefined;
}

/** The approval's originator, if its start event reached the relay. */
export async function originatorOf(tx: Sql, tenantId: string, processInstanceId: string): Promise<string | null> {
  const row = await tx.get<{ staffId: string | null }>(
    `SELECT staff_id AS "staffId" FROM events WHERE tenant_id = ? AND process_instance_id = ? AND event_type = 'bpms_instance_change' AND change_type = 'start' LIMIT 1`,
    [tenantId, processInstanceId],
  );
  return row?.staffId ?? null;
}

/**
 * "Waiting too long" on events, in the transaction that stores them: a task's start schedules one timer per
 * subscribed threshold (from the task's own start time, so a late event fires at once); a task's finish (done or
 * transferred) or cancel, or the approval's end, cancels them. A start that arrives after its end schedules
 * nothing. An approvers filter matches the task start's staffId (its approver); a transferred task is a new task
 * (⚠ we read DingTalk's task `finish` with result `redirect` as followed by the new task's own `start`), timed when
 * it reaches a chosen approver. An originator filter needs the approval's start event; without it the timer is
 * kept (⚠ a choice: an extra alert rather than a missed one).
 */
export async function applyTimerRules(tx: Sql, events: TimedEvent[], subscriptions: { id: string; tenantId: string; filters: string }[], now: number): Promise<void> {
  const waiting = subscriptions.map((s) => ({ ...s, parsed: parseFilters(s.filters) })).filter((s) => wantsWaiting(s.parsed));
  // Pending timers exist only for waiting subscriptions (deleting one deletes its timers): other tenants skip this.
  const tenantsWaiting = new Set(waiting.map((s) => s.tenantId));
  for (const event of events) {
    if (!tenantsWaiting.has(event.tenantId)) continue;
    if (event.eventType === 'bpms_task_change' && event.taskId) {
      if (event.changeType === 'finish' || event.changeType === 'cancel') {
        await tx.run("UPDATE timers SET status = 'cancelled', locked_until = NULL WHERE tenant_id = ? AND task_id = ? AND status = 'pending'", [event.tenantId, event.taskId]);
      } else if (event.changeType === 'start') {
        await scheduleForTask(tx, event, event.taskId, waiting.filter((s) => s.tenantId === event.tenantId), now);
      }
    } else if (event.eventType === 'bpms_instance_change' && ['finish', 'terminate', 'delete'].includes(event.changeType)) {
      await tx.run("UPDATE timers SET status = 'cancelled', locked_until = NULL WHERE tenant_id = ? AND process_instance_id = ? AND status = 'pending'", [event.tenantId, event.processInstanceId]);
    }
  }
}

async function scheduleForTask(tx: Sql, event: TimedEvent, taskId: string, subscriptions: { id: string; parsed: SubscriptionFilters }[], now: number) {
  const templateMatches = subscriptions.filter(
    ({ parsed }) =>
      (!parsed.processCodes?.length || (event.processCode != null && parsed.processCodes.includes(event.processCode))) &&
      // A task start's staffId is its approver (dingtalk-events.md §5).
      (!parsed.approvers?.length || (event.staffId != null && parsed.approvers.includes(event.staffId))),
  );
  if (templateMatches.length === 0 || (await taskIsOver(tx, event.tenantId, event.processInstanceId, taskId))) return;
  const originator = templateMatches.some(({ parsed }) => parsed.originators?.length) ? await originatorOf(tx, event.tenantId, event.processInstanceId) : null;
  const startedAt = event.occurredAt ?? now;
  for (const { id, parsed } of templateMatches) {
    if (parsed.originators?.length && originator !== null && !parsed.originators.includes(originator)) continue;
    for (const hours of parsed.waitingHours ?? []) {
      const afterMs = Math.round(hours * HOUR_MS);
      await tx.run(
        `INSERT INTO timers (tenant_id, subscription_id, process_instance_id, task_id, after_ms, fire_at, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (subscription_id, task_id, after_ms) DO NOTHING`,
        [event.tenantId, id, event.processInstanceId, taskId, afterMs, startedAt + afterMs, now],
      );
    }
  }
}
