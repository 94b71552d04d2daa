/**
 * How long a Stream connection waits before its next attempt: exponential with jitter, capped, as the fixed
 * upstream client does (dingtalk-stream-sdk-nodejs PR #17: min(1000·2^n + rand(0–1000), 60000) ms;
 * ../shared/dingtalk-events.md §4). The jitter keeps many relays (or both slots of one tenant) from retrying in step
 * after DingTalk or the network comes back.
 */
export const BASE_MS = 1000;
export const JITTER_MS = 1000;
export const MAX_MS = 60_000;

/** The wait before attempt `failures` + 1, after `failures` failures in a row (0 → 1–2 s, 5 → 32–33 s, then 60 s). */
export function backoffMs(failures: number, random: () => number = Math.random): number {
  return Math.min(BASE_MS * 2 ** Math.min(failures, 16) + Math.floor(random() * JITTER_MS), MAX_MS);
}
