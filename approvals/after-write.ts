/**
 * What an action does after DingTalk accepted its write (Start Approval, Approve or Reject, Revoke).
 *
 * The step must then succeed. If reading the approval back fails (an HTTP 500, throttling, an expired token) or
 * takes too long, an error would make Zapier, or the user, run the whole step again against DingTalk's new state:
 * a second approval, or "no pending task". So the step returns what it knows instead, with a note, and nothing
 * is retried.
 */
import { performance } from 'node:perf_hooks';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { zapierTransport } from '../dingtalk/transport';
import { getProcessInstance, type ProcessInstanceDetail } from '../dingtalk/workflow';
import { dehydratedFile, loadApprovalRecord } from '../hydrators';
import { approvalRecord } from './record';

/**
 * Zapier stops an action after 30 s (zapier-platform.md, "30 s for … creates/searches"). The read-back must end
 * by `budgetMs`, which leaves time for Zapier's own work. A write is not started after `writeCutoffMs`: a write
 * that started so late could finish just as Zapier gives up, and the user would see a failure for an approval
 * that exists. Tests lower these figures to keep their delays short.
 */
export const actionTiming = { budgetMs: 25_000, writeCutoffMs: 15_000 };

export class DeadlineError extends Error {
  constructor() {
    super('DingTalk did not answer in time');
    this.name = 'DeadlineError';
  }
}

/** The time one action has left. Uses the monotonic clock, which tests that freeze `Date` leave running. */
export class Deadline {
  private readonly startedAt = performance.now();

  constructor(private readonly budgetMs = actionTiming.budgetMs) {}

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** `work`'s result, or a DeadlineError once the budget is spent. The request itself cannot be cancelled. */
  within<T>(work: Promise<T>): Promise<T> {
    const remaining = this.budgetMs - this.elapsedMs();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError()), Math.max(0, remaining));
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}

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
    detail = await deadline.within(getProcessInstance(zapierTransport(z, bundle), id));
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
