/**
 * When to try a delivery again. Svix's schedule (dingtalk-events.md §8, docs.svix.com/retries): the first attempt
 * at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failure, about 28 hours in all; after the
 * eighth failure the delivery is a dead letter, replayable through the API.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Delay before attempt n+1 (index n); index 0 is the first attempt's. */
export const RETRY_SCHEDULE_MS: readonly number[] = [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

/** Zapier accepts 30 hooks a second per hook (docs.zapier.com/platform/build/operating-constraints). */
export const HOOKS_PER_SECOND = 30;

/** Svix's success rule: a 2xx within 15 s. */
export const DELIVERY_TIMEOUT_MS = 15 * SECOND;

/** A Retry-After longer than this is capped: a receiver should not park a delivery for days. */
const MAX_RETRY_AFTER_MS = 10 * HOUR;

/** The delay after `attempts` failed attempts, or undefined when the schedule is exhausted. */
export function nextDelay(schedule: readonly number[], attempts: number): number | undefined {
  return attempts < schedule.length ? schedule[attempts] : undefined;
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`; undefined if absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * SECOND : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}
