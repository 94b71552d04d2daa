import { instantTrigger } from '../zapier/instant-trigger';

export default instantTrigger({
  key: 'approval_event_instant',
  label: 'Approval Event (Instant)',
  description:
    'Triggers when an approval is submitted, approved, rejected, revoked or finished, or a task has waited too long for its approver, within seconds, through your DingTalk event relay.',
});
