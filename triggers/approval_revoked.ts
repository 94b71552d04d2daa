import { approvalTrigger } from '../zapier/approval-trigger';

export default approvalTrigger({
  key: 'approval_revoked',
  kind: 'revoked',
  label: 'Approval Revoked',
  description: 'Triggers when an approval is withdrawn by its originator or terminated (status TERMINATED).',
});
