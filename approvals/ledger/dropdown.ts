/**
 * The Approval dropdown (`new_approval.id.title`, used by Add Comment, Approve or Reject, Revoke and Find
 * Approval): the template's approvals, newest first, each labelled with what a person recognises, such as
 * "陳嘉欣提交的費用報銷 · 2026-11-20 10:15 · pending".
 *
 * Cost of one dropdown load: the shared ledger's refresh, as a poll (about 1 metered call), plus one detail
 * fetch for each listed approval whose title is not yet remembered, at most TITLE_FETCHES. Titles are
 * remembered for 130 days (titles.ts) and are also remembered, for free, whenever a poll fetches a detail, so
 * later loads cost only the refresh. Originator names come from the free contacts API, cached.
 */
import type { Transport } from '../../dingtalk/transport';
import { findProcessInstance } from '../../dingtalk/workflow';
import { cacheKeys } from '../../lib/cache-keys';
import { mapLimited } from '../../lib/limiter';
import type { Store } from '../../lib/store';
import { isoFromMs } from '../../lib/time';
import { outcomeOf } from '../outcome';
import { userNames } from '../record/lookup';
import { rememberTitle, type ApprovalTitle } from '../record/titles';
import { KINDS, type Selected } from './kinds';
import { pollLedger, type PollInput } from './ledger';

/** Choices one load shows: the newest approvals. */
export const DROPDOWN_SIZE = 50;
/** Metered detail fetches one load may spend on titles it does not know yet. */
export const TITLE_FETCHES = 10;

export interface ApprovalChoice {
  id: string;
  title: string;
}

/** `2026-11-20 10:15` in Hong Kong time. */
const shortTime = (ms: number) => isoFromMs(ms).slice(0, 16).replace('T', ' ');

function stateOf({ entry }: Selected): string {
  const outcome = outcomeOf(entry.status, entry.result);
  if (outcome) return outcome;
  return entry.status === 'RUNNING' ? 'pending' : 'finished';
}

/** Known titles from the cache; unknown ones fetched, newest first, within the budget. */
async function titlesFor(transport: Transport, store: Store, shown: Selected[]): Promise<(ApprovalTitle | undefined)[]> {
  const cached = await mapLimited(shown, ({ id }) => store.get<ApprovalTitle>(cacheKeys.title(id)));
  const missing = shown.flatMap((choice, index) => (cached[index] ? [] : [index])).slice(0, TITLE_FETCHES);
  await mapLimited(missing, async (index) => {
    const id = shown[index]!.id;
    const detail = await findProcessInstance(transport, id);
    if (detail) cached[index] = await rememberTitle(store, id, detail);
  });
  return cached.map((title) => title ?? undefined);
}

export async function approvalChoices(transport: Transport, store: Store, input: PollInput, now: number): Promise<ApprovalChoice[]> {
  const shown = (await pollLedger(transport, store, KINDS.submitted, input, { seedingDedupe: false, now })).slice(0, DROPDOWN_SIZE);
  const titles = await titlesFor(transport, store, shown);
  const originators = [...new Set(titles.flatMap((title) => (title?.originatorUserId ? [title.originatorUserId] : [])))];
  const names = await userNames(transport, store, originators);
  return shown.map((choice, index) => {
    const known = titles[index];
    // Without a detail only the time this connection first saw the approval is known, and it is labelled so.
    const submitted = known?.createdAt ?? choice.entry.createdAt;
    const name = known?.originatorUserId ? names.get(known.originatorUserId) : undefined;
    // DingTalk's default title already names the originator ("陳嘉欣提交的費用報銷").
    const parts = [
      known?.title ?? 'Approval',
      ...(name && !known?.title?.includes(name) ? [name] : []),
      submitted === undefined ? `first seen ${shortTime(choice.entry.seenAt)}` : shortTime(submitted),
      stateOf(choice),
    ];
    return { id: choice.id, title: parts.join(' · ') };
  });
}
