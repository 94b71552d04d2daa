/**
 * How many metered DingTalk calls a month this integration may spend on one connection (one organisation).
 *
 * DingTalk meters API calls per organisation and calendar month across all of its apps: 5,000 on the free
 * (standard) edition since 2025-11-19, 200,000 on Professional (dingtalk-api.md §4, billing-model page). Once
 * spent, every metered call from every app in the org fails with 90020 until the month ends, so this integration
 * plans against a share of the quota, never the whole of it.
 */
export type Edition = 'free' | 'professional' | 'custom';

export const EDITION_QUOTAS: Record<Exclude<Edition, 'custom'>, number> = { free: 5_000, professional: 200_000 };

export const EDITION_CHOICES: Record<Edition, string> = {
  free: 'Free / Standard (5,000 calls a month)',
  professional: 'Professional (200,000 calls a month)',
  custom: 'Custom (enter the monthly number below)',
};

/**
 * The share of the org's quota this integration plans to use when the connection does not say. 60 % of the free
 * edition is 3,000 calls a month: enough for a few templates with Zaps refreshed every few minutes, while 2,000
 * (40 %) stay for the org's other apps (attendance sync, HR tools) that this integration cannot see. Our own
 * actions and searches count against the same 3,000.
 */
export const DEFAULT_SHARE_PERCENT = 60;

export interface BudgetSettings {
  edition?: unknown;
  customQuota?: unknown;
  sharePercent?: unknown;
}

export interface Budget {
  edition: Edition;
  /** The org's monthly quota for all of its apps. */
  orgQuota: number;
  sharePercent: number;
  /** Metered calls a month this integration plans to spend: orgQuota × sharePercent, rounded down. */
  calls: number;
  /** Fields the connection left empty and that took their safe default (connections made before these fields). */
  defaulted: string[];
}

const blank = (value: unknown) => value === undefined || value === null || String(value).trim() === '';

/** Every problem with the connection's budget fields, in one list (empty when they are fine). */
export function budgetProblems(settings: BudgetSettings): string[] {
  const problems: string[] = [];
  const edition = blank(settings.edition) ? 'free' : String(settings.edition).trim();
  if (!(edition in EDITION_CHOICES)) problems.push(`DingTalk Edition must be one of: ${Object.values(EDITION_CHOICES).join('; ')}`);
  if (edition === 'custom') {
    const quota = Number(String(settings.customQuota ?? '').replace(/,/g, ''));
    if (blank(settings.customQuota) || !Number.isInteger(quota) || quota < 1) {
      problems.push('Monthly Call Quota must be a whole number of calls (for example 50000) when DingTalk Edition is Custom');
    }
  }
  if (!blank(settings.sharePercent)) {
    const share = Number(settings.sharePercent);
    if (!Number.isInteger(share) || share < 1 || share > 100) problems.push('Share for This Integration (%) must be a whole number from 1 to 100');
  }
  return problems;
}

/**
 * The budget the connection's fields describe. A connection made before these fields existed gets the safe
 * default (free edition, 60 %). Fields that fail `budgetProblems` (checked when the connection is tested) also
 * fall back to the safe default rather than to a larger budget.
 */
export function budgetOf(settings: BudgetSettings): Budget {
  const defaulted: string[] = [];
  const problems = budgetProblems(settings);
  let edition: Edition = 'free';
  if (blank(settings.edition)) defaulted.push('edition');
  else if (problems.length === 0) edition = String(settings.edition).trim() as Edition;
  const orgQuota = edition === 'custom' ? Number(String(settings.customQuota).replace(/,/g, '')) : EDITION_QUOTAS[edition];
  let sharePercent = DEFAULT_SHARE_PERCENT;
  if (blank(settings.sharePercent)) defaulted.push('share');
  else if (problems.length === 0) sharePercent = Number(settings.sharePercent);
  return { edition, orgQuota, sharePercent, calls: Math.floor((orgQuota * sharePercent) / 100), defaulted };
}
