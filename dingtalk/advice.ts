/**
 * Turns a classified DingTalk problem into one sentence a user can act on.
 * Code-specific advice comes from each API's doc page (cited beside the codes).
 */
import type { Problem } from './errors';

const CONSOLE = 'the DingTalk developer console (open-dev.dingtalk.com)';

/** Error codes of the workflow and contact APIs, and what the user should do about each. */
const ADVICE: Record<string, string> = {
  // create-an-approval-instance
  processCodeError: 'The approval template does not exist or was deleted. Pick the template again from the dropdown.',
  processInstanceInvalidParameter: 'DingTalk rejected one of the approval fields. Check the form values against the template.',
  targetSelectApproverMissing: 'The template asks the originator to choose approvers. Fill in every approver field.',
  formConverterError: 'A form value does not match its field type in the template. Check dates, numbers and options.',
  illegalComponent: 'The form holds a field the API cannot fill (for example an attachment). Leave it empty.',
  benefitStatusInvalid: 'This feature needs DingTalk OA Premium (OA高级版).',
  autoflowLikeTriggerRateLimited: 'DingTalk is limiting how fast approvals can be started. Try again in a minute.',
  // obtains-the-details-of-a-single-approval-instance-pop
  processInstanceNotExist: 'The approval does not exist, or it was deleted.',
  processInstanceIdError: 'The approval ID is not valid.',
  // obtain-an-approval-list-of-instance-ids
  invalidMaxResults: 'The page size is out of range (at most 20).',
  invalidEndTime: 'The time window is not valid: it may span at most 120 days and start at most 365 days ago.',
  invalidUserIds: 'The originator filter accepts at most 10 valid user IDs.',
  invalidNextToken: 'The paging cursor is not valid.',
  // obtain-the-form-schema
  formNotExist: 'The approval template has no form, or it was deleted. Pick the template again.',
  noPermission: 'This app cannot read the template. Suite forms (leave, HR, finance) are not served by the API.',
  aflowProcessCodeIsError: 'The approval template code is wrong or the template was deleted. Pick the template again.',
  // approve-or-reject-the-approval-task, revoke-an-approval-instance
  aflowProcessInstCanNotBeExecuted: 'The approval task cannot be executed: it may already be finished or belong to someone else.',
  invalidInstanceExecuteResult: 'The decision must be agree or refuse.',
  aflowProcessInstStatusException: 'Only running approvals can be revoked, and not within 15 seconds of being started.',
  needAuth: 'The user is not allowed to act on this approval.',
  // official-approval-adds-approval-comments, revoke-an-approval-instance
  userNotExist: 'The DingTalk user does not exist in this organisation, or has left it. Pick the user again.',
  aflowProcessInstNotExist: 'The approval does not exist, or it was deleted.',
  // server-api-error-codes-1
  '60020': 'DingTalk only accepts calls from allow-listed IPs for this app. Remove the IP allow-list in ' + CONSOLE + ' (Zapier has no fixed IP).',
  '33012': 'The user ID is not valid or the user has left the organisation.',
  '60121': 'No user with that mobile number was found.',
  '60003': 'The department does not exist.',
};

const REVOKE_NOT_ALLOWED =
  "The approval's template does not let submitters revoke approvals in progress. In the OA Approval admin (DingTalk admin console at oa.dingtalk.com → Workplace → App Management → OA Approval), open the template → Advanced Settings → Revoke/Modify Approval (撤销/修改审批单), tick \"Allow submitters to revoke approvals in progress\" (允许提交人撤销审批中的审批单), save, then try again.";

/**
 * Codes that mean something specific on one endpoint, keyed `<endpoint name>:<code>`; they win over ADVICE.
 * DingTalk reuses generic codes such as internalError across the workflow APIs.
 */
const ENDPOINT_ADVICE: Record<string, string> = {
  // revoke-an-approval-instance: without that template setting the call fails with internalError, or errcode 820008 ("审批系统错误").
  'TerminateProcessInstance:internalError': REVOKE_NOT_ALLOWED,
  'TerminateProcessInstance:820008': REVOKE_NOT_ALLOWED,
  'TerminateProcessInstance:aflowProcessInstStatusException':
    'DingTalk refused to revoke the approval: it is no longer running, or it was started less than 15 seconds ago. If it is still running, wait a minute and try again.',
  // approve-or-reject-the-approval-task
  'ExecuteProcessInstance:aflowProcessInstStatusException': 'The approval is no longer running, so its task cannot be approved or rejected.',
};

/** One sentence for the user, ending with DingTalk's own code and request id so support can trace it. */
export function describeProblem(problem: Problem): string {
  const where = problem.endpoint ? ` (${problem.endpoint.name})` : '';
  const trace = `[DingTalk ${problem.code}${problem.message ? `: ${problem.message}` : ''}${problem.requestId ? `, request id ${problem.requestId}` : ''}]`;
  switch (problem.kind) {
    case 'expired-token':
      return `The DingTalk access token expired or is invalid${where}; it will be refreshed. ${trace}`;
    case 'bad-credentials':
      return `DingTalk did not accept the Client ID (AppKey) and Client Secret (AppSecret). Copy both again from your app's Credentials & Basic Info page in ${CONSOLE}. ${trace}`;
    case 'missing-permission':
      return `The DingTalk app lacks the permission ${problem.permission ? `"${problem.permission}"` : 'this call needs'}${where}. In ${CONSOLE}, open your app → Permissions, search for ${problem.permission ?? 'the permission'} and apply for it, then try again. ${trace}`;
    case 'throttled':
      return `DingTalk is rate-limiting this app${where} (20 calls per second per API on the standard edition). Zapier will try again in ${problem.retryAfterSeconds ?? 1} seconds. ${trace}`;
    case 'quota-exhausted':
      return `Your DingTalk organisation has used up its monthly API quota (the free edition allows 5,000 calls a month across all of its apps). DingTalk refuses further calls until the quota resets next month. Upgrade the DingTalk edition, or save calls by turning off unused Zaps and raising "Ledger Freshness" on approval triggers. ${trace}`;
    case 'server':
      return `DingTalk had a server error (HTTP ${problem.status})${where}. Try again later. ${trace}`;
    case 'api': {
      const advice = (problem.endpoint && ENDPOINT_ADVICE[`${problem.endpoint.name}:${problem.code}`]) || ADVICE[problem.code];
      return advice ? `${advice} ${trace}` : `DingTalk ${problem.code}: ${problem.message || `HTTP ${problem.status}`}${where}${problem.requestId ? ` (request id ${problem.requestId})` : ''}`;
    }
  }
}
