import { approvalTrigger } from '../zapier/approval-trigger';

export default approvalTrigger({
  key: 'approval_approved',
  kind: 'approved',
  label: 'Approval Approved',
  description: 'Triggers when an approval finishes approved (status COMPLETED, result agree).',
});
