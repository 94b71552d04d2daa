/**
 * Strict readers for what a user types (or Zapier sends) into Start Approval's date and number fields. Each
 * returns DingTalk's string, or a sentence saying what is wrong and which forms are accepted: a value is never
 * guessed at, and never changed in meaning.
 *
 * Dates. Zapier's `datetime` input type "accepts both precise and human-readable date-time values" and "sends an
 * ISO-formatted time string" to the integration (https://docs.zapier.com/platform/build/field-definitions, "Datetime").
 * ⚠ The exact shape (seconds, fraction, which offset) is not documented, and a mapped value Zapier cannot read is not
 * promised to be converted, so every ISO 8601 form is accepted here and anything else is refused.
 */
import { quote } from '../../lib/inputs';
import { ORG_OFFSET } from '../../lib/time';

/** DingTalk's cap on one form value, and on a whole table (明細): "最大长度65535字符" (create-an-approval-instance;
 * oa-formcomponent-message: "表格明细控件总长度上限65535字符"). The docs say 字符 without defining it. ⚠ DingTalk's
 * server is not public; on a Java server String.length() counts UTF-16 units. We count UTF-16 units (JavaScript's
 * `length`), which is never less than the number of code points, so a value we pass is within either count. */
export const MAX_VALUE_CHARS = 65535;

/** DingTalk's money control holds yuan/dollars and cents. ⚠ Neither the create-instance page nor
 * oa-formcomponent-message documents a precision for MoneyField or NumberField, and the form schema carries none
 * (QuerySchemaByProcessCode props have no `precision`; only FormCreate's FormComponentProps has one, example 2).
 * So we are strict: at most 2 decimal places for money, and at most 15 significant digits for any number, the
 * most an IEEE double (JavaScript's and Java's `double`) keeps exactly, so DingTalk cannot round what we send. */
export const MONEY_DECIMALS = 2;
export const MAX_SIGNIFICANT_DIGITS = 15;

export type Read = { value: string; problem?: undefined } | { value?: undefined; problem: string };

export const DATE_FORMS = '2026-11-24, 2026-11-24 14:30, 2026-11-24T14:30:00+08:00 or 24/11/2026 (day first)';

interface DateParts {
  y: number;
  M: number;
  d: number;
  h: number;
  m: number;
  s: number;
  /** Minutes east of UTC when the value carried an offset. */
  offset?: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const DAY_FIRST = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const YEAR_FIRST = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

function offsetMinutes(zone: string | undefined): number | undefined {
  if (!zone) return undefined;
  if (zone.toUpperCase() === 'Z') return 0;
  const [, sign, hh, mm] = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  return (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
}

/** The date's parts if it is a real calendar date and time (2026-02-30 and 25:00 are not). */
function dateParts(text: string): DateParts | undefined {
  let parts: [string, string, string, string?, string?, string?, string?] | undefined;
  const iso = ISO.exec(text);
  if (iso) parts = [iso[1]!, iso[2]!, iso[3]!, iso[4], iso[5], iso[6], iso[7]];
  const dayFirst = DAY_FIRST.exec(text);
  if (dayFirst) parts = [dayFirst[3]!, dayFirst[2]!, dayFirst[1]!, dayFirst[4], dayFirst[5], dayFirst[6]];
  const yearFirst = YEAR_FIRST.exec(text);
  if (yearFirst) parts = [yearFirst[1]!, yearFirst[2]!, yearFirst[3]!, yearFirst[4], yearFirst[5], yearFirst[6]];
  if (!parts) return undefined;
  // A part the text left out (the time of a date alone) is 0; Number(undefined) would be NaN, which no default replaces.
  const [y, M, d, h = 0, m = 0, s = 0] = parts.slice(0, 6).map((part) => (part === undefined ? undefined : Number(part)));
  const calendar = new Date(Date.UTC(y!, M! - 1, d!));
  const real = calendar.getUTCFullYear() === y && calendar.getUTCMonth() === M! - 1 && calendar.getUTCDate() === d;
  if (!real || h! > 23 || m! > 59 || s! > 59) return undefined;
  const offset = offsetMinutes(parts[6]);
  return { y: y!, M: M!, d: d!, h: h!, m: m!, s: s!, ...(offset === undefined ? {} : { offset }) };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const ORG_OFFSET_MINUTES = offsetMinutes(ORG_OFFSET)!;

/**
 * A date as DingTalk's `yyyy-MM-dd[ HH:mm]` (the component's `format`). A date-only field takes the calendar date
 * as written, whatever the offset (Zapier adds the Zap's time zone to a typed date). A field with a time converts a
 * value with an offset to Hong Kong time (UTC+08:00); without an offset the time is Hong Kong time already.
 */
export function readDate(value: unknown, format: string | null | undefined, label: string): Read {
  const text = typeof value === 'string' ? value.trim() : '';
  const parts = text ? dateParts(text) : undefined;
  if (!parts) {
    const why = /^\d{1,2}\/\d{1,2}\/\d{4}/.test(text) || ISO.test(text) ? 'is not a real date' : 'is not a date';
    return { problem: `${label} ${quote(value)} ${why} (write it like ${DATE_FORMS})` };
  }
  const pattern = format || 'yyyy-MM-dd';
  let { y, M, d, h, m, s } = parts;
  if (/HH|mm/.test(pattern) && parts.offset !== undefined && parts.offset !== ORG_OFFSET_MINUTES) {
    const local = new Date(Date.UTC(y, M - 1, d, h, m, s) + (ORG_OFFSET_MINUTES - parts.offset) * 60 * 1000);
    [y, M, d, h, m, s] = [local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate(), local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()];
  }
  const tokens: Record<string, string> = { yyyy: pad(y, 4), MM: pad(M), dd: pad(d), HH: pad(h), mm: pad(m), ss: pad(s) };
  return { value: pattern.replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => tokens[token]!) };
}

export const NUMBER_FORMS = '6480.50 or 6,480.50, with commas only between groups of three and a point for decimals';
const DECIMAL = /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/;

export type NumberKind = 'money' | 'number' | 'whole';

/** A number in the one documented format, as DingTalk's plain string ("6,480.50" → "6480.50"), never rounded. */
export function readNumber(value: unknown, kind: NumberKind, label: string): Read {
  let text: string;
  if (typeof value === 'number') {
    text = String(value);
    if (!Number.isFinite(value) || /e/i.test(text)) return { problem: `${label} ${quote(value)} is too large or too small for DingTalk` };
  } else {
    text = typeof value === 'string' ? value.trim() : '';
  }
  if (!DECIMAL.test(text)) return { problem: `${label} ${quote(value)} is not a number (write it like ${NUMBER_FORMS})` };
  const plain = text.replace(/,/g, '').replace(/^\+/, '');
  const [whole = '', fraction = ''] = plain.replace(/^-/, '').split('.');
  const significant = `${whole}${fraction}`.replace(/^0+/, '').length;
  if (significant > MAX_SIGNIFICANT_DIGITS) {
    return { problem: `${label} ${quote(value)} has more than ${MAX_SIGNIFICANT_DIGITS} digits, which DingTalk would round` };
  }
  if (kind === 'money' && fraction.length > MONEY_DECIMALS) return { problem: `${label} ${quote(value)} has more than ${MONEY_DECIMALS} decimal places` };
  if (kind === 'whole' && fraction.length > 0) return { problem: `${label} ${quote(value)} must be a whole number` };
  return { value: plain };
}
