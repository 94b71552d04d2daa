/**
 * The time one step has left, for work that must end before Zapier's limit even when DingTalk is slow
 * (zapier/after-write.ts). Nothing here knows Zapier.
 */
import { performance } from 'node:perf_hooks';

/**
 * Zapier stops an action after 30 s (zapier-platform.md, "30 s for … creates/searches"). The read-back must end
 * by `budgetMs`, which leaves time for Zapier's own work. A write is not started after `writeCutoffMs`: a write
 * that started so late could finish just as Zapier gives up, and the user would see a failure for an approval
 * that exists. Tests lower these figures to keep their delays short.
 */
export const actionTiming = { budgetMs: 25_000, writeCutoffMs: 15_000 };

export class DeadlineError extends Error {
  constructor() {
    super('DingTalk did not answer in time');
    this.name = 'DeadlineError';
  }
}

/** The time one action has left. Uses the monotonic clock, which tests that freeze `Date` leave running. */
export class Deadline {
  private readonly startedAt = performance.now();

  constructor(private readonly budgetMs = actionTiming.budgetMs) {}

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** `work`'s result, or a DeadlineError once the budget is spent. The request itself cannot be cancelled. */
  within<T>(work: Promise<T>): Promise<T> {
    const remaining = this.budgetMs - this.elapsedMs();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError()), Math.max(0, remaining));
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}
