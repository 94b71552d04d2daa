/**
 * Runs async work with bounded concurrency and a per-second ceiling, so a poll that fetches many details stays
 * well under DingTalk's 20 calls per second per API for the app (call-frequency-limit), leaving room for other
 * Zaps polling at the same moment.
 */
export const MAX_CONCURRENCY = 4;
export const MAX_PER_SECOND = 10;

export async function mapLimited<Item, Result>(
  items: readonly Item[],
  work: (item: Item) => Promise<Result>,
  { concurrency = MAX_CONCURRENCY, perSecond = MAX_PER_SECOND } = {},
): Promise<Result[]> {
  const results: Result[] = new Array(items.length);
  const starts: number[] = [];
  let next = 0;
  // After the first failure no new work starts: the caller is about to give up, and calls made after that
  // would spend quota for results nobody stores.
  let failed = false;

  const waitForSlot = async () => {
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

  const worker = async () => {
    while (next < items.length && !failed) {
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
