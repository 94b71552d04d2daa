/**
 * What the approval actions (Add Comment, Approve or Reject Approval, Transfer Approval Task, Revoke Approval) share
 * beyond their fields (fields.ts): user names for messages, the token check before a write, and the read-check-write
 * frame of the actions that change an approval. After the write: after-write.ts.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { tokenExpiresSoon } from '../authentication';
import { userNames } from '../approvals/record/lookup';
import type { Transport } from '../dingtalk/transport';
import { getProcessInstance, type ProcessInstanceDetail } from '../dingtalk/workflow';
import { loadApprovalRecord } from '../hydrators';
import { Deadline } from '../lib/deadline';
import { DAY_MS, msFromApiTime } from '../lib/time';
import { knownRecord, recordAfterWrite } from './after-write';
import { zapierStore } from './store';
import { zapierTransport } from './transport';

/** Zapier stops an action after 30 seconds. */
const ACTION_TIME_LIMIT_MS = 30 * 1000;

/** Optional: only lets the Approval dropdown list a template's approvals (new_approval reads `processCode`). */
export const PICK_APPROVAL_HELP = 'Optional. Pick a template to choose the approval from a list of its recent approvals.';
/** For actions that return the approval record: the template also fills Template Code and Template Name. */
export const NAMING_TEMPLATE_HELP = `${PICK_APPROVAL_HELP} The returned approval then also names its template, which DingTalk's approval details leave out.`;

/** Names users in messages as "Name (id)", or the bare id when DingTalk has no name (contacts calls are free). */
export async function userLabels(transport: Transport, z: ZObject, userIds: string[]): Promise<(userId: string) => string> {
  const names = await userNames(transport, zapierStore(z), [...new Set(userIds.filter(Boolean))]);
  return (userId) => {
    const name = names.get(userId);
    return name ? `${name} (${userId})` : userId;
  };
}

/**
 * Approve, Transfer and Revoke read, write, then read again. Had the token reached the refresh margin between the write and
 * the last read, Zapier would refresh it and run the whole action again, which would then fail on the approval it
 * had just changed. Refreshing before anything is sent keeps a rerun harmless. Nothing here retries a write.
 */
export function refreshTokenBeforeWriting(z: ZObject, bundle: Bundle): void {
  if (tokenExpiresSoon(bundle, ACTION_TIME_LIMIT_MS)) {
    throw new z.errors.RefreshAuthError('The DingTalk access token expires during this action; fetching a new one before changing the approval.');
  }
}

/**
 * How long a change found already made counts as a step's own earlier run when the user named no task. Zapier's
 * Autoreplay retries a failed step for about 10.5 hours (at 5 min, 30 min, 1 h, 3 h and 6 h; help.zapier.com
 * "Replay failed Zap runs"); a day also covers a replay by hand the same day.
 */
export const RERUN_WINDOW_MS = DAY_MS;

/** Within the rerun window. No finish time counts as recent: sending nothing is the side that can be put right. */
export function finishedRecently(finishTime: string | null | undefined, now: number): boolean {
  const finished = msFromApiTime(finishTime);
  return finished === undefined || now - finished <= RERUN_WINDOW_MS;
}

/**
 * How Approve or Reject, Transfer Approval Task and Revoke Approval begin once their inputs are valid: the token
 * renewed if it would expire mid-action, the step's deadline started, and the approval read as DingTalk has it
 * (one metered call), for the action to check its rules and to find its own change on a rerun. What it returns
 * ends the step either way: `alreadyMade` when the change is in place (nothing sent), `afterWrite` once DingTalk
 * accepted the write.
 */
export async function approvalChange(z: ZObject, bundle: Bundle, processInstanceId: string, templateCode: string) {
  refreshTokenBeforeWriting(z, bundle);
  const deadline = new Deadline();
  const processCode = templateCode || null;
  const transport = zapierTransport(z, bundle, 'action');
  const detail = await getProcessInstance(transport, processInstanceId);
  return {
    transport,
    detail,
    /** A rerun found its own change: the approval as it is, what the action adds, and the note that says nothing was sent. */
    alreadyMade: async <Added extends object>(added: Added, note: string) => ({
      ...(await loadApprovalRecord(z, bundle, processInstanceId, processCode, detail)),
      ...added,
      note,
    }),
    /**
     * After DingTalk accepted the write: the approval read back, or, if that fails, `known` (the detail read
     * before, changed as the write changes it) with `unknown` on top and a note saying why (after-write.ts).
     */
    afterWrite: (done: string, known: ProcessInstanceDetail, unknown: Record<string, null> = {}) =>
      recordAfterWrite(z, bundle, deadline, done, processInstanceId, processCode, (note) => ({ ...knownRecord(z, processInstanceId, known, processCode, note), ...unknown })),
  };
}
