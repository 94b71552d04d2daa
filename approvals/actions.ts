/**
 * What the approval actions (Add Comment, Approve or Reject Approval, Revoke Approval) share: their fields, input
 * readers that collect every problem before DingTalk is called, user names for messages, and the refreshed record.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { tokenExpiresSoon } from '../authentication';
import type { Transport } from '../dingtalk/transport';
import { userNames } from './lookup';
import { zapierStore } from './store';
import { isoFromMs, msFromApiTime } from './time';

/**
 * DingTalk's length limit for a comment, a decision's remark and a revoke remark (official-approval-adds-approval-comments,
 * approve-or-reject-the-approval-task, revoke-an-approval-instance). Counted in UTF-16 units, as DingTalk's Java does.
 */
export const MAX_REMARK_CHARS = 1024;
/** Zapier stops an action after 30 seconds. */
const ACTION_TIME_LIMIT_MS = 30 * 1000;

/** Optional: only lets the Approval dropdown list a template's approvals (new_approval reads `processCode`). */
export const templateField = {
  key: 'processCode',
  label: 'Template',
  required: false,
  dynamic: 'list_templates.id.name',
  helpText: 'Optional. Pick a template to choose the approval from a list of its recent approvals.',
} as const;

/** For actions that return the approval record: the template also fills Template Code and Template Name. */
export const namingTemplateField = {
  ...templateField,
  helpText: `${templateField.helpText} The returned approval then also names its template, which DingTalk's approval details leave out.`,
} as const;

export const approvalField = {
  key: 'processInstanceId',
  label: 'Approval',
  required: true,
  dynamic: 'new_approval.id.title',
  search: 'find_approval.id',
  helpText:
    'Map the Approval ID from a DingTalk trigger or a Find Approval step. To pick from a list instead, choose a Template above: ' +
    "the list shows its newest approvals by title, originator and date. Loading it costs about one metered DingTalk call, plus one per approval it has not labelled before (at most 10).",
} as const;

/** A DingTalk user, picked from the directory or found by a Find User step. */
export const userField = <Key extends string>(key: Key, label: string, helpText: string) =>
  ({ key, label, required: true, dynamic: 'list_users.id.name', search: 'find_user.id', helpText }) as const;

/** One input as trimmed text; missing and null read as ''. */
export function textOf(inputData: Record<string, unknown>, key: string): string {
  const value = inputData[key];
  return value === undefined || value === null ? '' : String(value).trim();
}

const count = (n: number) => n.toLocaleString('en-US');

/** Reads a required text input, noting its absence in `problems`. */
export function requiredText(problems: string[], inputData: Record<string, unknown>, key: string, label: string): string {
  const value = textOf(inputData, key);
  if (!value) problems.push(`${label} is required`);
  return value;
}

/** Notes a text longer than DingTalk accepts. */
export function checkLength(problems: string[], label: string, value: string, max = MAX_REMARK_CHARS): void {
  if (value.length > max) problems.push(`${label} is ${count(value.length)} characters long; DingTalk accepts at most ${count(max)}`);
}

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

/** A DingTalk API time (`2026-11-24T02:00Z`) as ISO-8601 with the org's offset, or null. */
export function isoOrNull(apiTime: string | null | undefined): string | null {
  const ms = msFromApiTime(apiTime);
  return ms === undefined ? null : isoFromMs(ms);
}
