/**
 * Deletes what is older than RELAY_RETENTION_DAYS, and processes silent for a day, once an hour (and at start).
 * A failed sweep is logged and tried again at the next hour; nothing depends on it but disk space.
 */
import type { Logger } from './log';
import type { Store } from './store';

const DAY_MS = 86_400_000;
export const SWEEP_EVERY_MS = 3_600_000;

export function startRetention(store: Store, retentionDays: number, log: Logger, now: () => number = Date.now): () => void {
  const sweep = async () => {
    try {
      const events = await store.stats.purgeBefore(now() - retentionDays * DAY_MS);
      await store.leases.forgetProcesses(now() - DAY_MS);
      if (events > 0) log.info('retention.swept', { events, retentionDays });
    } catch (error) {
      log.error('retention.failed', { error, retryInMs: SWEEP_EVERY_MS });
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), SWEEP_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
