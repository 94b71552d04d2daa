/**
 * What every approval trigger shares: its input fields, its poll (refresh the shared ledger, then select),
 * and its editor sample. Each file in triggers/ only names a kind and its display text.
 */
import { defineInputFields, defineTrigger, type Bundle, type ZObject } from 'zapier-platform-core';
import { zapierTransport } from '../dingtalk/transport';
import { getProcessInstance, listProcessInstanceIds, type InstanceStatus } from '../dingtalk/workflow';
import hydrators, { loadApprovalRecord } from '../hydrators';
import sample from '../samples/approval.json';
import { approvalChoices } from './dropdown';
import type { LedgerEntry } from './ledger';
import { mapLimited } from './limiter';
import { approvalOutputFields } from './output';
import { asUserErrors } from '../user-errors';
import { DAY_MS, DEFAULT_LOOK_BACK_DAYS, pollInput, pollLedger, verifyTemplate, type PollInput } from './poll';
import { outcomeOf, type TriggerKind } from './select';
import { zapierStore } from './store';
import { isoFromMs } from './time';

/** The editor only shows three sample records; fetching a few more finds three of the right outcome. */
const SAMPLE_SIZE = 3;
const SAMPLE_FETCHES = 10;
const SAMPLE_WINDOW_DAYS = 30;

const templateField = {
  key: 'processCode',
  label: 'Template',
  required: true,
  dynamic: 'list_templates.id.name',
  helpText: 'The approval template (审批模板) to watch. Suite forms such as leave requests are not served by DingTalk\'s API.',
} as const;

const originatorsField = {
  key: 'originatorUserIds',
  label: 'Originators',
  required: false,
  list: true,
  dynamic: 'list_users.id.name',
  search: 'find_user.id',
  helpText: 'Only approvals submitted by these DingTalk users (at most 10). Leave empty for everyone.',
} as const;

const lookBackField = {
  key: 'lookBackDays',
  label: 'Look Back (Days)',
  type: 'integer',
  required: false,
  default: String(DEFAULT_LOOK_BACK_DAYS),
  helpText:
    'How long after submission an approval is still watched: one approved 10 days after it was submitted needs at least 10. ' +
    'From 1 to 120 (DingTalk\'s limit). A longer look-back costs no extra DingTalk calls on normal polls; when Zapier has lost ' +
    'the trigger\'s memory it costs about one metered call per 20 approvals submitted in that period, plus one per finished approval.',
} as const;

const freshnessField = {
  key: 'refreshMinutes',
  label: 'Refresh Interval',
  required: false,
  default: '0',
  choices: { '0': 'Every poll', '5': '5 minutes', '15': '15 minutes', '30': '30 minutes', '60': '60 minutes' },
  helpText:
    'All Zaps on this template and DingTalk connection share one view of DingTalk. "Every poll" asks DingTalk on each poll ' +
    '(about 1 metered call, about 2,900 a month at 15-minute polling per Zap). A longer interval is shared by every Zap on the ' +
    'template and saves quota (DingTalk\'s free edition allows 5,000 calls a month), at the cost of that much delay.',
} as const;

const newApprovalFields = defineInputFields([templateField, originatorsField, freshnessField]);
const outcomeFields = defineInputFields([templateField, originatorsField, lookBackField, freshnessField]);

/** What a trigger delivers before hydration: enough to dedupe, order and branch, plus the full record on use. */
function stubRecord(z: ZObject, id: string, entry: LedgerEntry, processCode: string) {
  const final = entry.s === 'COMPLETED' || entry.s === 'TERMINATED';
  return {
    id,
    template_code: processCode,
    status: final ? entry.s : 'RUNNING',
    result: entry.r ?? null,
    outcome: outcomeOf(entry) ?? (final ? null : 'pending'),
    created_at: isoFromMs(entry.c ?? entry.seen),
    finished_at: entry.f === undefined ? null : isoFromMs(entry.f),
    $HOIST$: z.dehydrate(hydrators.approval, { id, processCode }),
  };
}

async function pollApprovals(z: ZObject, bundle: Bundle, kind: TriggerKind) {
  const input = pollInput(bundle.inputData);
  const meta = bundle.meta ?? {};
  const transport = zapierTransport(z, bundle);
  if (meta.isLoadingSample) return sampleApprovals(z, bundle, kind, input);
  if (meta.isFillingDynamicDropdown && kind === 'submitted') return approvalChoices(transport, zapierStore(z), input, Date.now());
  const seedingDedupe = Boolean(meta.isPopulatingDedupe);
  const selected = await pollLedger(transport, zapierStore(z), kind, input, { seedingDedupe, now: Date.now() });
  // Seeding dedupe only needs ids: no hydration, no detail fetches.
  if (seedingDedupe) return selected.map(({ id }) => ({ id }));
  return selected.map(({ id, entry }) => stubRecord(z, id, entry, input.processCode));
}

const SAMPLE_STATUSES: Record<TriggerKind, InstanceStatus[] | undefined> = {
  submitted: undefined,
  approved: ['COMPLETED'],
  rejected: ['COMPLETED'],
  revoked: ['TERMINATED'],
  finished: ['COMPLETED', 'TERMINATED'],
};

/** Up to three real, fully hydrated records for the Zap editor, from one list page and a few detail fetches. */
async function sampleApprovals(z: ZObject, bundle: Bundle, kind: TriggerKind, input: PollInput) {
  const transport = zapierTransport(z, bundle);
  await verifyTemplate(transport, zapierStore(z), input.processCode);
  const now = Date.now();
  const window = kind === 'submitted' ? SAMPLE_WINDOW_DAYS * DAY_MS : input.lookBackMs;
  const statuses = SAMPLE_STATUSES[kind];
  const page = await listProcessInstanceIds(transport, {
    processCode: input.processCode,
    startTime: now - window,
    endTime: now,
    ...(statuses ? { statuses } : {}),
    ...(input.userIds.length ? { userIds: input.userIds } : {}),
  });
  const details = await mapLimited(page.items.slice(0, SAMPLE_FETCHES), async (id) => ({ id, detail: await getProcessInstance(transport, id) }));
  const matching = details
    .filter(({ detail }) => {
      const outcome = outcomeOf({ s: detail.status, r: detail.result });
      return kind === 'submitted' || (outcome !== undefined && (kind === 'finished' || outcome === kind));
    })
    .sort((a, b) => Date.parse((kind === 'submitted' ? b.detail.createTime : b.detail.finishTime) ?? '') - Date.parse((kind === 'submitted' ? a.detail.createTime : a.detail.finishTime) ?? ''))
    .slice(0, SAMPLE_SIZE);
  return Promise.all(matching.map(({ id, detail }) => loadApprovalRecord(z, bundle, id, input.processCode, detail)));
}

export interface ApprovalTriggerConfig<Key extends string> {
  key: Key;
  kind: TriggerKind;
  label: string;
  description: string;
}

export function approvalTrigger<Key extends string>({ key, kind, label, description }: ApprovalTriggerConfig<Key>) {
  const inputFields = kind === 'submitted' ? newApprovalFields : outcomeFields;
  return defineTrigger({
    key,
    noun: 'Approval',
    display: { label, description },
    operation: {
      type: 'polling',
      inputFields,
      perform: (z: ZObject, bundle: Bundle) => asUserErrors(z, () => pollApprovals(z, bundle, kind)),
      sample,
      outputFields: approvalOutputFields,
    },
  });
}
