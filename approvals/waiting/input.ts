/**
 * Approval Waiting Too Long's inputs, validated all at once: the common trigger inputs (Template, Refresh Interval)
 * are read by the ledger's own pollInput, so the waiting trigger follows every change to them (the quota governor's
 * "Auto" included); Hours and Approvers are its own.
 */
import { MAX_LIST_WINDOW_DAYS } from '../../dingtalk/workflow';
import { InputError, readInputs } from '../../lib/inputs';
import { HOUR_MS } from '../../lib/time';
import { pollInput } from '../ledger/ledger';
import type { WaitingInput } from './poll';

export const DEFAULT_HOURS = 2;
/** Below a quarter of an hour, Zapier's own polling (every 1 to 15 minutes) is coarser than the threshold. */
export const MIN_HOURS = 0.25;
/** DingTalk lists running approvals over at most 120 days. */
export const MAX_HOURS = MAX_LIST_WINDOW_DAYS * 24;

/** Hours (empty: the default), or a problem added to `input` when it is not a number from MIN_HOURS to `max`. */
export function readHours(input: ReturnType<typeof readInputs>, max: number): number {
  const hoursText = input.text('hours');
  const hours = hoursText === '' ? DEFAULT_HOURS : Number(hoursText);
  if (!Number.isFinite(hours) || hours < MIN_HOURS || hours > max) {
    input.problems.push(`Hours must be a number of hours from ${MIN_HOURS} to ${max.toLocaleString('en-US')} (for example 2 or 1.5)`);
  }
  return hours;
}

export function waitingInput(inputData: Record<string, unknown>): WaitingInput {
  const input = readInputs(inputData);
  const hours = readHours(input, MAX_HOURS);
  const approverIds = input.list('approverUserIds', { splitItems: true });
  let common: ReturnType<typeof pollInput> | undefined;
  try {
    common = pollInput(inputData);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    input.problems.unshift(error.message.replace(/\.$/, ''));
  }
  input.done();
  return { processCode: common!.processCode, thresholdMs: hours * HOUR_MS, approverIds, freshnessMs: common!.freshnessMs, auto: common!.auto };
}
