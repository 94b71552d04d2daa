/**
 * The Zapier side of the instant trigger (a REST hook fed by the organisation's DingTalk event relay): subscribe
 * and unsubscribe at the relay, turn each POSTed event into the polling triggers' record, and show recent events
 * from the relay's own log as the editor's samples. No DingTalk call is made here: the full record is loaded by
 * the approval hydrator (one metered call per delivered approval, cached across Zaps) only when a step uses it.
 */
import { defineInputFields, defineTrigger, type Bundle, type ZObject } from 'zapier-platform-core';
import { RelayEventRecord, stubOf, takes } from '../approvals/instant/event';
import { instantInput, type InstantInput } from '../approvals/instant/input';
import { INSTANT_EVENTS } from '../approvals/ledger/kinds';
import hydrators from '../hydrators';
import sample from '../samples/approval.json';
import { templateField, usersField } from './fields';
import { approvalOutputFields } from './output-fields';
import { relayClient } from './relay-client';
import { withUserErrors } from './user-errors';

/** The editor shows three samples, as the polling triggers' do. */
const SAMPLE_SIZE = 3;

export const instantFields = defineInputFields([
  {
    key: 'event',
    label: 'Event',
    required: true,
    choices: Object.fromEntries(INSTANT_EVENTS.map((event) => [event.relayKind, event.label])),
    helpText:
      'What happened to the approval. Each event delivers the same record, with the same fields, as the polling trigger of the same name, ' +
      'so a Zap can switch to instant without re-mapping.',
  },
  templateField(false, 'Only approvals of this template. Leave empty for approvals of every template.'),
  usersField('originatorUserIds', 'Originators', 'Only approvals submitted by these DingTalk users (at most 10). Leave empty for everyone.'),
]);

/** The relay client, or the sentence that says what to set up and which trigger works without a relay. */
function relayFor(z: ZObject, bundle: Bundle, input: InstantInput) {
  const relay = relayClient(z, bundle);
  if (relay) return relay;
  throw new z.errors.Error(
    'Instant triggers need a DingTalk event relay, run by your organisation or your DingTalk service partner. Add its address as the Relay URL ' +
      `of this DingTalk connection (reconnect the account; the integration's README, section 8, shows how to run one), or use the polling trigger "${input.event.pollingTrigger}", which needs no relay.`,
    'RelayNotConfigured',
    400,
  );
}

/** The record a Zap receives: the polling triggers' stub, with the full record hoisted in by the hydrator. */
const deliver = (z: ZObject, record: RelayEventRecord & { kind: Exclude<RelayEventRecord['kind'], 'waiting'> }) => ({
  ...stubOf(record),
  $HOIST$: z.dehydrate(hydrators.approval, { id: record.approval_id, processCode: record.template_code }),
});

const isApprovalRecord = (record: RelayEventRecord): record is RelayEventRecord & { kind: Exclude<RelayEventRecord['kind'], 'waiting'> } => record.kind !== 'waiting';

const performSubscribe = async (z: ZObject, bundle: Bundle) => {
  const input = instantInput(bundle.inputData);
  const relay = relayFor(z, bundle, input);
  const { id } = await relay.subscribe({ targetUrl: String(bundle.targetUrl), kinds: [input.event.relayKind], template: input.template, originators: input.originators });
  return { id };
};

const performUnsubscribe = async (z: ZObject, bundle: Bundle) => {
  const id = String((bundle.subscribeData as { id?: unknown } | undefined)?.id ?? '');
  // A Zap whose subscribe never succeeded has nothing at the relay to remove.
  if (!id) return { id: null, deleted: false };
  const relay = relayClient(z, bundle);
  // The Relay URL was removed from the connection: nothing can be reached to unsubscribe; the relay drops the
  // subscription itself when Zapier answers its next POST with 410.
  if (!relay) return { id, deleted: false };
  return relay.unsubscribe(id);
};

const perform = async (z: ZObject, bundle: Bundle) => {
  const input = instantInput(bundle.inputData);
  const parsed = RelayEventRecord.safeParse(bundle.cleanedRequest);
  if (!parsed.success) {
    throw new z.errors.Error('This instant trigger received a request that is not a DingTalk event relay record (it needs id, kind, approval_id and received_at). Only the relay should post to this Zap\'s hook.', 'NotARelayRecord', 400);
  }
  const record = parsed.data;
  return isApprovalRecord(record) && takes(input.event, record) ? [deliver(z, record)] : [];
};

const performList = async (z: ZObject, bundle: Bundle) => {
  const input = instantInput(bundle.inputData);
  const records = await relayFor(z, bundle, input).events({ kinds: [input.event.relayKind], template: input.template, originators: input.originators, limit: SAMPLE_SIZE });
  const delivered = records.filter(isApprovalRecord).filter((record) => takes(input.event, record)).map((record) => deliver(z, record));
  return delivered.length ? delivered : [sample];
};

export interface InstantTriggerConfig<Key extends string> {
  key: Key;
  label: string;
  description: string;
}

export function instantTrigger<Key extends string>({ key, label, description }: InstantTriggerConfig<Key>) {
  return defineTrigger({
    key,
    noun: 'Approval',
    display: { label, description },
    operation: {
      type: 'hook',
      inputFields: instantFields,
      perform: withUserErrors(perform),
      performList: withUserErrors(performList),
      performSubscribe: withUserErrors(performSubscribe),
      performUnsubscribe: withUserErrors(performUnsubscribe),
      sample,
      outputFields: approvalOutputFields,
    },
  });
}
