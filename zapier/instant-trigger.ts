/**
 * The Zapier side of the instant trigger (a REST hook fed by the organisation's DingTalk event relay): subscribe
 * and unsubscribe at the relay, turn each POSTed event into the polling triggers' record, and show recent events
 * from the relay's own log as the editor's samples. No metered DingTalk call is made here: the full record is
 * loaded by a hydrator (one metered call per delivered approval, cached across Zaps) only when a step uses it.
 * "Waiting too long" records name the approver and their manager from the free contacts API (approvals/instant/waiting.ts).
 */
import { defineInputFields, defineTrigger, type Bundle, type PlainOutputField, type ZObject } from 'zapier-platform-core';
import { RelayEventRecord, stubOf, takes } from '../approvals/instant/event';
import { INSTANT_MAX_HOURS, instantInput, type InstantInput } from '../approvals/instant/input';
import { instantWaitingFields, isWaitingRecord, type RelayWaitingRecord } from '../approvals/instant/waiting';
import { INSTANT_EVENTS } from '../approvals/ledger/kinds';
import hydrators from '../hydrators';
import sample from '../samples/approval.json';
import waitingSample from '../samples/waiting.json';
import { templateField, usersField } from './fields';
import { approvalOutputFields } from './output-fields';
import { relayClient } from './relay-client';
import { zapierStore } from './store';
import { zapierTransport } from './transport';
import { withUserErrors } from './user-errors';
import { hoursAndApproversFields, waitingOutputFields } from './waiting-trigger';

/** The editor shows three samples, as the polling triggers' do. */
const SAMPLE_SIZE = 3;

export const instantFields = defineInputFields([
  {
    key: 'event',
    label: 'Event',
    required: true,
    // "Approval Waiting Too Long" adds Hours and Approvers.
    altersDynamicFields: true,
    choices: Object.fromEntries(INSTANT_EVENTS.map((event) => [event.relayKind, event.label])),
    helpText:
      'What happened to the approval. Each event delivers the same record, with the same fields, as the polling trigger of the same name, ' +
      'so a Zap can switch to instant without re-mapping.',
  },
  templateField(false, 'Only approvals of this template. Leave empty for approvals of every template.'),
  usersField('originatorUserIds', 'Originators', 'Only approvals submitted by these DingTalk users (at most 10). Leave empty for everyone.'),
  (_z: ZObject, bundle: Bundle) => (isWaitingEvent(bundle) ? waitingFields : []),
]);

const isWaitingEvent = (bundle: Bundle) => bundle.inputData?.event === 'waiting';

/** Shown only for "Approval Waiting Too Long", as the polling trigger's Hours and Approvers. */
const waitingFields = hoursAndApproversFields(
  `${INSTANT_MAX_HOURS} (30 days, the relay's limit)`,
  "The relay times tasks from DingTalk's task events, so waiting costs no DingTalk calls; using the record costs one, as for every instant event.",
);

/** Output fields: the approval record's, plus the waiting fields when the Zap watches waiting tasks. */
const outputFields = [
  ...approvalOutputFields,
  async (_z: ZObject, bundle: Bundle): Promise<PlainOutputField[]> => (isWaitingEvent(bundle) ? waitingOutputFields.filter((field) => field.key !== 'id') : []),
];

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

/**
 * A waiting record as Approval Waiting Too Long delivers it: the stub (what is known without the detail) with the
 * waiting fields, and the approval record and step name hoisted in by the hydrator when a step uses them.
 */
async function deliverWaiting(z: ZObject, bundle: Bundle, record: RelayWaitingRecord) {
  const fields = await instantWaitingFields(zapierTransport(z, bundle, 'trigger'), zapierStore(z), record);
  return {
    template_code: record.template_code,
    status: 'RUNNING',
    result: null,
    outcome: 'pending',
    ...fields,
    $HOIST$: z.dehydrate(hydrators.instantWaitingApproval, { processCode: record.template_code, delivery: fields }),
  };
}

/** What the Zap receives for the relay's records: only those of its event, each as its polling twin delivers it. */
async function recordsFor(z: ZObject, bundle: Bundle, input: InstantInput, records: RelayEventRecord[]) {
  const taken = records.filter((record) => takes(input.event, record));
  const approvals = taken.filter(isApprovalRecord).map((record) => deliver(z, record));
  const waiting = await Promise.all(taken.filter(isWaitingRecord).map((record) => deliverWaiting(z, bundle, record)));
  return [...approvals, ...waiting];
}

/** The filters the relay applies for this Zap (relay/api/subscription-input.ts). */
const filtersOf = (input: InstantInput) => ({
  kinds: [input.event.relayKind],
  template: input.template,
  originators: input.originators,
  ...(input.waiting ? { waitingHours: [input.waiting.hours], approvers: input.waiting.approvers } : {}),
});

const performSubscribe = async (z: ZObject, bundle: Bundle) => {
  const input = instantInput(bundle.inputData);
  const relay = relayFor(z, bundle, input);
  const { id } = await relay.subscribe({ targetUrl: String(bundle.targetUrl), ...filtersOf(input) });
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
  if (record.kind === 'waiting' && !isWaitingRecord(record)) {
    throw new z.errors.Error('This instant trigger received a "waiting" record without its task (task_id, approver_user_id, waiting_hours). Update the DingTalk event relay.', 'NotARelayRecord', 400);
  }
  return recordsFor(z, bundle, input, [record]);
};

const performList = async (z: ZObject, bundle: Bundle) => {
  const input = instantInput(bundle.inputData);
  const records = await relayFor(z, bundle, input).events({ ...filtersOf(input), limit: SAMPLE_SIZE });
  // Two waiting Zaps with the same threshold each get the relay's record of the same wait: show it once.
  const unique = [...new Map(records.map((record) => [record.id, record])).values()];
  const delivered = await recordsFor(z, bundle, input, unique);
  if (delivered.length) return delivered;
  return [input.waiting ? waitingSample : sample];
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
      outputFields,
    },
  });
}
