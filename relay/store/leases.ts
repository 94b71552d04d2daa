/**
 * Live processes and the leases on each tenant's Stream connection slots. A lease is held until `expires_at`
 * and renewed well before; a process that dies stops renewing, and another takes the slot once it expires.
 * Times come from each process's clock, so replicas' clocks must agree to within a few seconds (NTP).
 */
import type { Db } from './db';

export interface LeaseRow {
  tenantId: string;
  slot: number;
  holder: string;
  acquiredAt: number;
  expiresAt: number;
}

export interface ProcessInfo {
  id: string;
  host: string;
  pid: number;
}

const columns = 'tenant_id AS "tenantId", slot, holder, acquired_at AS "acquiredAt", expires_at AS "expiresAt"';

export function leaseQueries(db: Db) {
  return {
    /** Says this process is alive. */
    async heartbeat(process: ProcessInfo, now: number): Promise<void> {
      await db.run(
        `INSERT INTO processes (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
        [process.id, process.host, process.pid, now, now],
      );
    },
    /** Processes whose heartbeat is newer than `since`. */
    liveProcesses: (since: number) =>
      db.all<ProcessInfo & { heartbeatAt: number }>('SELECT id, host, pid, heartbeat_at AS "heartbeatAt" FROM processes WHERE heartbeat_at > ? ORDER BY id', [since]),
    /** Forgets processes silent since `before` (their leases have long expired). */
    forgetProcesses: (before: number) => db.run('DELETE FROM processes WHERE heartbeat_at <= ?', [before]),
    async stopped(processId: string): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.run('DELETE FROM leases WHERE holder = ?', [processId]);
        await tx.run('DELETE FROM processes WHERE id = ?', [processId]);
      });
    },

    /**
     * Takes a slot if it is free, expired or already ours, and holds it until `now + ttlMs`. One statement, so two
     * processes racing for a slot cannot both win.
     */
    async acquire(tenantId: string, slot: number, holder: string, now: number, ttlMs: number): Promise<boolean> {
      const row = await db.get<{ holder: string }>(
        `INSERT INTO leases (tenant_id, slot, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, slot) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
         WHERE leases.expires_at <= ? OR leases.holder = excluded.holder
         RETURNING holder`,
        [tenantId, slot, holder, now, now + ttlMs, now],
      );
      return row?.holder === holder;
    },
    /** Extends every unexpired lease this process holds and returns them; one it lost is simply not returned. */
    renew: (holder: string, now: number, ttlMs: number) =>
      db.all<LeaseRow>(`UPDATE leases SET expires_at = ? WHERE holder = ? AND expires_at > ? RETURNING ${columns}`, [now + ttlMs, holder, now]),
    release: async (tenantId: string, slot: number, holder: string) =>
      (await db.run('DELETE FROM leases WHERE tenant_id = ? AND slot = ? AND holder = ?', [tenantId, slot, holder])) > 0,
    all: () => db.all<LeaseRow>(`SELECT ${columns} FROM leases ORDER BY tenant_id, slot`),
  };
}
