import { KINDS } from '../approvals/ledger/kinds';
import { approvalTrigger } from '../zapier/approval-trigger';

export default approvalTrigger({
  key: 'approval_rejected',
  kind: KINDS.rejected,
  label: 'Approval Rejected',
  description: 'Triggers when an approval finishes rejected (status COMPLETED, result refuse).',
});
