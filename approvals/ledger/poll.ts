/**
 * One poll of the shared ledger, without Zapier: validated input in, the entries a trigger delivers out.
 * The triggers wrap it for Zapier; the cost model and benchmarks run it against an in-memory store.
 */
import type { Transport } from '../../dingtalk/transport';
import { InputError } from '../../lib/inputs';
import { querySchemaByProcessCode } from '../../dingtalk/workflow';
import { ApprovalLedger, MAX_WINDOW_MS } from './ledger';
import { rememberTemplateNames } from '../record/lookup';
import { select, type Selected, type TriggerKind } from './select';
import type { Store } from '../../lib/store';

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_LOOK_BACK_DAYS = 7;
const MAX_LOOK_BACK_DAYS = 120;
const MAX_ORIGINATORS = 10;

export interface PollInput {
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
  return select(ledger, kind, { now, lookBackMs: input.lookBackMs, seedingDedupe });
}

