import { backoffMs } from '../../relay/intake/backoff';

test('waits double after each failure, with up to 1 s of jitter, capped at 60 s', () => {
  expect([0, 1, 2, 5].map((failures) => backoffMs(failures, () => 0))).toEqual([1000, 2000, 4000, 32_000]);
  expect(backoffMs(0, () => 0.999)).toBe(1999);
  expect(backoffMs(6, () => 0.5)).toBe(60_000);
  expect(backoffMs(1000, () => 0.5)).toBe(60_000);
});
