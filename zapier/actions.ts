/**
 * What the approval actions (Add Comment, Approve or Reject Approval, Revoke Approval) share beyond their fields
 * (fields.ts): user names for messages and the token check before a write. After the write: after-write.ts.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { tokenExpiresSoon } from '../authentication';
import { userNames } from '../approvals/record/lookup';
import type { Transport } from '../dingtalk/transport';
import { zapierStore } from './store';

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
 * Approve and Revoke read, write, then read again. Had the token reached the refresh margin between the write and
 * the last read, Zapier would refresh it and run the whole action again, which would then fail on the approval it
 * had just changed. Refreshing before anything is sent keeps a rerun harmless. Nothing here retries a write.
 */
export function refreshTokenBeforeWriting(z: ZObject, bundle: Bundle): void {
  if (tokenExpiresSoon(bundle, ACTION_TIME_LIMIT_MS)) {
    throw new z.errors.RefreshAuthError('The DingTalk access token expires during this action; fetching a new one before changing the approval.');
  }
}
