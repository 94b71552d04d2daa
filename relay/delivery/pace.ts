/**
 * Keeps each hook under Zapier's 30 requests a second (dingtalk-events.md §7): every POST to a subscription takes
 * the next free slot, 1/30 s after the previous one. In-process only: several relay processes on Postgres each
 * pace their own POSTs (⚠ a hook served by three processes at once could see up to three times the rate; a 429
 * from Zapier is then honoured through Retry-After).
 */
export function pacer(perSecond: number, clock: () => number = () => performance.now()) {
  const gap = 1000 / perSecond;
  const nextFree = new Map<string, number>();
  return {
    /** Reserves `key`'s next slot; says how long to wait for it (ms). */
    reserve(key: string): number {
      const now = clock();
      const slot = Math.max(now, nextFree.get(key) ?? now);
      nextFree.set(key, slot + gap);
      if (nextFree.size > 10_000) for (const [k, at] of nextFree) if (at < now) nextFree.delete(k);
      return slot - now;
    },
    /** Resolves when `key` may send. */
    async take(key: string): Promise<void> {
      const wait = this.reserve(key);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}
