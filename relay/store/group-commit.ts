/**
 * Group commit for event writes: calls that arrive while a commit runs wait and commit together.
 */
import type { Db, Sql } from './db';
import type { Arrival, NewEvent, Recorded } from './events';

interface Waiting {
  events: NewEvent[];
  now: number;
  resolve(results: Recorded[]): void;
  reject(error: unknown): void;
}

/** Enough to keep one commit short; more waits for the next. */
const MAX_GROUP = 200;

/**
 * Group commit. A durable commit costs an fsync (about 1–3 ms here), so calls that arrive while one commits wait
 * and then commit together, in one transaction: each caller still learns only when its own events are on disk.
 * If a group fails, its calls are retried one by one, so one bad call fails alone.
 */
export function groupCommit(db: Db, recordAll: (tx: Sql, arrivals: Arrival[]) => Promise<Recorded[]>) {
  const waiting: Waiting[] = [];
  let flushing = false;
  /** One transaction for all the calls; each call gets back the results of its own events. */
  const write = (calls: Waiting[]) =>
    db.transaction(async (tx) => {
      const results = await recordAll(tx, calls.flatMap((call) => call.events.map((event) => ({ event, now: call.now }))));
      let next = 0;
      return calls.map((call) => results.slice(next, (next += call.events.length)));
    });
  const flush = async () => {
    flushing = true;
    // Let this turn of the event loop finish first: events that arrived together (one WebSocket read carries many
    // frames, and both connections are read in the same turn) then share the first commit, not just the next one.
    await new Promise((resolve) => setImmediate(resolve));
    while (waiting.length) {
      const group = waiting.splice(0, MAX_GROUP);
      try {
        const results = await write(group);
        group.forEach((call, i) => call.resolve(results[i]!));
      } catch (error) {
        if (group.length === 1) group[0]!.reject(error);
        else for (const call of group) await write([call]).then(([results]) => call.resolve(results!), call.reject);
      }
    }
    flushing = false;
  };
  return (events: NewEvent[], now: number) =>
    new Promise<Recorded[]>((resolve, reject) => {
      waiting.push({ events, now, resolve, reject });
      if (!flushing) void flush();
    });
}
