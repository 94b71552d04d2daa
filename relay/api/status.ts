/**
 * GET /status: per tenant, what the relay knows. The store answers for events, errors and reconcile runs;
 * other rooms add their part through `StatusSource`s (intake: connection states, pushes against the edition's
 * quota), each under its own name in every tenant's entry.
 */
import type { Store } from '../store';

/** One room's contribution to each tenant's status entry, under `name`. */
export interface StatusSource {
  name: string;
  forTenant(clientId: string): unknown | Promise<unknown>;
}

/**
 * DingTalk is in China Standard Time (UTC+8, no daylight saving), and so are its users in Hong Kong. "Today" and
 * "this month" start at midnight there; that the push quota's month does too is assumed ⚠.
 */
export const CHINA_OFFSET_MS = 8 * 3_600_000;

export function periodStarts(now: number): { todayStart: number; monthStart: number } {
  const local = new Date(now + CHINA_OFFSET_MS);
  const todayStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - CHINA_OFFSET_MS;
  const monthStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - CHINA_OFFSET_MS;
  return { todayStart, monthStart };
}

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
const RECENT = 5;

export async function statusOf(store: Store, sources: StatusSource[], now: number) {
  const { todayStart, monthStart } = periodStarts(now);
  const [tenants, counts] = await Promise.all([store.tenants.list(), store.stats.eventCounts(todayStart, monthStart)]);
  const countsOf = new Map(counts.map((row) => [row.tenantId, row]));
  return {
    time: iso(now),
    database: store.db.dialect.name,
    tenants: await Promise.all(
      tenants.map(async ({ clientId }) => {
        const count = countsOf.get(clientId);
        const [errors, reconcile, extra] = await Promise.all([
          store.errors.latest(clientId, RECENT),
          store.reconcileRuns.latest(clientId, RECENT),
          Promise.all(sources.map(async (source) => [source.name, await source.forTenant(clientId)] as const)),
        ]);
        return {
          clientId,
          lastEventAt: iso(count?.lastReceivedAt),
          eventsToday: Number(count?.today ?? 0),
          eventsThisMonth: Number(count?.thisMonth ?? 0),
          pushedThisMonth: Number(count?.pushedThisMonth ?? 0),
          repeatedFinishesThisMonth: Number(count?.repeatedFinishesThisMonth ?? 0),
          errors: errors.map((error) => ({ at: iso(error.at), source: error.source, message: error.message })),
          reconcile: reconcile.map((run) => ({ day: run.day, processCode: run.processCode, status: run.status, meteredCalls: run.meteredCalls, recovered: run.recovered, error: run.error, finishedAt: iso(run.finishedAt) })),
          ...Object.fromEntries(extra),
        };
      }),
    ),
  };
}
