/** What /status shows per tenant from the store alone, and the retention sweep. */
import type { Db } from './db';

export interface EventCounts {
  tenantId: string;
  /** When the relay last stored an event for the tenant (ms), whichever way it came. */
  lastReceivedAt: number | null;
  today: number;
  thisMonth: number;
  /** This month's events that DingTalk pushed (Stream or HTTP), i.e. the ones its push quota counted. */
  pushedThisMonth: number;
  /**
   * This month's finishes and terminates that arrived again under another eventId (typically DingTalk's late push
   * of a finish the reconcile had recovered): kept out of the events, so delivered once. Pushed ones are in
   * pushedThisMonth too, since DingTalk counted them.
   */
  repeatedFinishesThisMonth: number;
}

export function statsQueries(db: Db) {
  return {
    /** Event counts of every tenant that has events, since the starts of today and of this month (ms). */
    async eventCounts(todayStart: number, monthStart: number): Promise<EventCounts[]> {
      const [counts, repeated] = await Promise.all([
        db.all<Omit<EventCounts, 'repeatedFinishesThisMonth'>>(
          `SELECT tenant_id AS "tenantId", MAX(received_at) AS "lastReceivedAt",
             SUM(CASE WHEN received_at >= ? THEN 1 ELSE 0 END) AS today,
             SUM(CASE WHEN received_at >= ? THEN 1 ELSE 0 END) AS "thisMonth",
             SUM(CASE WHEN received_at >= ? AND via IN ('stream', 'http') THEN 1 ELSE 0 END) AS "pushedThisMonth"
           FROM events WHERE via <> 'timer' GROUP BY tenant_id`,
          [todayStart, monthStart, monthStart],
        ),
        db.all<{ tenantId: string; repeated: number; pushed: number }>(
          `SELECT tenant_id AS "tenantId", COUNT(*) AS repeated, SUM(CASE WHEN via IN ('stream', 'http') THEN 1 ELSE 0 END) AS pushed
           FROM merged_arrivals WHERE received_at >= ? GROUP BY tenant_id`,
          [monthStart],
        ),
      ]);
      // A repeat always points at a stored event of its tenant, so its tenant has a row here.
      const repeatedOf = new Map(repeated.map((row) => [row.tenantId, row]));
      return counts.map((row) => ({
        ...row,
        pushedThisMonth: Number(row.pushedThisMonth) + Number(repeatedOf.get(row.tenantId)?.pushed ?? 0),
        repeatedFinishesThisMonth: Number(repeatedOf.get(row.tenantId)?.repeated ?? 0),
      }));
    },

    /**
     * Deletes what is older than `before`: events (with their deliveries), nonces, errors, finished reconcile runs
     * and fired or cancelled timers. Returns how many events went.
     */
    purgeBefore: (before: number) =>
      db.transaction(async (tx) => {
        const events = await tx.run('DELETE FROM events WHERE received_at < ?', [before]);
        await tx.run('DELETE FROM nonces WHERE seen_at < ?', [before]);
        await tx.run('DELETE FROM errors WHERE at < ?', [before]);
        await tx.run("DELETE FROM reconcile_runs WHERE started_at < ? AND status <> 'running'", [before]);
        await tx.run("DELETE FROM timers WHERE created_at < ? AND status <> 'pending'", [before]);
        return events;
      }),
  };
}
