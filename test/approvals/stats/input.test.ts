/**
 * Find Approval Statistics' inputs: the period choices, From–to as whole days or exact times in Hong Kong time,
 * and every problem reported at once.
 */
import { statisticsInput } from '../../../approvals/stats/input';
import { InputError } from '../../../lib/inputs';
import { DAY_MS, HOUR_MS } from '../../../lib/time';

const NOW = Date.parse('2026-11-30T01:00:00Z'); // Monday 09:00 in Hong Kong
const read = (inputData: Record<string, unknown>) => statisticsInput({ processCode: 'PROC-1', ...inputData }, NOW);
const problems = (inputData: Record<string, unknown>) => {
  try {
    read(inputData);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('no problem reported');
};

test('defaults: the last 7 days up to now, a 48-hour target', () => {
  expect(read({})).toEqual({ processCode: 'PROC-1', period: { from: NOW - 7 * DAY_MS, to: NOW }, periodLabel: 'Last 7 days', targetHours: 48 });
  expect(read({ period: 'last_30_days', targetHours: '4.5' })).toMatchObject({ period: { from: NOW - 30 * DAY_MS, to: NOW }, periodLabel: 'Last 30 days', targetHours: 4.5 });
});

test('From–to with dates alone is whole days in Hong Kong time: 1 to 30 November is all of November', () => {
  expect(read({ period: 'custom', from: '2026-11-01', to: '30/11/2026' }).period).toEqual({
    from: Date.parse('2026-11-01T00:00:00+08:00'),
    to: Date.parse('2026-12-01T00:00:00+08:00'),
  });
});

test('a mapped label works like the choice', () => {
  expect(read({ period: 'Last 30 days' }).periodLabel).toBe('Last 30 days');
  expect(read({ period: 'from–to', from: '2026-11-01', to: '2026-11-02' }).periodLabel).toBe('From–to');
});

test('From–to with times is exact; an offset is honoured', () => {
  expect(read({ period: 'custom', from: '2026-11-23 09:00', to: '2026-11-30T01:00:00Z' }).period).toEqual({
    from: Date.parse('2026-11-23T01:00:00Z'),
    to: Date.parse('2026-11-30T01:00:00Z'),
  });
});

test('every problem at once, before anything is sent', () => {
  expect(problems({ processCode: '', period: 'custom', from: '2026-11-31', targetHours: '0' })).toBe(
    'Template is required; To is required when Period is From–to; ' +
      'From "2026-11-31" is not a real date (write it like 2026-11-24, 2026-11-24 14:30, 2026-11-24T14:30:00+08:00 or 24/11/2026 (day first)); ' +
      'Target (Hours) must be a number of hours above 0 and at most 8,760, like 48 or 4.5.',
  );
});

test('From and To given with a rolling period are refused, not ignored', () => {
  expect(problems({ period: 'last_7_days', from: '2026-11-01' })).toBe('From and To are used only when Period is From–to; clear them or choose From–to.');
});

test.each([
  [{ from: '2026-11-10', to: '2026-11-01' }, 'From must be before To.'],
  [{ from: '2026-12-05', to: '2026-12-06' }, 'From is in the future.'],
  [{ from: '2026-01-01', to: '2026-06-30' }, 'The period can be at most 120 days long (DingTalk\'s limit).'],
  [{ from: '2025-11-01', to: '2025-11-30' }, 'From can be at most 365 days ago (DingTalk\'s limit).'],
  [{ from: '2026-11-01', to: '2026-11-02', period: 'last_week' }, 'Period must be one of Last 7 days, Last 30 days, From–to.'],
])('%j: %s', (dates, message) => {
  expect(problems({ period: 'custom', ...dates })).toBe(message);
});

test('a To date alone ends at 24:00, so a one-day period is 24 hours', () => {
  const { period } = read({ period: 'custom', from: '2026-11-27', to: '2026-11-27' });
  expect(period.to - period.from).toBe(24 * HOUR_MS);
});
