import { describeProblem } from '../../dingtalk/advice';
import { problemOf } from '../../dingtalk/errors';

const API = 'https://api.dingtalk.com/v1.0/workflow/processInstances?processInstanceId=p1';
const OAPI = 'https://oapi.dingtalk.com/topapi/v2/user/get?access_token=t';

describe('problemOf: success', () => {
  test.each([
    ['api 200', API, 200, { result: {} }],
    ['oapi errcode 0', OAPI, 200, { errcode: 0, errmsg: 'ok', result: {} }],
    ['a file download', 'https://download.example.com/f.pdf', 200, 'binary'],
  ])('%s is not a problem', (_name, url, status, body) => {
    expect(problemOf({ url, status, body })).toBeUndefined();
  });
});

describe('problemOf: expired or invalid token (refresh)', () => {
  test.each([
    ['api 400 InvalidAuthentication', API, 400, { code: 'InvalidAuthentication', message: '不合法的access_token', requestid: 'R1' }],
    ['oapi 40014', OAPI, 200, { errcode: 40014, errmsg: '不合法的access_token' }],
    ['oapi 42001', OAPI, 200, { errcode: 42001, errmsg: 'access_token超时' }],
    ['oapi 88 with sub_code 40014', OAPI, 200, { errcode: 88, sub_code: '40014', sub_msg: '不合法的access_token', errmsg: 'ding talk error' }],
    ['oapi 88 alone', OAPI, 200, { errcode: 88, errmsg: '鉴权异常' }],
  ])('%s', (_name, url, status, body) => {
    expect(problemOf({ url, status, body })?.kind).toBe('expired-token');
  });
});

describe('problemOf: wrong credentials', () => {
  test('the token call rejects the AppKey/AppSecret', () => {
    const problem = problemOf({
      url: 'https://api.dingtalk.com/v1.0/oauth2/accessToken',
      method: 'POST',
      status: 400,
      body: { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret', requestid: 'R2' },
    });
    expect(problem).toMatchObject({ kind: 'bad-credentials', code: 'invalidClientIdOrSecret', requestId: 'R2' });
    expect(describeProblem(problem!)).toMatch(/did not accept the Client ID \(AppKey\) and Client Secret/);
  });
});

describe('problemOf: missing permission', () => {
  test('api 403 names the scope DingTalk reports in accessdenieddetail', () => {
    const problem = problemOf({
      url: API,
      method: 'GET',
      status: 403,
      body: {
        code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
        message: '没有调用该接口的权限',
        requestid: 'R3',
        accessdenieddetail: { requiredScopes: ['Workflow.Instance.Read'] },
      },
    });
    expect(problem).toMatchObject({ kind: 'missing-permission', permission: 'Workflow.Instance.Read' });
    expect(describeProblem(problem!)).toMatch(/lacks the permission "Workflow.Instance.Read" \(GetProcessInstance\).*Permissions/);
  });

  test('api 403 names the scope from the message when there is no detail', () => {
    const problem = problemOf({
      url: 'https://api.dingtalk.com/v1.0/contact/users/search',
      method: 'POST',
      status: 403,
      body: { code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied', message: '应用尚未开通所需的权限：[Contact.User.Read]' },
    });
    expect(problem?.permission).toBe('Contact.User.Read');
  });

  test('oapi 60011 falls back to the endpoint table', () => {
    const problem = problemOf({ url: OAPI, method: 'POST', status: 200, body: { errcode: 60011, errmsg: '没有调用该接口的权限' } });
    expect(problem).toMatchObject({ kind: 'missing-permission', permission: 'qyapi_get_member' });
  });

  test('oapi 88 with sub_code 60011 is a permission problem too', () => {
    const problem = problemOf({ url: OAPI, status: 200, body: { errcode: 88, sub_code: '60011', sub_msg: '没有调用该接口的权限' } });
    expect(problem).toMatchObject({ kind: 'missing-permission', code: '60011' });
  });
});

describe('problemOf: throttling (retry later)', () => {
  test.each([
    ['per-app QPS', API, 403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: '' }, 2],
    ['global QPS', API, 403, { code: 'Forbidden.AccessDenied.QpsLimitForApi', message: '' }, 2],
    ['per-minute limit', API, 403, { code: 'Forbidden.AccessDenied.QpmLimitForAppkeyAndApi', message: '' }, 60],
    ['429 system.busy', API, 429, { code: 'system.busy', message: '' }, 2],
    ['oapi 90018', OAPI, 200, { errcode: 90018, errmsg: '' }, 2],
    ['oapi 90002', OAPI, 200, { errcode: 90002, errmsg: '' }, 2],
    ['oapi 90001', OAPI, 200, { errcode: 90001, errmsg: '' }, 2],
    ['oapi -1 busy', OAPI, 200, { errcode: -1, errmsg: '系统繁忙' }, 2],
  ])('%s', (_name, url, status, body, delay) => {
    expect(problemOf({ url, status, body })).toMatchObject({ kind: 'throttled', retryAfterSeconds: delay });
  });

  test('Retry-After wins over the default delay', () => {
    expect(problemOf({ url: API, status: 429, body: { code: 'system.busy' }, retryAfter: '17' })?.retryAfterSeconds).toBe(17);
  });
});

describe('problemOf: monthly quota exhausted (halt)', () => {
  test.each([
    ['api', API, 403, { code: 'Forbidden.AccessDenied.ApiCountLimitForOrg', message: '' }],
    ['oapi 90020', OAPI, 200, { errcode: 90020, errmsg: '' }],
  ])('%s', (_name, url, status, body) => {
    const problem = problemOf({ url, status, body });
    expect(problem?.kind).toBe('quota-exhausted');
    expect(describeProblem(problem!)).toMatch(/API quota for .*5,000 calls a month/);
  });
});

test('the quota halt names the month in China time, where to see the spend and when it resets', () => {
  const problem = problemOf({ url: OAPI, status: 200, body: { errcode: 90020, errmsg: '' } })!;
  // 18:00 UTC on 30 November is already 1 December in China.
  expect(describeProblem(problem, Date.parse('2026-11-30T18:00:00Z'))).toMatch(
    /^Your DingTalk organisation has used up its API quota for December 2026, counted across all of its apps .* resets on 1 January 2027, 00:00 China time.*"Find API Usage" search/,
  );
});

describe('problemOf: everything else', () => {
  test('a known workflow code gets advice plus the trace', () => {
    const problem = problemOf({ url: API, status: 400, body: { code: 'processInstanceNotExist', message: '实例不存在', requestid: 'R9' } });
    expect(problem?.kind).toBe('api');
    expect(describeProblem(problem!)).toBe(
      'The approval does not exist, or it was deleted. [DingTalk processInstanceNotExist: 实例不存在, request id R9]',
    );
  });

  test('an unknown code with a Chinese-only message still opens with an English sentence that names the call', () => {
    const problem = problemOf({ url: API, method: 'GET', status: 400, body: { code: 'somethingNew', message: '未知错误', requestid: 'R10' } });
    expect(describeProblem(problem!)).toBe(
      "DingTalk refused the request (GetProcessInstance) with error somethingNew. Check the values this step sends; DingTalk's reason is in brackets. [DingTalk somethingNew: 未知错误, request id R10]",
    );
  });

  test('a 5xx with an HTML page is a server problem, and the page is never echoed', () => {
    const problem = problemOf({ url: API, status: 502, body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>' });
    expect(problem).toMatchObject({ kind: 'server', code: 'HTTP 502', message: '' });
    expect(describeProblem(problem!)).toBe('DingTalk had a server error (HTTP 502) (GetProcessInstance). Try again in a few minutes. [DingTalk HTTP 502]');
  });

  test('a 5xx on Start Approval says to check whether the approval was created before trying again', () => {
    const problem = problemOf({ url: `${API.split('/v1.0')[0]}/v1.0/workflow/processInstances`, method: 'POST', status: 500, body: { code: 'ServiceUnavailable', message: '服务不可用', requestid: 'R11' } });
    expect(describeProblem(problem!)).toBe(
      "DingTalk had a server error (HTTP 500) (StartProcessInstance). The approval may have been created anyway: check the originator's submitted approvals in DingTalk before trying again, or it may be submitted twice. [DingTalk ServiceUnavailable: 服务不可用, request id R11]",
    );
  });

  test("the IP ban page's JSON form is throttling for the minutes it names", () => {
    const problem = problemOf({ url: API, status: 200, body: { status: 1111, wait: 5, punish: 'deny' } });
    expect(problem).toMatchObject({ kind: 'throttled', code: '1111', retryAfterSeconds: 300 });
  });

  test('no message ever says "Something went wrong"', () => {
    const bodies = [{ code: 'x' }, { errcode: 123 }, {}, 'text'];
    for (const body of bodies) {
      const problem = problemOf({ url: API, status: 400, body });
      expect(describeProblem(problem!)).not.toMatch(/something went wrong/i);
    }
  });
});
