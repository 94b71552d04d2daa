/**
 * Runs async work with bounded concurrency and a per-second ceiling, so a poll that fetches many details stays
 * well under DingTalk's 20 calls per second per API for the app (call-frequency-limit), leaving room for other
 * Zaps polling at the same moment.
 */
export const MAX_CONCURRENCY = 4;
export const MAX_PER_SECOND = 10;

/**
 * A gate that lets at most `perSecond` callers through in any one-second window: await it before each call.
 * Shared by work that runs side by side (the slices of a window scan), so together they stay under the limit.
 */
export function rateGate(perSecond: number): () => Promise<void> {
  const starts: number[] = [];
  return async () => {
    for (;;) {
      // A monotonic clock: a wall clock stepping back (or a test freezing Date) must not stall the window.
      const now = performance.now();
      while (starts.length > 0 && now - starts[0]! >= 1000) starts.shift();
      if (starts.length < perSecond) {
        starts.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 - (now - starts[0]!)));
    }
  };
}

export async function mapLimited<Item, Result>(
  items: readonly Item[],
  work: (item: Item) => Promise<Result>,
  { concurrency = MAX_CONCURRENCY, perSecond = MAX_PER_SECOND, shouldStop = () => false }: { concurrency?: number; perSecond?: number; shouldStop?: () => boolean } = {},
): Promise<Result[]> {
  const results: Result[] = new Array(items.length);
  let next = 0;
  // After the first failure no new work starts: the caller is about to give up, and calls made after that
  // would spend quota for results nobody stores.
  let failed = false;

  const waitForSlot = rateGate(perSecond);

  const worker = async () => {
    while (next < items.length && !failed) {
      // A poll past its time budget starts no new work; what is left waits for the next poll.
      if (shouldStop()) return;
      const index = next++;
      await waitForSlot();
      if (failed) return;
      try {
        results[index] = await work(items[index]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  // allSettled first, so in-flight work finishes before the caller sees the error and saves what it learned.
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  const rejected = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}
