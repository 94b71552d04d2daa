/**
 * DingTalk's quota month. The quota is counted per calendar month (dingtalk-api.md, "quota"); DingTalk is a
 * China service, so the month is the calendar month in Asia/Shanghai (UTC+08:00 all year, no daylight saving).
 * ⚠ DingTalk's billing page says "per month" without naming the zone; we assume China time, which is also
 * what the 90020 message tells the user.
 */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export interface QuotaMonth {
  /** `2026-11`: the meter's key and what the user sees. */
  key: string;
  /** 00:00 on the 1st, China time, as epoch ms. */
  startMs: number;
  /** 00:00 on the 1st of the next month, China time, as epoch ms: when the quota resets. */
  endMs: number;
}

export function quotaMonthOf(nowMs: number): QuotaMonth {
  const local = new Date(nowMs + SHANGHAI_OFFSET_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  return {
    key: `${year}-${String(month + 1).padStart(2, '0')}`,
    startMs: Date.UTC(year, month, 1) - SHANGHAI_OFFSET_MS,
    endMs: Date.UTC(year, month + 1, 1) - SHANGHAI_OFFSET_MS,
  };
}

/** `1 December 2026, 00:00 China time`: when a month's quota resets, in words. */
export function resetText(month: QuotaMonth): string {
  const local = new Date(month.endMs + SHANGHAI_OFFSET_MS);
  return `${local.getUTCDate()} ${MONTH_NAMES[local.getUTCMonth()]} ${local.getUTCFullYear()}, 00:00 China time`;
}

/** `November 2026`. */
export function monthName(month: QuotaMonth): string {
  const local = new Date(month.startMs + SHANGHAI_OFFSET_MS);
  return `${MONTH_NAMES[local.getUTCMonth()]} ${local.getUTCFullYear()}`;
}
