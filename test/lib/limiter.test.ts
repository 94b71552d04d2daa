import { mapLimited } from '../../lib/limiter';

describe('mapLimited', () => {
  test('returns results in input order', async () => {
    const results = await mapLimited([3, 1, 2], async (n) => {
      await new Promise((resolve) => setTimeout(resolve, n));
      return n * 10;
    });
    expect(results).toEqual([30, 10, 20]);
  });

  test('starts no new work after a failure, and lets work in flight finish before rejecting', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const error = await mapLimited(
      [0, 1, 2, 3, 4, 5, 6, 7],
      async (n) => {
        started.push(n);
        if (n === 1) throw new Error('throttled');
        await new Promise((resolve) => setTimeout(resolve, 5));
        finished.push(n);
        return n;
      },
      { concurrency: 2 },
    ).catch((e: Error) => e);
    expect(error).toEqual(new Error('throttled'));
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([0]);
  });
});
