import { KINDS } from '../approvals/ledger/kinds';
import { approvalTrigger } from '../zapier/approval-trigger';

export default approvalTrigger({
  key: 'new_approval',
  kind: KINDS.submitted,
  label: 'New Approval',
  description: 'Triggers when an approval is submitted for the chosen template.',
  feedsApprovalDropdown: true,
});
