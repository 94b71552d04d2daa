/**
 * The instant trigger's inputs, checked at once before the relay is asked: the event, and the filters the relay
 * applies (template, originators), as the polling triggers read them (approvals/ledger/ledger.ts pollInput); for
 * "waiting too long", Hours and Approvers as Approval Waiting Too Long reads them (approvals/waiting/input.ts).
 */
import { quote, readInputs } from '../../lib/inputs';
import { INSTANT_EVENTS, type InstantEvent } from '../ledger/kinds';
import { MAX_LIST_ORIGINATORS } from '../../dingtalk/workflow';
import { readHours } from '../waiting/input';

/**
 * The relay keeps events 35 days by default, so its timers go up to 30 days (relay/api/subscription-input.ts
 * MAX_WAITING_HOURS); the polling trigger allows more (DingTalk's 120-day listing window).
 */
export const INSTANT_MAX_HOURS = 720;

export interface InstantInput {
  event: InstantEvent;
  /** A template's process code, or undefined for every template. */
  template?: string;
  originators: string[];
  /** The "waiting too long" event only: its threshold and the approvers whose tasks count. */
  waiting?: { hours: number; approvers: string[] };
}

export const instantEventOf = (relayKind: string): InstantEvent | undefined => INSTANT_EVENTS.find((event) => event.relayKind === relayKind);

export function instantInput(inputData: Readonly<Record<string, unknown>>): InstantInput {
  const input = readInputs(inputData);
  const chosen = input.required('event', 'Event');
  const event = instantEventOf(chosen);
  if (chosen && !event) input.problems.push(`Event ${quote(chosen)} is not one of ${INSTANT_EVENTS.map((e) => e.relayKind).join(', ')}`);
  const template = input.text('processCode');
  const originators = input.list('originatorUserIds', { splitItems: true });
  if (originators.length > MAX_LIST_ORIGINATORS) input.problems.push(`Originators accepts at most ${MAX_LIST_ORIGINATORS} users (the relay's limit, as DingTalk's for the polling triggers)`);
  // Hours and Approvers are shown only for "waiting too long" (dynamic fields), so other events never read them.
  const waiting = event?.relayKind === 'waiting' ? { hours: readHours(input, INSTANT_MAX_HOURS), approvers: input.list('approverUserIds', { splitItems: true }) } : undefined;
  input.done();
  return { event: event!, ...(template ? { template } : {}), originators, ...(waiting ? { waiting } : {}) };
}
