import { KINDS } from '../approvals/ledger/kinds';
import { approvalTrigger } from '../zapier/approval-trigger';

export default approvalTrigger({
  key: 'approval_revoked',
  kind: KINDS.revoked,
  label: 'Approval Revoked',
  description: 'Triggers when an approval is withdrawn by its originator or terminated (status TERMINATED).',
});
