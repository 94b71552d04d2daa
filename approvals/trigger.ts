/**
 * What every approval trigger shares: its input fields, its poll (refresh the shared ledger, then select),
 * and its editor sample. Each file in triggers/ only names a kind and its display text.
 */
import { defineInputFields, defineTrigger, type Bundle, type ZObject } from 'zapier-platform-core';
import { zapierTransport } from '../dingtalk/transport';
import { getProcessInstance, listProcessInstanceIds, querySchemaByProcessCode, type InstanceStatus } from '../dingtalk/workflow';
import hydrators, { loadApprovalRecord } from '../hydrators';
import sample from '../samples/approval.json';
import { ApprovalLedger, MAX_WINDOW_MS, type LedgerEntry } from './ledger';
import { mapLimited } from './limiter';
import { rememberTemplateNames } from './lookup';
import { approvalOutputFields } from './output';
import { outcomeOf, select, type TriggerKind } from './select';
import { zapierStore } from './store';
import { isoFromMs } from './time';

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_LOOK_BACK_DAYS = 7;
const MAX_LOOK_BACK_DAYS = 120;
const MAX_ORIGINATORS = 10;
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

interface PollInput {
  processCode: string;
  userIds: string[];
  lookBackMs: number;
  freshnessMs: number;
}

/** Validates every input at once, so the user sees all problems in one message. */
export function pollInput(inputData: Record<string, unknown>): PollInput {
  const problems: string[] = [];
  const processCode = typeof inputData.processCode === 'string' ? inputData.processCode.trim() : '';
  if (!processCode) problems.push('Template is required');
  const raw = inputData.originatorUserIds;
  const userIds = (Array.isArray(raw) ? raw : typeof raw === 'string' && raw ? raw.split(',') : []).map((id) => String(id).trim()).filter(Boolean);
  if (userIds.length > MAX_ORIGINATORS) problems.push(`Originators accepts at most ${MAX_ORIGINATORS} users (DingTalk's limit)`);
  const lookBack = inputData.lookBackDays === undefined || inputData.lookBackDays === '' ? DEFAULT_LOOK_BACK_DAYS : Number(inputData.lookBackDays);
  if (!Number.isInteger(lookBack) || lookBack < 1 || lookBack > MAX_LOOK_BACK_DAYS) {
    problems.push(`Look Back (Days) must be a whole number from 1 to ${MAX_LOOK_BACK_DAYS}`);
  }
  const freshness = Number(inputData.refreshMinutes ?? 0);
  if (!Number.isFinite(freshness) || freshness < 0) problems.push('Refresh Interval must be a number of minutes');
  if (problems.length > 0) throw new InputError(problems);
  return { processCode, userIds, lookBackMs: Math.min(lookBack * DAY_MS, MAX_WINDOW_MS), freshnessMs: freshness * 60 * 1000 };
}

export class InputError extends Error {
  constructor(problems: string[]) {
    super(`${problems.join('; ')}.`);
    this.name = 'InputError';
  }
}

/** One metered call, made only when a ledger is (re)built or a sample is loaded: a wrong template fails loudly. */
async function verifyTemplate(z: ZObject, bundle: Bundle, processCode: string): Promise<string | undefined> {
  const schema = await querySchemaByProcessCode(zapierTransport(z, bundle), processCode);
  if (schema.status === 'INVALID') {
    throw new z.errors.Error(`The approval template ${schema.name ?? processCode} is disabled in DingTalk. Enable it in the DingTalk admin console or pick another template.`, 'TemplateDisabled', 400);
  }
  if (schema.name) await rememberTemplateNames(zapierStore(z), [{ processCode, name: schema.name }]);
  return schema.name;
}

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

/** Input problems become one Zapier error listing them all, not a stack trace. */
export function validInput(z: ZObject, inputData: Record<string, unknown>): PollInput {
  try {
    return pollInput(inputData);
  } catch (error) {
    if (error instanceof InputError) throw new z.errors.Error(error.message, 'InvalidInput', 400);
    throw error;
  }
}

async function pollApprovals(z: ZObject, bundle: Bundle, kind: TriggerKind) {
  const input = validInput(z, bundle.inputData);
  const meta = bundle.meta ?? {};
  if (meta.isLoadingSample) return sampleApprovals(z, bundle, kind, input);
  const seedingDedupe = Boolean(meta.isPopulatingDedupe);
  const ledgers = new ApprovalLedger(zapierTransport(z, bundle), zapierStore(z));
  const scope = { processCode: input.processCode, userIds: input.userIds };
  if (!(await ledgers.read(scope))) await verifyTemplate(z, bundle, input.processCode);
  const { ledger } = await ledgers.refresh({ ...scope, lookBackMs: input.lookBackMs, freshnessMs: input.freshnessMs, seedingDedupe });
  const selected = select(ledger, kind, { now: Date.now(), lookBackMs: input.lookBackMs, seedingDedupe });
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
  await verifyTemplate(z, bundle, input.processCode);
  const transport = zapierTransport(z, bundle);
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
      perform: (z: ZObject, bundle: Bundle) => pollApprovals(z, bundle, kind),
      sample,
      outputFields: approvalOutputFields,
    },
  });
}
