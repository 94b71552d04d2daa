/** The small tables: HTTP push nonces, reconcile runs, errors and the master-key check. */
import type { Db } from './db';

export interface ReconcileRunRow {
  id: number;
  tenantId: string;
  processCode: string;
  day: string;
  status: 'running' | 'ok' | 'failed';
  startedAt: number;
  finishedAt: number | null;
  meteredCalls: number;
  recovered: number;
  error: string | null;
}

export interface ErrorRow {
  tenantId: string | null;
  at: number;
  source: string;
  message: string;
}

const runColumns = `id, tenant_id AS "tenantId", process_code AS "processCode", day, status, started_at AS "startedAt",
  finished_at AS "finishedAt", metered_calls AS "meteredCalls", recovered, error`;

export function nonceQueries(db: Db) {
  return {
    /** Remembers an HTTP push nonce; false if it was seen before, i.e. the request is a replay. */
    remember: async (tenantId: string, nonce: string, now: number) =>
      (await db.run('INSERT INTO nonces (tenant_id, nonce, seen_at) VALUES (?, ?, ?) ON CONFLICT (tenant_id, nonce) DO NOTHING', [tenantId, nonce, now])) > 0,
    /** Forgets a nonce whose request could not be stored, so DingTalk's retry is not taken for a replay. */
    forget: async (tenantId: string, nonce: string) => {
      await db.run('DELETE FROM nonces WHERE tenant_id = ? AND nonce = ?', [tenantId, nonce]);
    },
  };
}

export function reconcileQueries(db: Db) {
  return {
    /**
     * Claims the reconcile of one tenant, template and day for `holder`. Only one process gets it; a failed run, or
     * one whose process died (still running after `staleMs`), can be claimed again. Returns the run's id.
     */
    async claim(run: { tenantId: string; processCode: string; day: string; holder: string }, now: number, staleMs: number): Promise<number | undefined> {
      const row = await db.get<{ id: number }>(
        `INSERT INTO reconcile_runs (tenant_id, process_code, day, holder, status, started_at) VALUES (?, ?, ?, ?, 'running', ?)
         ON CONFLICT (tenant_id, process_code, day) DO UPDATE SET holder = excluded.holder, status = 'running',
           started_at = excluded.started_at, finished_at = NULL, error = NULL
         WHERE reconcile_runs.status = 'failed' OR (reconcile_runs.status = 'running' AND reconcile_runs.started_at <= ?)
         RETURNING id`,
        [run.tenantId, run.processCode, run.day, run.holder, now, now - staleMs],
      );
      return row?.id;
    },
    async finish(id: number, result: { meteredCalls: number; recovered: number; error?: string | null }, now: number): Promise<void> {
      await db.run('UPDATE reconcile_runs SET status = ?, finished_at = ?, metered_calls = ?, recovered = ?, error = ? WHERE id = ?', [
        result.error ? 'failed' : 'ok', now, result.meteredCalls, result.recovered, result.error ?? null, id]);
    },
    latest: (tenantId: string, limit: number) =>
      db.all<ReconcileRunRow>(`SELECT ${runColumns} FROM reconcile_runs WHERE tenant_id = ? ORDER BY started_at DESC, id DESC LIMIT ?`, [tenantId, limit]),
  };
}

export function errorQueries(db: Db) {
  return {
    /** Records what went wrong; the message must already be free of secrets (relay/log.ts redacts). */
    async record(error: ErrorRow): Promise<void> {
      await db.run('INSERT INTO errors (tenant_id, at, source, message) VALUES (?, ?, ?, ?)', [error.tenantId, error.at, error.source, error.message]);
    },
    latest: (tenantId: string, limit: number) =>
      db.all<ErrorRow>('SELECT tenant_id AS "tenantId", at, source, message FROM errors WHERE tenant_id = ? ORDER BY at DESC, id DESC LIMIT ?', [tenantId, limit]),
  };
}

export function settingQueries(db: Db) {
  return {
    get: async (name: string) => (await db.get<{ value: string }>('SELECT value FROM settings WHERE name = ?', [name]))?.value,
    /** Sets a value only if none is set; returns the value that is set afterwards. */
    async setOnce(name: string, value: string): Promise<string> {
      await db.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, value]);
      return (await db.get<{ value: string }>('SELECT value FROM settings WHERE name = ?', [name]))!.value;
    },
  };
}
