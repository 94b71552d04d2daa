/**
 * The Zapier side of every approval trigger: its input fields, its poll (refresh the shared ledger, then let
 * the kind select) and its editor sample. What differs between triggers is data: the kind
 * (approvals/ledger/kinds.ts) and the display text in the trigger's own file.
 */
import { defineInputFields, defineTrigger, type Bundle, type InferInputData, type PollingTriggerPerform, type ZObject } from 'zapier-platform-core';
import { submittedAt, type LedgerEntry } from '../approvals/ledger/entry';
import { approvalChoices } from '../approvals/ledger/dropdown';
import type { TriggerKind } from '../approvals/ledger/kinds';
import { AUTO_REFRESH, pollInput, pollLedger, verifyTemplate, type PollInput } from '../approvals/ledger/ledger';
import { isFinal, outcomeOf } from '../approvals/outcome';
import { getProcessInstance, listProcessInstanceIds } from '../dingtalk/workflow';
import hydrators, { loadApprovalRecord } from '../hydrators';
import { mapLimited } from '../lib/limiter';
import { isoFromMs } from '../lib/time';
import sample from '../samples/approval.json';
import { templateField, usersField } from './fields';
import { approvalOutputFields } from './output-fields';
import { zapierStore } from './store';
import { meterOf } from './quota';
import { zapierTransport } from './transport';
import { withUserErrors } from './user-errors';

/** The editor only shows three sample records; fetching a few more finds three of the right outcome. */
const SAMPLE_SIZE = 3;
const SAMPLE_FETCHES = 10;

const commonFields = defineInputFields([
  templateField(true, "The approval template (审批模板) to watch. Suite forms such as leave requests are not served by DingTalk's API."),
  usersField('originatorUserIds', 'Originators', 'Only approvals submitted by these DingTalk users (at most 10). Leave empty for everyone.'),
]);

/**
 * Refresh Interval. Costs in the help text: one refresh is one metered call plus one for the hourly sweep, so a
 * month (43,200 minutes) of refreshes every R minutes costs about 43,200 ÷ R + 720 calls (bench/cost-model.ts
 * measures them), before the 1–2 calls each approval costs however it is watched.
 */
export const freshnessField = {
  key: 'refreshMinutes',
  label: 'Refresh Interval',
  required: false,
  default: AUTO_REFRESH,
  choices: { [AUTO_REFRESH]: 'Auto (recommended)', '0': 'Every poll', '5': '5 minutes', '15': '15 minutes', '30': '30 minutes', '60': '60 minutes' },
  helpText:
    'How often DingTalk is asked about this template. All Zaps on the template and DingTalk connection share one view, so they share this cost. ' +
    '**Auto** spreads the connection\'s monthly budget (set on the connection; 3,000 calls on the free edition by default) over the month across every watched template: ' +
    'fresher early in a quiet month, slower when the budget runs low, never slower than once a day. ' +
    'A fixed interval wins over the budget. Its cost per template, per month: every poll, about 1 call a poll per Zap plus 720 for the hourly sweep: 3,600 a month with one Zap at Zapier\'s 15-minute polling (Free plan), ' +
    '22,300 at 2 minutes (Professional), 43,900 at 1 minute (Team): more than the free edition\'s 5,000 for the whole organisation. ' +
    '5 minutes: about 9,400 at 1- or 2-minute polling; 15 minutes: about 3,600; 30 minutes: about 2,200; 60 minutes: about 1,400.',
} as const;

/** What a trigger delivers before hydration: enough to dedupe, order and branch, plus the full record on use. */
function stubRecord(z: ZObject, id: string, entry: LedgerEntry, processCode: string) {
  const final = isFinal(entry.status);
  return {
    id,
    template_code: processCode,
    status: final ? entry.status : 'RUNNING',
    result: entry.result ?? null,
    outcome: outcomeOf(entry.status, entry.result) ?? (final ? null : 'pending'),
    created_at: isoFromMs(submittedAt(entry)),
    finished_at: entry.finishedAt === undefined ? null : isoFromMs(entry.finishedAt),
    $HOIST$: z.dehydrate(hydrators.approval, { id, processCode }),
  };
}

/** Up to three real, fully hydrated records for the Zap editor, from one list page and a few detail fetches. */
async function sampleApprovals(z: ZObject, bundle: Bundle, kind: TriggerKind, input: PollInput) {
  const transport = zapierTransport(z, bundle, 'sample');
  await verifyTemplate(transport, zapierStore(z), input.processCode);
  const now = Date.now();
  const { statuses, windowMs, matches, time } = kind.sample;
  const page = await listProcessInstanceIds(transport, {
    processCode: input.processCode,
    startTime: now - windowMs(input.lookBackMs),
    endTime: now,
    ...(statuses ? { statuses } : {}),
    ...(input.userIds.length ? { userIds: input.userIds } : {}),
  });
  const details = await mapLimited(page.items.slice(0, SAMPLE_FETCHES), async (id) => ({ id, detail: await getProcessInstance(transport, id) }));
  const matching = details
    .filter(({ detail }) => matches(detail))
    .sort((a, b) => Date.parse(time(b.detail) ?? '') - Date.parse(time(a.detail) ?? ''))
    .slice(0, SAMPLE_SIZE);
  return Promise.all(matching.map(({ id, detail }) => loadApprovalRecord(z, bundle, id, input.processCode, detail)));
}

export interface ApprovalTriggerConfig<Key extends string> {
  key: Key;
  kind: TriggerKind;
  label: string;
  description: string;
  /** This trigger feeds the Approval dropdown (`<key>.id.title`): its choices are labelled approvals (approvals/ledger/dropdown.ts). */
  feedsApprovalDropdown?: boolean;
}

export function approvalTrigger<Key extends string>({ key, kind, label, description, feedsApprovalDropdown = false }: ApprovalTriggerConfig<Key>) {
  const inputFields = defineInputFields([...commonFields, ...kind.inputFields, freshnessField]);
  const perform = (async (z, bundle) => {
    const input = pollInput(bundle.inputData, kind);
    const meta = bundle.meta ?? {};
    if (meta.isLoadingSample) return sampleApprovals(z, bundle, kind, input);
    if (meta.isFillingDynamicDropdown && feedsApprovalDropdown) return approvalChoices(zapierTransport(z, bundle, 'dropdown'), zapierStore(z), input, Date.now());
    const seedingDedupe = Boolean(meta.isPopulatingDedupe);
    const selected = await pollLedger(zapierTransport(z, bundle, 'trigger'), zapierStore(z), kind, input, {
      seedingDedupe,
      now: Date.now(),
      meter: meterOf(z, bundle),
      log: (line) => z.console.log(line),
    });
    // Seeding dedupe only needs ids: no hydration, no detail fetches.
    if (seedingDedupe) return selected.map(({ id }) => ({ id }));
    return selected.map(({ id, entry }) => stubRecord(z, id, entry, input.processCode));
  }) satisfies PollingTriggerPerform<InferInputData<typeof commonFields>>;
  return defineTrigger({
    key,
    noun: 'Approval',
    display: { label, description },
    operation: { type: 'polling', inputFields, perform: withUserErrors(perform), sample, outputFields: approvalOutputFields },
  });
}
