/**
 * Fires "waiting too long" timers (scheduled by the store as task events arrive, store/timers.ts): claims due
 * ones, and for each task still pending stores a waiting event and its delivery, in one transaction. No DingTalk
 * calls: whether a task is still pending is what its events say. Timers are rows, so they survive restarts; a
 * claim holds a timer for `lockMs`, and only the claimer that moves it out of `pending` fires it.
 */
import type { Logger } from '../log';
import type { Store } from '../store';

export interface TimerWorkerOptions {
  store: Store;
  log: Logger;
  now?: () => number;
  /** Called after timers fired, so the delivery worker looks at once. */
  fired?: () => void;
  pollMs?: number;
  lockMs?: number;
  batch?: number;
}

export function timerWorker({ store, log, now = Date.now, fired = () => undefined, pollMs = 1000, lockMs = 60_000, batch = 100 }: TimerWorkerOptions) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  /** Fires what is due; says how many timers fired. */
  async function runOnce(): Promise<number> {
    let count = 0;
    for (const due of await store.timers.claimDue(now(), batch, lockMs)) {
      const result = await store.timers.fire(due, now());
      if (result === 'fired') count += 1;
      log.info(`timer.${result}`, { tenantId: due.tenantId, subscriptionId: due.subscriptionId, processInstanceId: due.processInstanceId, taskId: due.taskId, afterMs: Number(due.afterMs) });
    }
    if (count > 0) fired();
    return count;
  }

  const tick = () => {
    running = runOnce()
      .catch((error: unknown) => log.error('timer.failed', { error }))
      .finally(() => {
        if (timer) timer = setTimeout(tick, pollMs);
      });
  };

  return {
    runOnce,
    start() {
      if (!timer) timer = setTimeout(tick, 0);
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

export type TimerWorker = ReturnType<typeof timerWorker>;
