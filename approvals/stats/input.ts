/**
 * Find Approval Statistics' inputs, validated all at once: the template, the period and the target.
 *
 * Dates are read as Start Approval reads them (approvals/start/input-values.ts: the same forms, real calendar dates
 * only, Hong Kong time unless an offset is given). A From or To written as a date alone means the whole day: From
 * starts at 00:00 and To ends at 24:00 (Hong Kong time), so "2026-11-01 to 2026-11-30" is all of November.
 */
import { MAX_LIST_WINDOW_DAYS } from '../../dingtalk/workflow';
import { readInputs, textOf } from '../../lib/inputs';
import { DAY_MS, ORG_OFFSET } from '../../lib/time';
import { readDate } from '../start/input-values';
import type { Period } from './figures';

export const PERIODS = { last_7_days: 'Last 7 days', last_30_days: 'Last 30 days', custom: 'From–to' } as const;
export type PeriodChoice = keyof typeof PERIODS;
export const DEFAULT_PERIOD: PeriodChoice = 'last_7_days';
export const DEFAULT_TARGET_HOURS = 48;
const MAX_TARGET_HOURS = 24 * 365;
/** DingTalk lists approvals submitted at most 365 days ago (obtain-an-approval-list-of-instance-ids). */
const MAX_AGE_DAYS = 365;

export interface StatisticsInput {
  processCode: string;
  period: Period;
  periodLabel: string;
  targetHours: number;
}

const DATE_ONLY = /^(\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{4}|\d{4}\/\d{1,2}\/\d{1,2})$/;

/** A From or To input as epoch ms: `end` moves a date without a time to the end of that day. */
function readInstant(value: unknown, label: string, end: boolean, problems: string[]): number | undefined {
  const read = readDate(value, 'yyyy-MM-ddTHH:mm:ss', label);
  if (read.problem !== undefined) {
    problems.push(read.problem);
    return undefined;
  }
  const ms = Date.parse(`${read.value}${ORG_OFFSET}`);
  return end && DATE_ONLY.test(textOf(value)) ? ms + DAY_MS : ms;
}

export function statisticsInput(inputData: Record<string, unknown>, now = Date.now()): StatisticsInput {
  const input = readInputs(inputData);
  const processCode = input.required('processCode', 'Template');
  // The choice's value, or its label when a text was mapped ("Last 7 days").
  const typed = input.text('period') || DEFAULT_PERIOD;
  const choice = (Object.entries(PERIODS).find(([value, label]) => [value, label.toLowerCase()].includes(typed.toLowerCase()))?.[0] ?? typed) as PeriodChoice;
  const fromText = input.text('from');
  const toText = input.text('to');
  let period: Period | undefined;
  if (!(choice in PERIODS)) {
    input.problems.push(`Period must be one of ${Object.values(PERIODS).join(', ')}`);
  } else if (choice !== 'custom') {
    if (fromText || toText) input.problems.push(`From and To are used only when Period is ${PERIODS.custom}; clear them or choose ${PERIODS.custom}`);
    period = { from: now - (choice === 'last_7_days' ? 7 : 30) * DAY_MS, to: now };
  } else {
    if (!fromText) input.problems.push(`From is required when Period is ${PERIODS.custom}`);
    if (!toText) input.problems.push(`To is required when Period is ${PERIODS.custom}`);
    const from = fromText ? readInstant(fromText, 'From', false, input.problems) : undefined;
    const to = toText ? readInstant(toText, 'To', true, input.problems) : undefined;
    if (from !== undefined && to !== undefined) {
      if (from >= to) input.problems.push('From must be before To');
      else if (to - from > MAX_LIST_WINDOW_DAYS * DAY_MS) input.problems.push(`The period can be at most ${MAX_LIST_WINDOW_DAYS} days long (DingTalk's limit)`);
      if (from > now) input.problems.push('From is in the future');
      else if (from < now - MAX_AGE_DAYS * DAY_MS) input.problems.push(`From can be at most ${MAX_AGE_DAYS} days ago (DingTalk's limit)`);
      period = { from, to };
    }
  }
  const targetText = input.text('targetHours');
  const targetHours = targetText === '' ? DEFAULT_TARGET_HOURS : Number(targetText);
  if (!Number.isFinite(targetHours) || targetHours <= 0 || targetHours > MAX_TARGET_HOURS) {
    input.problems.push(`Target (Hours) must be a number of hours above 0 and at most ${MAX_TARGET_HOURS.toLocaleString('en-US')}, like 48 or 4.5`);
  }
  input.done();
  return { processCode, period: period!, periodLabel: PERIODS[choice], targetHours };
}
