import { approvalWaitingTrigger } from '../zapier/waiting-trigger';

export default approvalWaitingTrigger;
