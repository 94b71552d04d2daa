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

  const waitForSlot = async () => {
    for (;;) {
      const now = Date.now();
      while (starts.length > 0 && now - starts[0]! >= 1000) starts.shift();
      if (starts.length < perSecond) {
        starts.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 - (now - starts[0]!)));
    }
  };

  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await waitForSlot();
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
