/**
 * The words the ledger and the record share for how an approval ended (DingTalk's status and result,
 * obtains-the-details-of-a-single-approval-instance-pop): approved = COMPLETED + agree; rejected = COMPLETED +
 * refuse; revoked = TERMINATED.
 */
export type Outcome = 'approved' | 'rejected' | 'revoked';
export const OUTCOMES: readonly Outcome[] = ['approved', 'rejected', 'revoked'];

export type FinalStatus = 'COMPLETED' | 'TERMINATED';
export const isFinal = (status: string | null | undefined): status is FinalStatus => status === 'COMPLETED' || status === 'TERMINATED';

export function outcomeOf(status: string | null | undefined, result?: string | null): Outcome | undefined {
  if (status === 'TERMINATED') return 'revoked';
  if (status !== 'COMPLETED') return undefined;
  if (result === 'agree') return 'approved';
  if (result === 'refuse') return 'rejected';
  return undefined;
}
