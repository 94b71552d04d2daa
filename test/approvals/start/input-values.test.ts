/**
 * The strict readers behind Start Approval's date and number fields: every value a user could mean is read as
 * they meant it, and everything else is refused with the accepted forms, never guessed at.
 */
import { readDate, readNumber } from '../../../approvals/start/input-values';
import { quote } from '../../../lib/inputs';

const date = (value: unknown, format: string | null = 'yyyy-MM-dd') => readDate(value, format, 'Claim Date');
const number = (value: unknown, kind: 'money' | 'number' | 'whole' = 'money') => readNumber(value, kind, 'Amount');

describe('dates', () => {
  it.each([
    ['2026-11-24', '2026-11-24'],
    ['2026-11-24 14:30', '2026-11-24'],
    // What Zapier's datetime fields send: ISO 8601 with the Zap's offset. A date-only field keeps the written date.
    ['2026-11-24T00:00:00+09:00', '2026-11-24'],
    ['2026-11-24T00:00:00-05:00', '2026-11-24'],
    ['2026-11-24T09:30:00.000Z', '2026-11-24'],
    ['24/11/2026', '2026-11-24'],
    // Day first, as Hong Kong writes it: never month first.
    ['01/02/2026', '2026-02-01'],
    ['2026/2/1', '2026-02-01'],
    ['2024-02-29', '2024-02-29'],
  ])('%j → %j', (input, expected) => {
    expect(date(input)).toEqual({ value: expected });
  });

  it.each([
    ['2026-11-24T09:30:00Z', '2026-11-24 17:30'],
    ['2026-11-24T09:30:00+08:00', '2026-11-24 09:30'],
    ['2026-11-24 09:30', '2026-11-24 09:30'],
    ['2026-11-24T20:00:00-05:00', '2026-11-25 09:00'],
    ['24/11/2026 09:30', '2026-11-24 09:30'],
  ])('a date-time field converts %j to Hong Kong time: %j', (input, expected) => {
    expect(date(input, 'yyyy-MM-dd HH:mm')).toEqual({ value: expected });
  });

  it('a date alone in a field with a time is midnight, not NaN:NaN', () => {
    expect(date('2026-11-24', 'yyyy-MM-dd HH:mm')).toEqual({ value: '2026-11-24 00:00' });
    expect(date('24/11/2026 9:30', 'yyyy-MM-dd HH:mm:ss')).toEqual({ value: '2026-11-24 09:30:00' });
  });

  it('a format with seconds keeps them', () => {
    expect(date('2026-11-24T09:30:15Z', 'yyyy-MM-dd HH:mm:ss')).toEqual({ value: '2026-11-24 17:30:15' });
  });

  it.each(['1', '12', 'Invoice 5', 'next Tuesday', '1732406400000', '11/24', 'Nov 24 2026', '', 20261124])('refuses %j, showing the accepted forms', (input) => {
    expect(date(input).problem).toMatch(/^Claim Date .* is not a date \(write it like 2026-11-24, .* or 24\/11\/2026 \(day first\)\)$/);
  });

  it.each(['2026-02-30', '2025-02-29', '31/04/2026', '2026-13-01', '2026-11-24 24:00', '13/13/2026'])('refuses the impossible date %j', (input) => {
    expect(date(input).problem).toMatch(/is not a real date|is not a date/);
  });

  it('2026-02-30 is refused as not a real date rather than rolled over to March', () => {
    expect(date('2026-02-30')).toEqual({ problem: expect.stringContaining('"2026-02-30" is not a real date') });
  });
});

describe('money and numbers', () => {
  it.each([
    ['6,480.50', '6480.50'],
    ['6480.5', '6480.5'],
    ['1,234,567', '1234567'],
    ['-12.50', '-12.50'],
    ['+3', '3'],
    [2380.5, '2380.5'],
    ['999999999999999', '999999999999999'],
  ])('%j → %j, never rounded', (input, expected) => {
    expect(number(input)).toEqual({ value: expected });
  });

  it.each(['6.480,50', '1,2,3', '12,34', '1,2345', 'HK$100', '1e3', '0x10', '', ' ', '100.', '.5', 'Infinity', '1 000'])('refuses %j with the one accepted format', (input) => {
    expect(number(input).problem).toMatch(/^Amount ".*" is not a number \(write it like 6480\.50 or 6,480\.50, with commas only between groups of three and a point for decimals\)$/);
  });

  it('refuses a number DingTalk would round: more than 15 digits', () => {
    expect(number('99999999999999999999').problem).toBe('Amount "99999999999999999999" has more than 15 digits, which DingTalk would round');
    expect(number('1234567890.1234567', 'number').problem).toContain('more than 15 digits');
    expect(number(1e20).problem).toBe('Amount "100000000000000000000" has more than 15 digits, which DingTalk would round');
    expect(number(1e21).problem).toBe('Amount "1e+21" is too large or too small for DingTalk');
  });

  it('money takes at most two decimal places; a number field takes more; a star rating takes whole numbers', () => {
    expect(number('10.505').problem).toBe('Amount "10.505" has more than 2 decimal places');
    expect(number('10.505', 'number')).toEqual({ value: '10.505' });
    expect(number('4.5', 'whole').problem).toBe('Amount "4.5" must be a whole number');
    expect(number('4', 'whole')).toEqual({ value: '4' });
  });
});

describe('echoed input', () => {
  it('is cut to 40 characters with the full length given', () => {
    expect(quote('x'.repeat(10_000))).toBe(`"${'x'.repeat(40)}…" (10,000 characters)`);
    expect(quote('short')).toBe('"short"');
  });

  it('a 10,000-character date is not echoed whole', () => {
    const problem = date('9'.repeat(10_000)).problem!;
    expect(problem.length).toBeLessThan(250);
    expect(problem).toContain('(10,000 characters)');
  });
});
