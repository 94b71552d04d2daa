import { KINDS } from '../approvals/ledger/kinds';
import { approvalTrigger } from '../zapier/approval-trigger';

export default approvalTrigger({
  key: 'approval_finished',
  kind: KINDS.finished,
  label: 'Approval Finished',
  description: 'Triggers when an approval finishes in any way: approved, rejected or revoked. The outcome field tells which, for Zaps that branch with Paths.',
});
