import { KINDS } from '../approvals/ledger/kinds';
import { approvalTrigger } from '../zapier/approval-trigger';

export default approvalTrigger({
  key: 'approval_approved',
  kind: KINDS.approved,
  label: 'Approval Approved',
  description: 'Triggers when an approval finishes approved (status COMPLETED, result agree).',
});
