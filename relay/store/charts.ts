/** What the status page charts per tenant: events per day, and how long approvals take from start to finish. */
import type { Db } from './db';

const DAY_MS = 86_400_000;

export interface DayCount {
  /** Days since the epoch, counted in the time zone `offsetMs` east of UTC. */
  day: number;
  events: number;
}

export interface ProcessingTime {
  approvals: number;
  /** Mean of finish minus start, DingTalk's own times (ms); null when no approval both started and finished. */
  averageMs: number | null;
}

export function chartQueries(db: Db) {
  return {
    /** A tenant's stored events per local day since `since` (ms); days without events are absent. */
    eventsPerDay: async (tenantId: string, since: number, offsetMs: number): Promise<DayCount[]> =>
      (
        await db.all<DayCount>(
          // Integer division on both databases, so the offset is an integer literal: node:sqlite binds every JS
          // number as REAL, and REAL / INTEGER would not truncate to whole days.
          `SELECT (received_at + ${Math.trunc(offsetMs)}) / ${DAY_MS} AS day, COUNT(*) AS events FROM events
           WHERE tenant_id = ? AND received_at >= ? AND via <> 'timer' GROUP BY day ORDER BY day`,
          [tenantId, since],
        )
      ).map((row) => ({ day: Number(row.day), events: Number(row.events) })),

    /**
     * Approvals that finished since `since` and whose start the relay also stored: how many, and their average
     * time from start to finish (instance events only; occurred_at is createTime / finishTime).
     */
    processingTime: async (tenantId: string, since: number): Promise<ProcessingTime> => {
      const row = await db.get<{ approvals: number; averageMs: number | null }>(
        `SELECT COUNT(*) AS approvals, AVG(f.occurred_at - s.occurred_at) AS "averageMs"
         FROM events f JOIN events s ON s.tenant_id = f.tenant_id AND s.process_instance_id = f.process_instance_id
           AND s.event_type = 'bpms_instance_change' AND s.change_type = 'start'
         WHERE f.tenant_id = ? AND f.event_type = 'bpms_instance_change' AND f.change_type = 'finish' AND f.received_at >= ?
           AND f.occurred_at IS NOT NULL AND s.occurred_at IS NOT NULL`,
        [tenantId, since],
      );
      const approvals = Number(row?.approvals ?? 0);
      return { approvals, averageMs: approvals > 0 && row?.averageMs != null ? Math.round(Number(row.averageMs)) : null };
    },
  };
}
