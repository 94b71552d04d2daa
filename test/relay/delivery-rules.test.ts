/** The delivery rules on their own: the schedule, Retry-After, what each answer means, and the per-hook pace. */
import { decide } from '../../relay/delivery/outcome';
import { pacer } from '../../relay/delivery/pace';
import { RETRY_SCHEDULE_MS, retryAfterMs } from '../../relay/delivery/schedule';
import { sign } from '../../relay/delivery/signature';

const NOW = Date.parse('2026-11-20T02:00:00Z');
const answered = (status: number, retryAfter: string | null = null) => ({ kind: 'answered' as const, status, retryAfter, body: '' });

test('Svix\'s schedule: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; the eighth failure is a dead letter', () => {
  const waits = [1, 2, 3, 4, 5, 6, 7].map((attempts) => {
    const decision = decide(answered(500), attempts, RETRY_SCHEDULE_MS, NOW);
    return decision.action === 'retry' ? (decision.at - NOW) / 1000 : decision.action;
  });
  expect(waits).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
  expect(decide(answered(500), 8, RETRY_SCHEDULE_MS, NOW).action).toBe('dead');
});

test('each answer means what the issue says', () => {
  expect(decide(answered(204), 1, RETRY_SCHEDULE_MS, NOW)).toEqual({ action: 'done', outcome: { httpStatus: 204 } });
  expect(decide(answered(410), 1, RETRY_SCHEDULE_MS, NOW).action).toBe('remove-subscription');
  expect(decide(answered(301), 1, RETRY_SCHEDULE_MS, NOW)).toMatchObject({ action: 'retry', at: NOW + 5000 });
  expect(decide(answered(400), 1, RETRY_SCHEDULE_MS, NOW)).toMatchObject({ action: 'retry', outcome: { httpStatus: 400, error: 'The hook answered HTTP 400' } });
  expect(decide(answered(429, '2'), 3, RETRY_SCHEDULE_MS, NOW)).toMatchObject({ action: 'retry', at: NOW + 2000 });
  expect(decide(answered(429), 1, RETRY_SCHEDULE_MS, NOW)).toMatchObject({ action: 'retry', at: NOW + 5000 });
  expect(decide({ kind: 'timeout' }, 1, RETRY_SCHEDULE_MS, NOW)).toMatchObject({ action: 'retry', outcome: { unknown: true } });
  expect(decide({ kind: 'failed', error: 'hooks.example:443: ECONNREFUSED' }, 1, RETRY_SCHEDULE_MS, NOW)).toMatchObject({ action: 'retry', outcome: { error: 'The hook could not be reached (hooks.example:443: ECONNREFUSED).' } });
});

test('Retry-After in seconds or as an HTTP date; unreadable values fall back to the schedule', () => {
  expect(retryAfterMs('120', NOW)).toBe(120_000);
  expect(retryAfterMs(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
  expect(retryAfterMs('soon', NOW)).toBeUndefined();
  expect(retryAfterMs(null, NOW)).toBeUndefined();
  expect(retryAfterMs('999999', NOW)).toBe(10 * 3_600_000);
});

test('each hook gets at most 30 POSTs a second; hooks do not wait for each other', () => {
  const pace = pacer(30, () => 0);
  const waits = Array.from({ length: 31 }, () => pace.reserve('hook-a'));
  expect(waits[0]).toBe(0);
  expect(waits[29]).toBeCloseTo(966.67, 1);
  expect(waits[30]).toBeCloseTo(1000, 5);
  expect(pace.reserve('hook-b')).toBe(0);
});

test('the signature matches the Standard Webhooks spec\'s published example', () => {
  // standard-webhooks spec, "Verifying webhooks" example (also the standardwebhooks libraries' test vector).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const body = '{"test": 2432232314}';
  expect(sign(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});
