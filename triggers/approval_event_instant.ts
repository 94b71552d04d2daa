import { instantTrigger } from '../zapier/instant-trigger';

export default instantTrigger({
  key: 'approval_event_instant',
  label: 'Approval Event (Instant)',
  description: 'Triggers when an approval is submitted, approved, rejected, revoked or finished, within seconds, through your DingTalk event relay.',
});
