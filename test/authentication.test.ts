import nock from 'nock';
import authentication, { fetchSession, testConnection } from '../authentication';
import { api, appTester, authData, meta, oapi, TOKEN } from './helpers';

const credentials = { appKey: authData.appKey, appSecret: authData.appSecret, agentId: authData.agentId };
const session = fetchSession;

describe('connection', () => {
  test('fetches the app token once, with the AppKey/AppSecret DingTalk expects', async () => {
    const scope = nock('https://api.dingtalk.com')
      .post('/v1.0/oauth2/accessToken', { appKey: authData.appKey, appSecret: authData.appSecret })
      .reply(200, { accessToken: 'fresh-token-0002', expireIn: 7200 });
    const before = Date.now();
    const result = await appTester(session, { authData: credentials, meta });
    expect(result.accessToken).toBe('fresh-token-0002');
    const expiresAt = Number(result.accessTokenExpiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 7200 * 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 7200 * 1000);
    expect(scope.isDone()).toBe(true);
  });

  test('wrong credentials say so in a sentence', async () => {
    nock('https://api.dingtalk.com')
      .post('/v1.0/oauth2/accessToken')
      .reply(400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret', requestid: 'R1' });
    await expect(appTester(session, { authData: credentials, meta })).rejects.toThrow(
      /did not accept the Client ID \(AppKey\) and Client Secret \(AppSecret\)/,
    );
  });

  test('a token response without a token names the endpoint', async () => {
    nock('https://api.dingtalk.com').post('/v1.0/oauth2/accessToken').reply(200, { expireIn: 7200 });
    await expect(appTester(session, { authData: credentials, meta })).rejects.toThrow(
      /DingTalk GetAccessToken \(POST \/v1.0\/oauth2\/accessToken\) returned a response this integration does not understand: accessToken/,
    );
  });

  test('the connection test reads the root department, free of quota, and labels the connection with its name', async () => {
    const scope = oapi()
      .post('/topapi/v2/department/get', { dept_id: 1, language: 'en_US' })
      .query({ access_token: TOKEN })
      .reply(200, { errcode: 0, errmsg: 'ok', result: { dept_id: 1, name: 'Harbour Trading Ltd' } });
    const result = await appTester(testConnection, { authData, meta });
    expect(result).toEqual({ organization_name: 'Harbour Trading Ltd', connection_label: 'Harbour Trading Ltd' });
    expect(authentication.connectionLabel).toBe('{{connection_label}}');
    expect(scope.isDone()).toBe(true);
  });

  test('the label falls back to the Client ID, never a secret', async () => {
    oapi().post('/topapi/v2/department/get').query(true).reply(200, { errcode: 0, result: { dept_id: 1, name: '' } });
    const result = await appTester(testConnection, { authData, meta });
    expect(result.connection_label).toBe(authData.appKey);
    expect(JSON.stringify(result)).not.toContain(authData.appSecret);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  test('a missing contacts permission at connect time names the permission', async () => {
    oapi().post('/topapi/v2/department/get').query(true).reply(200, { errcode: 60011, errmsg: '没有调用该接口的权限' });
    await expect(appTester(testConnection, { authData, meta })).rejects.toThrow(/qyapi_get_department_list/);
  });
});

describe('the budget fields', () => {
  test('bad values are refused by the connection test before any call, every problem at once', async () => {
    const fields = { ...authData, dingtalkEdition: 'custom', monthlyCallQuota: 'lots', quotaSharePercent: '150' };
    await expect(appTester(testConnection, { authData: fields, meta })).rejects.toThrow(
      /Please fix the connection: Monthly Call Quota must be a whole number .*; Share for This Integration \(%\) must be a whole number from 1 to 100\./,
    );
  });

  test('the connection offers edition, custom quota and share, with the safe default', () => {
    const keys = authentication.fields.map((field) => [field.key, 'default' in field ? field.default : undefined]);
    expect(keys).toEqual(expect.arrayContaining([['dingtalkEdition', 'free'], ['monthlyCallQuota', undefined], ['quotaSharePercent', '60']]));
  });
});

describe('token refresh', () => {
  const probe = async (z: any, bundle: any) => {
    const { zapierTransport } = await import('../zapier/transport');
    const { getProcessInstance } = await import('../dingtalk/workflow');
    return getProcessInstance(zapierTransport(z, bundle, 'other'), 'proc-1');
  };

  test('400 InvalidAuthentication on api.dingtalk.com asks Zapier to refresh the session', async () => {
    api().get('/v1.0/workflow/processInstances').query({ processInstanceId: 'proc-1' }).reply(400, {
      code: 'InvalidAuthentication',
      message: '不合法的access_token',
      requestid: 'R2',
    });
    await expect(appTester(probe, { authData, meta })).rejects.toMatchObject({ name: 'RefreshAuthError' });
  });

  test.each([40014, 42001, 88])('oapi errcode %s asks Zapier to refresh the session', async (errcode) => {
    oapi().post('/topapi/v2/user/get').query(true).reply(200, { errcode, errmsg: 'token' });
    const getUser = async (z: any, bundle: any) => {
      const { zapierTransport } = await import('../zapier/transport');
      const { getUser } = await import('../dingtalk/contact');
      return getUser(zapierTransport(z, bundle, 'other'), 'u1');
    };
    await expect(appTester(getUser, { authData, meta })).rejects.toMatchObject({ name: 'RefreshAuthError' });
  });

  test('a token that lives 60 s is not "about to expire" when issued: the margin scales with the lifetime', async () => {
    api().get('/v1.0/workflow/processInstances').query({ processInstanceId: 'proc-1' }).reply(200, { result: { status: 'RUNNING' } });
    const shortLived = { ...authData, accessTokenExpiresAt: String(Date.now() + 60 * 1000), accessTokenLifetimeSeconds: '60' };
    await expect(appTester(probe, { authData: shortLived, meta })).resolves.toMatchObject({ status: 'RUNNING' });
    // Within its last 6 s (a tenth) it is renewed before anything is sent.
    const ending = { ...shortLived, accessTokenExpiresAt: String(Date.now() + 5 * 1000) };
    await expect(appTester(probe, { authData: ending, meta })).rejects.toMatchObject({ name: 'RefreshAuthError' });
  });

  test('the session keeps the token lifetime DingTalk gave', async () => {
    nock('https://api.dingtalk.com').post('/v1.0/oauth2/accessToken').reply(200, { accessToken: 'short-token-0003', expireIn: 60 });
    const result = await appTester(session, { authData: credentials, meta });
    expect(result).toMatchObject({ accessToken: 'short-token-0003', accessTokenLifetimeSeconds: '60' });
  });

  test('a token about to expire is refreshed before any call is spent on it', async () => {
    const expiring = { ...authData, accessTokenExpiresAt: String(Date.now() + 60 * 1000) };
    // No nock scope: a request reaching the network would fail the test with a NetConnectNotAllowedError.
    await expect(appTester(probe, { authData: expiring, meta })).rejects.toMatchObject({ name: 'RefreshAuthError' });
  });
});
