/**
 * Every DingTalk endpoint this client calls, described once.
 *
 * Method and path come from the official SDK's `*WithOptions` methods (`@alicloud/dingtalk` 2.2.27) for
 * api.dingtalk.com, and from DingTalk's legacy docs for oapi.dingtalk.com (the SDK does not cover oapi).
 * `test/dingtalk/contract.test.ts` checks each entry against the SDK and fails for an entry it does not know.
 *
 * `metered` follows DingTalk's billing rule: token, login and contacts APIs are free; everything else
 * (workflow, work notifications) counts toward the org's monthly quota
 * (https://open.dingtalk.com/document/development/basic-interfaces-such-as-log-off-and-address-book).
 */
export type Host = 'api' | 'oapi';

/** Where a DingTalk app's credentials and permissions are managed. */
export const DEVELOPER_CONSOLE_URL = 'https://open-dev.dingtalk.com/fe/app';

export interface Endpoint {
  /** The SDK action name (api host) or the doc's name for a legacy call (oapi host). */
  readonly name: string;
  readonly host: Host;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** The permission to enable in the developer console; absent for the token call. */
  readonly permission?: string;
  readonly metered: boolean;
  /** False only for the token call itself. */
  readonly authenticated: boolean;
  /** The DingTalk doc page, https://open.dingtalk.com/document/development/<doc>. */
  readonly doc: string;
}

const api = (
  name: string,
  method: Endpoint['method'],
  path: string,
  permission: string,
  doc: string,
  metered = true,
): Endpoint => ({ name, host: 'api', method, path, permission, metered, authenticated: true, doc });

const oapi = (name: string, path: string, permission: string, doc: string, metered: boolean): Endpoint => ({
  name,
  host: 'oapi',
  method: 'POST',
  path,
  permission,
  metered,
  authenticated: true,
  doc,
});

export const endpoints = {
  GetAccessToken: {
    name: 'GetAccessToken',
    host: 'api',
    method: 'POST',
    path: '/v1.0/oauth2/accessToken',
    metered: false,
    authenticated: false,
    doc: 'obtain-the-access-token-of-an-internal-app',
  },

  // gateway_1_0 OpenConnection: registers a Stream connection and returns a WebSocket endpoint and a one-use ticket.
  // Anonymous in the SDK (no access token: the body carries the Client ID and Secret). DingTalk answers XML unless
  // the request says `Accept: application/json`, which withToken() sends on every call. Whether it is metered is
  // unknown (../shared/dingtalk-events.md §10.3 ⚠); like the token call it is treated as free.
  OpenConnection: {
    name: 'OpenConnection',
    host: 'api',
    method: 'POST',
    path: '/v1.0/gateway/connections/open',
    metered: false,
    authenticated: false,
    doc: 'develop-stream-mode-push-server',
  },

  StartProcessInstance: api('StartProcessInstance', 'POST', '/v1.0/workflow/processInstances', 'Workflow.Instance.Write', 'create-an-approval-instance'),
  GetProcessInstance: api('GetProcessInstance', 'GET', '/v1.0/workflow/processInstances', 'Workflow.Instance.Read', 'obtains-the-details-of-a-single-approval-instance-pop'),
  ListProcessInstanceIds: api('ListProcessInstanceIds', 'POST', '/v1.0/workflow/processes/instanceIds/query', 'Workflow.Instance.Read', 'obtain-an-approval-list-of-instance-ids'),
  AddProcessInstanceComment: api('AddProcessInstanceComment', 'POST', '/v1.0/workflow/processInstances/comments', 'Workflow.Instance.Write', 'official-approval-adds-approval-comments'),
  ExecuteProcessInstance: api('ExecuteProcessInstance', 'POST', '/v1.0/workflow/processInstances/execute', 'Workflow.Instance.Write', 'approve-or-reject-the-approval-task'),
  // Transfer (转交) a pending task; operateUserId must be the task's current approver (transfer-the-oa-approval-task).
  RedirectWorkflowTask: api('RedirectWorkflowTask', 'POST', '/v1.0/workflow/tasks/redirect', 'Workflow.Instance.Write', 'transfer-the-oa-approval-task'),
  TerminateProcessInstance: api('TerminateProcessInstance', 'POST', '/v1.0/workflow/processInstances/terminate', 'Workflow.Instance.Write', 'revoke-an-approval-instance'),
  QuerySchemaByProcessCode: api('QuerySchemaByProcessCode', 'GET', '/v1.0/workflow/forms/schemas/processCodes', 'Workflow.Form.Read', 'obtain-the-form-schema'),
  ListUserVisibleBpmsProcesses: api('ListUserVisibleBpmsProcesses', 'GET', '/v1.0/workflow/processes/userVisibilities/templates', 'Workflow.Form.Read', 'obtains-a-list-of-approval-forms-visible-to-the-specified'),
  GetProcessCodeByName: api('GetProcessCodeByName', 'GET', '/v1.0/workflow/processCentres/schemaNames/processCodes', 'Workflow.Form.Read', 'obtain-the-template-code'),
  GrantProcessInstanceForDownloadFile: api('GrantProcessInstanceForDownloadFile', 'POST', '/v1.0/workflow/processInstances/spaces/files/urls/download', 'Workflow.Instance.Write', 'download-an-approval-attachment'),
  ProcessForecast: api('ProcessForecast', 'POST', '/v1.0/workflow/processes/forecast', 'Workflow.Instance.Write', 'approval-process-prediction'),

  // SearchUser is not on DingTalk's list of quota-exempt contacts calls, so it counts.
  SearchUser: api('SearchUser', 'POST', '/v1.0/contact/users/search', 'qyapi_addresslist_search', 'address-book-search-user-id'),
  GetUserByMobile: oapi('GetUserByMobile', '/topapi/v2/user/getbymobile', 'qyapi_get_member_by_mobile', 'query-users-by-phone-number', false),
  GetUser: oapi('GetUser', '/topapi/v2/user/get', 'qyapi_get_member', 'query-user-details', false),
  // The doc page names qyapi_get_department_member (通讯录部门成员读权限), and lists the call as quota-free.
  ListDepartmentUsersSimple: oapi('ListDepartmentUsersSimple', '/topapi/user/listsimple', 'qyapi_get_department_member', 'queries-the-simple-information-of-a-department-user', false),
  ListSubDepartments: oapi('ListSubDepartments', '/topapi/v2/department/listsub', 'qyapi_get_department_list', 'user-management-acquires-the-list-departments', false),
  GetDepartment: oapi('GetDepartment', '/topapi/v2/department/get', 'qyapi_get_department_list', 'query-department-details0-v2', false),

  SendWorkNotification: oapi('SendWorkNotification', '/topapi/message/corpconversation/asyncsend_v2', 'qyapi_base', 'asynchronous-sending-of-enterprise-session-messages', true),
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof endpoints;

/** Finds the endpoint a response came from, so an error can name it and its permission. */
export function endpointFor(method: string | undefined, url: string): Endpoint | undefined {
  const { pathname } = new URL(url);
  const verb = (method ?? 'GET').toUpperCase();
  return Object.values(endpoints).find((endpoint) => endpoint.method === verb && pathname.endsWith(endpoint.path));
}
