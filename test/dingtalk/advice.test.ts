/**
 * Every DingTalk error code the app can meet becomes English advice. "Can meet" is the codes DingTalk documents
 * for the endpoints in dingtalk/endpoints.ts (collected in ../shared/dingtalk-api.md) plus every code the local
 * sandbox answers with, read from its source, so a code added there without advice fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import App from '../../index';
import { describeProblem } from '../../dingtalk/advice';
import { endpoints } from '../../dingtalk/endpoints';
import { problemOf } from '../../dingtalk/errors';

const API = 'https://api.dingtalk.com';
const OAPI = 'https://oapi.dingtalk.com';
const CJK = /[\u3400-\u9fff]/;

/** Codes from dingtalk-api.md, by the endpoint that documents them. */
const DOCUMENTED: Partial<Record<keyof typeof endpoints, string[]>> = {
  GetAccessToken: ['invalidClientIdOrSecret'],
  StartProcessInstance: ['processCodeError', 'processInstanceInvalidParameter', 'targetSelectApproverMissing', 'formConverterError', 'illegalComponent', 'needAuth', 'autoflowLikeTriggerRateLimited'],
  QuerySchemaByProcessCode: ['formNotExist', 'noPermission', 'aflowProcessCodeIsError'],
  GetProcessInstance: ['processInstanceNotExist', 'processInstanceIdError', 'InvalidAuthentication', 'AuthenticationFailed.MissingParameter', 'Forbidden.AccessDenied.AccessTokenPermissionDenied', 'Forbidden.AccessDenied.QpsLimitForApi', 'Forbidden.AccessDenied.ApiCountLimitForOrg', 'system.busy'],
  ListProcessInstanceIds: ['invalidMaxResults', 'invalidEndTime', 'invalidUserIds', 'invalidNextToken'],
  ExecuteProcessInstance: ['aflowProcessInstCanNotBeExecuted', 'invalidInstanceExecuteResult', 'needAuth', 'aflowProcessInstStatusException'],
  TerminateProcessInstance: ['aflowProcessInstStatusException', 'internalError', '820008'],
  AddProcessInstanceComment: ['userNotExist', 'aflowProcessInstNotExist'],
  GetUserByMobile: ['40104', '60121'],
  GetUser: ['33012', '40014', '42001', '60011', '60020', '90018', '90002', '90020', '-1'],
  ListSubDepartments: ['60003'],
  SendWorkNotification: ['40056', '400002'],
};

/** Every code literal the sandbox answers with (sandbox/**.ts), with the endpoint-free form of the call. */
function sandboxCodes(): { code: string; host: 'api' | 'oapi' }[] {
  const root = join(__dirname, '..', '..', 'sandbox');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const found = new Map<string, 'api' | 'oapi'>();
  for (const file of files) {
    const source = readFileSync(join(root, file), 'utf8');
    for (const [, code] of source.matchAll(/(?:failApi\(|(?<!o)apiError\(\d+, |new FlowError\()'([^']+)'/g)) found.set(code!, 'api');
    for (const [, code] of source.matchAll(/(?:failOapi|oapiError)\((-?\d+)/g)) found.set(code!, 'oapi');
  }
  return [...found].map(([code, host]) => ({ code, host }));
}

function describe400(host: 'api' | 'oapi', code: string, endpoint?: (typeof endpoints)[keyof typeof endpoints]) {
  const url = (endpoint ? (endpoint.host === 'api' ? API : OAPI) + endpoint.path : host === 'api' ? `${API}/v1.0/x` : `${OAPI}/topapi/x`);
  const body = host === 'oapi' || endpoint?.host === 'oapi' ? { errcode: Number(code), errmsg: '中文错误信息' } : { code, message: '中文错误信息', requestid: 'R1' };
  const problem = problemOf({ url, method: endpoint?.method ?? 'POST', status: 400, body });
  return describeProblem(problem!);
}

/** The advice before DingTalk's own words in brackets, without the Chinese console labels it quotes in parentheses. */
const sentence = (message: string) => message.split(' [DingTalk')[0]!.replace(/\([^)]*\)/g, '');

test.each(Object.entries(DOCUMENTED).flatMap(([name, codes]) => codes!.map((code) => [name, code] as const)))('%s %s: English advice, not the fallback', (name, code) => {
  const endpoint = endpoints[name as keyof typeof endpoints];
  const message = describe400(endpoint.host, code, endpoint);
  expect(sentence(message)).not.toMatch(CJK);
  expect(message).not.toMatch(/refused the request .* with error/);
});

test.each(sandboxCodes())('sandbox code $code: English advice, not the fallback', ({ code, host }) => {
  const message = describe400(host, code);
  expect(sentence(message)).not.toMatch(CJK);
  expect(message).not.toMatch(/refused the request .* with error/);
});

test('40056 (the Agent ID) says where to find the right one', () => {
  const message = describe400('oapi', '40056', endpoints.SendWorkNotification);
  expect(message).toMatch(/^The Agent ID is not this app's\. Copy the AgentId from your app's Credentials & Basic Info page/);
  expect(message).toContain('[DingTalk 40056: 中文错误信息]');
});

test('the quota message names only things users can find: the search, the Auto choice and the connection field', () => {
  const problem = problemOf({ url: `${API}/v1.0/x`, status: 403, body: { code: 'Forbidden.AccessDenied.ApiCountLimitForOrg', message: '额度' } });
  const message = describeProblem(problem!);
  const named = [...message.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  const labels = Object.values(App.triggers ?? {}).flatMap((t) => ((t.operation as { inputFields?: { label?: string }[] }).inputFields ?? []).map((f) => f.label));
  expect(named).toEqual(['Find API Usage', 'Auto', 'Share for This Integration']);
  expect(Object.values(App.searches ?? {}).map((search) => search.display.label)).toContain('Find API Usage');
  const refresh = Object.values(App.triggers ?? {}).flatMap((t) => (t.operation as { inputFields?: { label?: string; choices?: Record<string, string> }[] }).inputFields ?? []).find((f) => f.label === 'Refresh Interval');
  expect(Object.values(refresh?.choices ?? {})).toContain('Auto (recommended)');
  expect(App.authentication!.fields!.map((f) => (f as { label?: string }).label)).toContain('Share for This Integration (%)');
  expect(labels).toContain('Refresh Interval');
  expect(message).toMatch(/until the quota resets on 1 \w+ \d{4}, 00:00 China time/);
  expect(message).toMatch(/upgrade the DingTalk edition/);
});
