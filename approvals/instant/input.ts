/**
 * The instant trigger's inputs, checked at once before the relay is asked: the event, and the filters the relay
 * applies (template, originators), as the polling triggers read them (approvals/ledger/ledger.ts pollInput).
 */
import { quote, readInputs } from '../../lib/inputs';
import { INSTANT_EVENTS, type InstantEvent } from '../ledger/kinds';
import { MAX_LIST_ORIGINATORS } from '../../dingtalk/workflow';

export interface InstantInput {
  event: InstantEvent;
  /** A template's process code, or undefined for every template. */
  template?: string;
  originators: string[];
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
  input.done();
  return { event: event!, ...(template ? { template } : {}), originators };
}
