/**
 * One poll of the shared ledger, without Zapier: validated input in, the entries a trigger delivers out.
 * The triggers wrap it for Zapier (zapier/approval-trigger.ts); the cost model and benchmarks run it against an
 * in-memory store.
 */
import type { Transport } from '../../dingtalk/transport';
import { MAX_LIST_WINDOW_DAYS, querySchemaByProcessCode } from '../../dingtalk/workflow';
import { InputError, readInputs } from '../../lib/inputs';
import type { Store } from '../../lib/store';
import { DAY_MS, MINUTE_MS } from '../../lib/time';
import { rememberTemplateNames } from '../record/lookup';
import { DEFAULT_LOOK_BACK_DAYS, type Selected, type TriggerKind } from './kinds';
import { ApprovalLedger, MAX_WINDOW_MS } from './ledger';

/** ListProcessInstanceIds takes at most 10 originators (obtain-an-approval-list-of-instance-ids). */
const MAX_ORIGINATORS = 10;

export interface PollInput {
  processCode: string;
  userIds: string[];
  lookBackMs: number;
  freshnessMs: number;
}

/** Validates every input at once, so the user sees all problems in one message. */
export function pollInput(inputData: Record<string, unknown>): PollInput {
  const input = readInputs(inputData);
  const processCode = input.required('processCode', 'Template');
  const userIds = input.list('originatorUserIds');
  if (userIds.length > MAX_ORIGINATORS) input.problems.push(`Originators accepts at most ${MAX_ORIGINATORS} users (DingTalk's limit)`);
  const lookBack = input.wholeNumber('lookBackDays', 'Look Back (Days)', { min: 1, max: MAX_LIST_WINDOW_DAYS, fallback: DEFAULT_LOOK_BACK_DAYS });
  const freshness = Number(inputData.refreshMinutes ?? 0);
  if (!Number.isFinite(freshness) || freshness < 0) input.problems.push('Refresh Interval must be a number of minutes');
  input.done();
  return { processCode, userIds, lookBackMs: Math.min(lookBack * DAY_MS, MAX_WINDOW_MS), freshnessMs: freshness * MINUTE_MS };
}

/** One metered call, made only when a ledger is (re)built or a sample is loaded: a wrong template fails loudly. */
export async function verifyTemplate(transport: Transport, store: Store, processCode: string): Promise<void> {
  const schema = await querySchemaByProcessCode(transport, processCode);
  if (schema.status === 'INVALID') {
    throw new InputError([`The approval template ${schema.name ?? processCode} is disabled in DingTalk. Enable it in the DingTalk admin console or pick another template`], 'TemplateDisabled');
  }
  if (schema.name) await rememberTemplateNames(store, [{ processCode, name: schema.name }]);
}

export interface PollMeta {
  /** Seeding a new Zap's dedupe list. */
  seedingDedupe: boolean;
  now: number;
}

/** Refreshes (or reuses) the template's ledger and returns what a trigger of `kind` delivers. */
export async function pollLedger(transport: Transport, store: Store, kind: TriggerKind, input: PollInput, { seedingDedupe, now }: PollMeta): Promise<Selected[]> {
  const ledgers = new ApprovalLedger(transport, store);
  const scope = { processCode: input.processCode, userIds: input.userIds };
  const current = await ledgers.read(scope);
  if (!current) await verifyTemplate(transport, store, input.processCode);
  const { ledger } = await ledgers.refresh({ ...scope, lookBackMs: input.lookBackMs, freshnessMs: input.freshnessMs, seedingDedupe, now }, current);
  const entries = Object.entries(ledger.entries).map(([id, entry]) => ({ id, entry }));
  return kind.select(entries, { now, lookBackMs: input.lookBackMs, seedingDedupe });
}
