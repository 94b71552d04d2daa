/**
 * The month's spend as a record a Zap (or `npm run doctor`) can use: a Zap can alert when `percent_used` passes 80.
 */
import type { Budget } from './budget';
import { EDITION_CHOICES } from './budget';
import { OPERATIONS, type MeterRecord, type Operation } from './meter';
import { monthName, quotaMonthOf } from './month';
import { isoFromMs } from '../lib/time';

const DAY = 24 * 60 * 60 * 1000;

export interface UsageRecord {
  id: string;
  month: string;
  month_name: string;
  calls_used: number;
  /** Part of calls_used that is a conservative estimate (the meter was lost, or the connection is new this month). */
  calls_estimated: number;
  budget: number;
  percent_used: number;
  projected_month_end: number;
  projected_percent: number;
  /** Calls per operation, flat so a Zap filter can use each. */
  calls_trigger: number;
  calls_hydration: number;
  calls_action: number;
  calls_search: number;
  calls_dropdown: number;
  calls_sample: number;
  calls_connection: number;
  calls_other: number;
  /** `trigger 870, hydration 240, action 95`: the breakdown in one line, for a message. */
  breakdown: string;
  org_quota: number;
  edition: string;
  share_percent: number;
  resets_at: string;
  updated_at: string | null;
}

export function usageRecord(budget: Budget, meter: MeterRecord, now: number): UsageRecord {
  const month = quotaMonthOf(now);
  const gone = Math.max(now - month.startMs, DAY);
  const projected = Math.round(meter.calls + (meter.calls / gone) * (month.endMs - now));
  const percent = (calls: number) => (budget.calls ? Math.round((calls / budget.calls) * 1000) / 10 : 0);
  return {
    id: month.key,
    month: month.key,
    month_name: monthName(month),
    calls_used: meter.calls,
    calls_estimated: meter.estimated,
    budget: budget.calls,
    percent_used: percent(meter.calls),
    projected_month_end: projected,
    projected_percent: percent(projected),
    ...(Object.fromEntries(OPERATIONS.map((operation) => [`calls_${operation}`, meter.byOperation[operation] ?? 0])) as Record<`calls_${Operation}`, number>),
    breakdown: Object.entries(meter.byOperation).filter(([, calls]) => (calls ?? 0) > 0).map(([operation, calls]) => `${operation} ${calls}`).join(', ') || 'no calls yet',
    org_quota: budget.orgQuota,
    edition: EDITION_CHOICES[budget.edition],
    share_percent: budget.sharePercent,
    resets_at: isoFromMs(month.endMs),
    updated_at: meter.flushes.length ? isoFromMs(meter.updatedAt) : null,
  };
}
