/**
 * Turns a classified DingTalk problem into one sentence a user can act on.
 * Code-specific advice comes from each API's doc page (cited beside the codes).
 */
import type { Problem } from './errors';
import { monthName, quotaMonthOf, resetText } from '../quota/month';

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
  // Codes the workflow APIs give for a missing or malformed parameter (seen on the api host; the sandbox mirrors them).
  componentIsNull: 'DingTalk needs the form values to predict the approval flow. Fill in the form first.',
  aflowProcessGetFailed: 'DingTalk could not list the approval templates. Try again in a few minutes; if it keeps failing, check that the app has Workflow.Form.Read.',
  invalidFileId: 'The attachment has no file ID. Map the Attachment File ID from a DingTalk trigger or Find Approval.',
  invalidInstanceCommentText: 'The comment is empty. Fill in Comment.',
  invalidInstanceCommentUserId: 'The comment has no author. Pick the user who comments.',
  invalidInstanceExecuteActionerUserId: 'The decision has no approver. Pick the Approver.',
  invalidInstanceExecuteTaskId: 'The decision names no approval task. Map the Approval again from a trigger or Find Approval.',
  invalidInstanceId: 'The approval ID is empty. Map the Approval from a trigger or Find Approval.',
  invalidProcessInstanceId: 'The approval ID is empty. Map the Approval from a trigger or Find Approval.',
  invalidInstanceListIdsStartTime: 'The time window has no start, or starts more than 365 days ago.',
  invalidInstanceTerminateIsSystem: 'The revoke request does not say who revokes. Pick the Originator.',
  invalidInstanceTerminateOperatingUserId: 'The revoke request has no originator. Pick the Originator.',
  invalidProcessCode: 'No approval template was given. Pick the Template.',
  invalidUserId: 'The user ID is empty. Pick the user again.',
  invalidParameter: 'DingTalk refused one of the values this step sent (its reason is in brackets). Check the fields of this step.',
  'parameter.error': 'DingTalk refused the search (its reason is in brackets). Check the name searched for.',
  'process.error': 'The approval template does not exist, or it was deleted. Pick the template again.',
  internalError: 'DingTalk had an internal error handling this request. Check the approval in DingTalk, then try again; if it keeps failing, give DingTalk support the request id.',
  'AuthenticationFailed.MissingParameter': 'DingTalk received no access token. Reconnect the DingTalk account in Zapier.',
  // server-api-error-codes-1, and the pages of the oapi calls in endpoints.ts
  '40000': 'DingTalk received no access token. Reconnect the DingTalk account in Zapier.',
  '40035': 'DingTalk refused one of the values this step sent (its reason is in brackets). Check the fields of this step.',
  '40056': `The Agent ID is not this app's. Copy the AgentId from your app's Credentials & Basic Info page in ${CONSOLE}, enter it as the connection's Agent ID, and reconnect.`,
  '40068': 'The page offset is not valid.',
  '40069': 'The page size is not valid.',
  '40104': 'That mobile number is not valid in this DingTalk organisation.',
  '400002': 'DingTalk refused the work notification (its reason is in brackets). Check the recipients (at most 100 users and 20 departments) and the message (at most 2,048 bytes).',
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

/** The calls that change something in DingTalk: after a 5xx, the change may have been made anyway. */
const WRITES: Record<string, string> = {
  StartProcessInstance: "The approval may have been created anyway: check the originator's submitted approvals in DingTalk before trying again, or it may be submitted twice.",
  ExecuteProcessInstance: 'The decision may have been recorded anyway: check the approval in DingTalk before trying again.',
  TerminateProcessInstance: 'The approval may have been revoked anyway: check it in DingTalk before trying again.',
  AddProcessInstanceComment: 'The comment may have been added anyway: check the approval in DingTalk before trying again, or it may appear twice.',
  SendWorkNotification: 'The notification may have been sent anyway: check with a recipient before trying again, or it may arrive twice.',
};

function serverAdvice(problem: Problem, where: string): string {
  const write = problem.endpoint && WRITES[problem.endpoint.name];
  return `DingTalk had a server error (HTTP ${problem.status})${where}. ${write ?? 'Try again in a few minutes.'}`;
}

/**
 * DingTalk's 90020: the org's monthly quota is gone for every app. Which month, where to see this integration's
 * spend, when it resets (the quota month is China time, quota/month.ts) and what to do.
 */
function quotaExhausted(now: number): string {
  const month = quotaMonthOf(now);
  return (
    `Your DingTalk organisation has used up its API quota for ${monthName(month)}, counted across all of its apps (the free edition allows 5,000 calls a month). ` +
    `DingTalk refuses further calls until the quota resets on ${resetText(month)}, so Zapier stops this step rather than retry it. ` +
    'To see what this integration spent, use the "Find API Usage" search in a Zap (it reads no DingTalk quota); other apps of the organisation spend from the same quota. ' +
    'To get calls back now, upgrade the DingTalk edition (Professional allows 200,000 a month) and set it on the connection. ' +
    'To spend fewer next month, leave Refresh Interval on "Auto" and lower "Share for This Integration" on the connection.'
  );
}

/** One sentence for the user, ending with DingTalk's own code and request id so support can trace it. */
export function describeProblem(problem: Problem, now = Date.now()): string {
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
      return `${quotaExhausted(now)} ${trace}`;
    case 'server':
      return `${serverAdvice(problem, where)} ${trace}`;
    case 'api': {
      const advice = (problem.endpoint && ENDPOINT_ADVICE[`${problem.endpoint.name}:${problem.code}`]) || ADVICE[problem.code];
      // An unknown code still gets an English sentence; DingTalk's own message (often Chinese only) stays in the trace.
      return `${advice ?? `DingTalk refused the request${where} with error ${problem.code}. Check the values this step sends; DingTalk's reason is in brackets.`} ${trace}`;
    }
  }
}
