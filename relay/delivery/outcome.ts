/**
 * What one attempt's result means for the delivery (dingtalk-events.md §7–8): 2xx is done; 410 means the hook is
 * gone (Zapier answers it after unsubscribe), so the subscription is removed; 429 waits as long as Retry-After
 * says; every other answer, a timeout or a network error is retried on the schedule, and the last failure makes
 * a dead letter.
 */
import type { Outcome } from '../store/deliveries';
import type { PostResult } from './post';
import { nextDelay, retryAfterMs } from './schedule';

export type Decision =
  | { action: 'done'; outcome: Outcome }
  | { action: 'remove-subscription'; outcome: Outcome }
  | { action: 'retry'; at: number; outcome: Outcome }
  | { action: 'dead'; outcome: Outcome };

const excerpt = (body: string) => (body.trim() ? `: ${body.trim().replace(/\s+/g, ' ')}` : '');

export function decide(result: PostResult, attempts: number, schedule: readonly number[], now: number): Decision {
  let outcome: Outcome;
  let delay: number | undefined;
  if (result.kind === 'answered') {
    outcome = { httpStatus: result.status };
    if (result.status >= 200 && result.status < 300) return { action: 'done', outcome };
    if (result.status === 410) return { action: 'remove-subscription', outcome: { ...outcome, error: 'The hook answered 410 Gone: its subscription was removed.' } };
    outcome.error = `The hook answered HTTP ${result.status}${excerpt(result.body)}`;
    if (result.status === 429) delay = retryAfterMs(result.retryAfter, now);
  } else if (result.kind === 'timeout') {
    outcome = { error: 'The hook did not answer within the time limit.', unknown: true };
  } else {
    outcome = { error: `The hook could not be reached (${result.error}).` };
  }
  const scheduled = nextDelay(schedule, attempts);
  if (scheduled === undefined) return { action: 'dead', outcome };
  return { action: 'retry', at: now + (delay ?? scheduled), outcome };
}
