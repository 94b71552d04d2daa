/**
 * Part 2's "waiting too long" timers: scheduled when a task starts, cancelled when it ends, fired once if it is
 * still pending. They live in the database, so they survive restarts, and a claim holds a timer for a while so
 * only one process fires it.
 */
import type { Db } from './db';

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
           SELECT id FROM timers WHERE status = 'pending' AND fire_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
           ORDER BY fire_at LIMIT ? ${db.dialect.skipLocked()})
         RETURNING ${columns}`,
        [now + lockMs, now, now, limit],
      ),
    fired: async (id: number) => (await db.run("UPDATE timers SET status = 'fired', locked_until = NULL WHERE id = ? AND status = 'pending'", [id])) > 0,
    ofTask: (tenantId: string, taskId: string) => db.all<TimerRow>(`SELECT ${columns} FROM timers WHERE tenant_id = ? AND task_id = ? ORDER BY after_ms`, [tenantId, taskId]),
  };
}
