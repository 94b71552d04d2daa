/**
 * Find Approval without Zapier: validated input in, the matching approval's id and detail out.
 * By approval id it costs one metered detail fetch. By business id (审批编号) it lists the template's approvals
 * in the look-back window and reads details until one matches, with a hard cap on the detail fetches; details
 * the approval triggers already cached cost nothing.
 */
import type { Transport } from '../../dingtalk/transport';
import { findProcessInstance, INSTANCE_PAGE_SIZE, listAllProcessInstanceIds, MAX_LIST_WINDOW_DAYS, type ProcessInstanceDetail } from '../../dingtalk/workflow';
import { readInputs } from '../../lib/inputs';
import { mapLimited } from '../../lib/limiter';
import type { Store } from '../../lib/store';
import { DAY_MS } from '../../lib/time';
import { MAX_WINDOW_MS } from '../ledger/ledger';
import { cachedDetail } from './detail';

export const DEFAULT_FIND_LOOK_BACK_DAYS = 30;
/** At most this many approvals are read when searching by business id (one metered call each). */
export const MAX_DETAIL_FETCHES = 50;
/** The list calls that many ids take at DingTalk's 20 per page. */
export const MAX_LIST_CALLS = Math.ceil(MAX_DETAIL_FETCHES / INSTANCE_PAGE_SIZE);

export interface FindApprovalInput {
  /** Needed to search by business id; by approval id it only names the template in the record. */
  processCode?: string;
  approvalId?: string;
  businessId?: string;
  lookBackMs: number;
}

/** Validates every input at once, so the user sees all problems in one message. */
export function findApprovalInput(inputData: Record<string, unknown>): FindApprovalInput {
  const input = readInputs(inputData);
  const processCode = input.text('processCode');
  const approvalId = input.text('approvalId');
  const businessId = input.text('businessId');
  if (!approvalId && !businessId) input.problems.push('Enter an Approval ID or a Business ID');
  if (!approvalId && businessId && !processCode) input.problems.push('Pick a Template to search by Business ID');
  const lookBack = input.wholeNumber('lookBackDays', 'Look Back (Days)', { min: 1, max: MAX_LIST_WINDOW_DAYS, fallback: DEFAULT_FIND_LOOK_BACK_DAYS });
  input.done();
  return {
    ...(processCode ? { processCode } : {}),
    ...(approvalId ? { approvalId } : {}),
    ...(businessId ? { businessId } : {}),
    lookBackMs: Math.min(lookBack * DAY_MS, MAX_WINDOW_MS),
  };
}

export interface FoundApproval {
  id: string;
  detail: ProcessInstanceDetail;
}

/** A detail the approval triggers cached (free), else one metered fetch; undefined when DingTalk has none. */
const detailOf = async (transport: Transport, store: Store, id: string): Promise<ProcessInstanceDetail | undefined> =>
  (await cachedDetail(store, id)) ?? findProcessInstance(transport, id);

const matches = (detail: ProcessInstanceDetail | undefined, businessId: string | undefined) =>
  detail !== undefined && (businessId === undefined || (detail.businessId ?? '').trim() === businessId);

/** The approval matching the input, or undefined. Approval ID wins; a Business ID given with it must agree. */
export async function findApproval(transport: Transport, store: Store, input: FindApprovalInput, now = Date.now()): Promise<FoundApproval | undefined> {
  const { approvalId, businessId } = input;
  if (approvalId) {
    const detail = await detailOf(transport, store, approvalId);
    return detail && matches(detail, businessId) ? { id: approvalId, detail } : undefined;
  }
  if (!input.processCode) return undefined;
  const { items } = await listAllProcessInstanceIds(
    transport,
    { processCode: input.processCode, startTime: now - input.lookBackMs, endTime: now },
    MAX_DETAIL_FETCHES,
  );
  let found: FoundApproval | undefined;
  // One limiter for every fetch; ids not yet started when a match turns up are skipped.
  await mapLimited(items, async (id) => {
    if (found) return;
    const detail = await detailOf(transport, store, id);
    if (detail && matches(detail, businessId)) found ??= { id, detail };
  });
  return found;
}
