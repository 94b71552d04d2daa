/**
 * What an action does after DingTalk accepted its write (Start Approval, Approve or Reject, Revoke).
 *
 * The step must then succeed. If reading the approval back fails (an HTTP 500, throttling, an expired token) or
 * takes too long, an error would make Zapier, or the user, run the whole step again against DingTalk's new state:
 * a second approval, or "no pending task". So the step returns what it knows instead, with a note, and nothing
 * is retried.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { approvalRecord } from '../approvals/record/record';
import { getProcessInstance, type ProcessInstanceDetail } from '../dingtalk/workflow';
import { dehydratedFile, loadApprovalRecord } from '../hydrators';
import type { Deadline } from '../lib/deadline';
import { zapierTransport } from './transport';

/** Why a read-back failed, in words for the user (never DingTalk's raw message, which may be HTML or Chinese). */
function reasonOf(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'DeadlineError') return 'DingTalk did not answer in time';
  if (name === 'ThrottledError') return 'DingTalk was rate-limiting this app';
  if (name === 'RefreshAuthError') return 'the access token had expired';
  if (name === 'HaltedError') return "the organisation's monthly DingTalk API quota ran out";
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : '';
  if (code === 'ETIMEDOUT' || /ETIMEDOUT|ESOCKETTIMEDOUT|timeout/i.test(message)) return 'DingTalk did not answer in time';
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN/.test(`${String(code)} ${message}`)) return 'DingTalk could not be reached';
  if (/"status":5\d\d/.test(message)) return 'DingTalk had a server error';
  return 'DingTalk answered with an error';
}

/** The note a record carries when the read-back failed. */
export const readBackNote = (done: string, error: unknown) =>
  `${done}, but reading the approval back failed (${reasonOf(error)}). The other fields show what this step knows; use Find Approval in a later step for the full record.`;

/**
 * The approval as DingTalk has it after the write, or, when reading it fails or runs out of time,
 * `known(note)`: the record built from what the action knows, with a sentence saying why it is incomplete.
 * Names and the template name are looked up within the same deadline, and left out when it passes.
 */
export async function recordAfterWrite<Known>(
  z: ZObject,
  bundle: Bundle,
  deadline: Deadline,
  done: string,
  id: string,
  processCode: string | null,
  known: (note: string) => Known,
) {
  let detail: ProcessInstanceDetail;
  try {
    detail = await deadline.within(getProcessInstance(zapierTransport(z, bundle, 'action'), id));
  } catch (error) {
    z.console.log(`${done}; reading approval ${id} back failed: ${reasonOf(error)} (${(error as Error).message})`);
    return known(readBackNote(done, error));
  }
  return { ...(await loadApprovalRecord(z, bundle, id, processCode, detail, deadline)), note: null };
}

/** A record built from a detail this step holds (no lookups, no calls), with the note that says why. */
export function knownRecord(z: ZObject, id: string, detail: ProcessInstanceDetail, processCode: string | null, note: string) {
  return { ...approvalRecord(id, detail, { processCode, templateName: null, names: new Map(), file: dehydratedFile(z) }), note };
}
