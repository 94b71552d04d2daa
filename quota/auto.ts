/**
 * Refresh Interval "Auto": the freshest ledger refresh that keeps the month's projected spend inside the budget.
 *
 * The plan spreads what is left of the month's budget evenly over what is left of the month, across every
 * ledger (template, or template and originator filter) the connection keeps fresh:
 *
 *   interval = time left × active ledgers × calls per refresh ÷ calls left for refreshes
 *   calls left for refreshes = budget × (1 − PLANNING_RESERVE) − spent − other spend projected to month-end
 *
 * So early in a month, or after a quiet spell, unspent budget buys fresher refreshes; when spending ran ahead
 * (a burst of actions, a rebuild, more Zaps) the interval widens for the rest of the month. Many Zaps on one
 * template share one ledger, so they cost one refresh; each ledger counts. The interval never drops below
 * MIN_AUTO_INTERVAL_MS and never exceeds MAX_AUTO_INTERVAL_MS: Auto never stops polling entirely, even when
 * actions (which are never blocked) have eaten the budget.
 */
import type { Budget } from './budget';
import type { MeterRecord } from './meter';
import { monthName, quotaMonthOf, resetText } from './month';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Held back from planning: lost meter increments (quota/meter.ts) and surprises. */
export const PLANNING_RESERVE = 0.1;
/** Zapier's fastest polling; refreshing faster would buy nothing. */
export const MIN_AUTO_INTERVAL_MS = MINUTE;
/** The floor on freshness: at least one refresh a day, whatever the budget says. */
export const MAX_AUTO_INTERVAL_MS = DAY;
/** A ledger refreshed this recently counts as active (longer than the longest Auto interval). */
export const ACTIVE_LEDGER_MS = 2 * DAY;
/** Before a connection has measured its own refreshes: a RUNNING list plus the hourly sweep. */
const PRIOR_CALLS_PER_REFRESH = 2;
const PRIOR_WEIGHT = 5;
/** Other spend (actions, searches, hydration) is projected from its rate over at least this long, so one early burst is not multiplied by thirty. */
const MIN_RATE_WINDOW_MS = 7 * DAY;

export interface AutoPlan {
  intervalMs: number;
  activeLedgers: number;
  callsPerRefresh: number;
  /** Calls the plan can spend on refreshes until month-end. */
  callsForRefreshes: number;
  otherProjected: number;
  /** Why the interval is what it is, in one sentence for the logs. */
  reason: string;
}

/** 12,345 (toLocaleString is slow, and Auto runs on every poll). */
const format = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export function formatDuration(ms: number): string {
  if (ms < HOUR) return `${Math.max(1, Math.round(ms / MINUTE))} min`;
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.round((ms % HOUR) / MINUTE);
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}

export function autoPlan(budget: Budget, meter: MeterRecord, now: number, ledgerKey: string): AutoPlan {
  const month = quotaMonthOf(now);
  const leftMs = month.endMs - now;
  const goneMs = now - month.startMs;
  const activeLedgers = new Set([ledgerKey, ...Object.entries(meter.ledgers).filter(([, at]) => now - at < ACTIVE_LEDGER_MS).map(([key]) => key)]).size;
  const callsPerRefresh = (meter.refreshCalls + PRIOR_CALLS_PER_REFRESH * PRIOR_WEIGHT) / (meter.refreshes + PRIOR_WEIGHT);
  const otherSoFar = Math.max(0, meter.calls - meter.refreshCalls - meter.estimated);
  const otherProjected = (otherSoFar / Math.max(goneMs, MIN_RATE_WINDOW_MS)) * leftMs;
  const callsForRefreshes = budget.calls * (1 - PLANNING_RESERVE) - meter.calls - otherProjected;
  const ideal = callsForRefreshes > 0 ? (leftMs * activeLedgers * callsPerRefresh) / callsForRefreshes : Infinity;
  const intervalMs = Math.min(MAX_AUTO_INTERVAL_MS, Math.max(MIN_AUTO_INTERVAL_MS, ideal));

  const spent = `${format(meter.calls)}${meter.estimated ? ` (${format(meter.estimated)} of them estimated: the meter was lost)` : ''} of ${format(budget.calls)} calls spent in ${monthName(month)}`;
  const shared = `${activeLedgers} active template ledger${activeLedgers === 1 ? '' : 's'} at about ${callsPerRefresh.toFixed(1)} calls a refresh`;
  const reason =
    ideal > MAX_AUTO_INTERVAL_MS
      ? `Auto refresh: once a day, the slowest Auto allows (${spent}; the budget cannot pay for more until it resets on ${resetText(month)}).`
      : `Auto refresh: every ${formatDuration(intervalMs)} (${spent}; ${format(Math.max(0, callsForRefreshes))} left for refreshes after ${format(otherProjected)} projected for actions, searches and records and ${PLANNING_RESERVE * 100} % held back; ${shared}; ${formatDuration(leftMs)} until the reset).`;
  return { intervalMs, activeLedgers, callsPerRefresh, callsForRefreshes, otherProjected, reason };
}
