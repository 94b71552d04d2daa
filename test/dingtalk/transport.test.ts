/**
 * The axios adapter used outside Zapier: token caching and refresh, errors as DingTalkError, the onRequest
 * hook, and the base-URL overrides. axios goes through Node's http module, so nock answers it.
 */
import nock from 'nock';
import { getUser, getUserIdByMobile, searchUser } from '../../dingtalk/contact';
import { endpoints, type Endpoint } from '../../dingtalk/endpoints';
import { DingTalkError } from '../../dingtalk/errors';
import { sendWorkNotification } from '../../dingtalk/message';
import { axiosTransport } from '../../dingtalk/axios-transport';
import { baseUrl, urlOf } from '../../dingtalk/transport';
import { getProcessInstance, listProcessInstanceIds, listUserVisibleBpmsProcesses } from '../../dingtalk/workflow';
import { failure, runWithClient } from '../helpers';
import running from '../fixtures/get-process-instance-running.json';
import templatesPage2 from '../fixtures/list-templates-page2.json';

const credentials = { appKey: 'dingtestappkey0001', appSecret: 'test-app-secret-0001' };
const API = 'https://api.dingtalk.com';
const OAPI = 'https://oapi.dingtalk.com';
const user = { errcode: 0, errmsg: 'ok', result: { userid: 'user-lee-0002', name: '李偉文 Lee Wai Man' } };

/** Answers token calls with the given tokens in turn and counts them. */
function tokenServer(tokens: string[], host = API, expireIn = 7200) {
  const issued: string[] = [];
  nock(host)
    .post('/v1.0/oauth2/accessToken', credentials)
    .times(tokens.length)
    .reply(function () {
      const token = tokens[issued.length]!;
      issued.push(token);
      // The token call itself must not carry a token.
      expect(this.req.headers).not.toHaveProperty('x-acs-dingtalk-access-token');
      return [200, { accessToken: token, expireIn }];
    });
  return issued;
}

/** Makes the DingTalk error a call rejects with available for assertions. */
async function dingTalkError(promise: Promise<unknown>): Promise<DingTalkError> {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(DingTalkError);
  return error as DingTalkError;
}

afterEach(() => jest.restoreAllMocks());

describe('token handling', () => {
  test('fetches the token once and reuses it: header on api.dingtalk.com, ?access_token= on oapi', async () => {
    const issued = tokenServer(['axios-token-0001']);
    nock(API)
      .get('/v1.0/workflow/processInstances')
      .query({ processInstanceId: 'pi-fake-expense-0002' })
      .matchHeader('x-acs-dingtalk-access-token', 'axios-token-0001')
      .reply(200, running);
    nock(OAPI, { badheaders: ['x-acs-dingtalk-access-token'] })
      .post('/topapi/v2/user/get', { userid: 'user-lee-0002', language: 'en_US' })
      .query({ access_token: 'axios-token-0001' })
      .reply(200, user);
    nock(API)
      .get('/v1.0/workflow/processes/userVisibilities/templates')
      .query({ maxResults: '100', nextToken: '0' })
      .matchHeader('x-acs-dingtalk-access-token', 'axios-token-0001')
      .reply(200, templatesPage2);

    const transport = axiosTransport(credentials);
    await expect(getProcessInstance(transport, 'pi-fake-expense-0002')).resolves.toMatchObject({ status: 'RUNNING' });
    await expect(getUser(transport, 'user-lee-0002')).resolves.toEqual(user.result);
    await expect(listUserVisibleBpmsProcesses(transport)).resolves.toMatchObject({ items: [{ processCode: 'PROC-FAKE-OVERTIME-0005' }, {}] });
    expect(issued).toEqual(['axios-token-0001']);
  });

  test('each transport has its own token cache', async () => {
    const issued = tokenServer(['axios-token-0001', 'axios-token-0002']);
    nock(OAPI).post('/topapi/v2/user/get').query({ access_token: 'axios-token-0001' }).reply(200, user);
    nock(OAPI).post('/topapi/v2/user/get').query({ access_token: 'axios-token-0002' }).reply(200, user);
    await getUser(axiosTransport(credentials), 'user-lee-0002');
    await getUser(axiosTransport(credentials), 'user-lee-0002');
    expect(issued).toEqual(['axios-token-0001', 'axios-token-0002']);
  });

  test('a token within a minute of its expiry is replaced before the next call', async () => {
    const issued = tokenServer(['axios-token-0001', 'axios-token-0002']);
    nock(OAPI).post('/topapi/v2/user/get').query({ access_token: 'axios-token-0001' }).times(2).reply(200, user);
    nock(OAPI).post('/topapi/v2/user/get').query({ access_token: 'axios-token-0002' }).reply(200, user);
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
    const transport = axiosTransport(credentials);
    await getUser(transport, 'user-lee-0002');
    clock.mockReturnValue(start + (7200 - 61) * 1000);
    await getUser(transport, 'user-lee-0002');
    expect(issued).toEqual(['axios-token-0001']);
    clock.mockReturnValue(start + (7200 - 59) * 1000);
    await getUser(transport, 'user-lee-0002');
    expect(issued).toEqual(['axios-token-0001', 'axios-token-0002']);
  });

  test('a 60-second token is reused, not replaced on every call; its margin is a tenth of its life', async () => {
    const issued = tokenServer(['axios-token-0001', 'axios-token-0002'], API, 60);
    nock(OAPI).post('/topapi/v2/user/get').query({ access_token: 'axios-token-0001' }).times(2).reply(200, user);
    nock(OAPI).post('/topapi/v2/user/get').query({ access_token: 'axios-token-0002' }).reply(200, user);
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
    const transport = axiosTransport(credentials);
    await getUser(transport, 'user-lee-0002');
    clock.mockReturnValue(start + 53 * 1000);
    await getUser(transport, 'user-lee-0002');
    expect(issued).toEqual(['axios-token-0001']);
    clock.mockReturnValue(start + 55 * 1000);
    await getUser(transport, 'user-lee-0002');
    expect(issued).toEqual(['axios-token-0001', 'axios-token-0002']);
  });

  test('400 InvalidAuthentication: fetches a new token once and retries with it', async () => {
    const issued = tokenServer(['axios-token-0001', 'axios-token-0002']);
    const path = '/v1.0/workflow/processInstances';
    nock(API)
      .get(path)
      .query({ processInstanceId: 'pi-fake-expense-0002' })
      .matchHeader('x-acs-dingtalk-access-token', 'axios-token-0001')
      .reply(400, { code: 'InvalidAuthentication', message: '不合法的access_token', requestid: 'R-fake-2' });
    nock(API)
      .get(path)
      .query({ processInstanceId: 'pi-fake-expense-0002' })
      .matchHeader('x-acs-dingtalk-access-token', 'axios-token-0002')
      .times(2)
      .reply(200, running);
    const transport = axiosTransport(credentials);
    await expect(getProcessInstance(transport, 'pi-fake-expense-0002')).resolves.toMatchObject({ status: 'RUNNING' });
    // The new token is kept for later calls.
    await expect(getProcessInstance(transport, 'pi-fake-expense-0002')).resolves.toMatchObject({ status: 'RUNNING' });
    expect(issued).toEqual(['axios-token-0001', 'axios-token-0002']);
  });

  test('oapi errcode 40014 inside HTTP 200 refreshes the same way', async () => {
    const issued = tokenServer(['axios-token-0001', 'axios-token-0002']);
    nock(OAPI).post('/topapi/v2/user/get').query({ access_token: 'axios-token-0001' }).reply(200, { errcode: 40014, errmsg: '不合法的access_token' });
    nock(OAPI).post('/topapi/v2/user/get').query({ access_token: 'axios-token-0002' }).reply(200, user);
    await expect(getUser(axiosTransport(credentials), 'user-lee-0002')).resolves.toEqual(user.result);
    expect(issued).toEqual(['axios-token-0001', 'axios-token-0002']);
  });

  test('refreshes only once: a second InvalidAuthentication is thrown as expired-token', async () => {
    const issued = tokenServer(['axios-token-0001', 'axios-token-0002']);
    nock(API)
      .get('/v1.0/workflow/processInstances')
      .query(true)
      .times(2)
      .reply(400, { code: 'InvalidAuthentication', message: '不合法的access_token', requestid: 'R-fake-3' });
    const error = await dingTalkError(getProcessInstance(axiosTransport(credentials), 'pi-fake-expense-0002'));
    expect(error.problem).toMatchObject({ kind: 'expired-token', status: 400, code: 'InvalidAuthentication', requestId: 'R-fake-3' });
    expect(issued).toEqual(['axios-token-0001', 'axios-token-0002']);
  });

  test('wrong credentials fail at the token call, before any API call is spent', async () => {
    nock(API).post('/v1.0/oauth2/accessToken').reply(400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' });
    const error = await dingTalkError(getProcessInstance(axiosTransport(credentials), 'pi-fake-expense-0002'));
    expect(error.problem).toMatchObject({ kind: 'bad-credentials', endpoint: endpoints.GetAccessToken });
    expect(error.message).toMatch(/did not accept the Client ID \(AppKey\) and Client Secret \(AppSecret\)/);
  });
});

describe('errors become DingTalkError with a classified problem, and are not retried', () => {
  const params = { processCode: 'PROC-FAKE-EXPENSE-0001', startTime: 1792800000000 };
  const listIds = () => nock(API).post('/v1.0/workflow/processes/instanceIds/query');

  test('missing permission names the permission to enable', async () => {
    tokenServer(['axios-token-0001']);
    listIds().reply(403, { code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied', message: '没有调用该接口的权限', requestid: 'R-fake-4' });
    const error = await dingTalkError(listProcessInstanceIds(axiosTransport(credentials), params));
    expect(error.name).toBe('DingTalkError');
    expect(error.problem).toMatchObject({
      kind: 'missing-permission',
      status: 403,
      permission: 'Workflow.Instance.Read',
      endpoint: endpoints.ListProcessInstanceIds,
      requestId: 'R-fake-4',
    });
    expect(error.message).toContain('lacks the permission "Workflow.Instance.Read" (ListProcessInstanceIds)');
  });

  test('throttling carries the Retry-After delay', async () => {
    tokenServer(['axios-token-0001']);
    listIds().reply(429, { code: 'system.busy', message: '' }, { 'Retry-After': '7' });
    const error = await dingTalkError(listProcessInstanceIds(axiosTransport(credentials), params));
    expect(error.problem).toMatchObject({ kind: 'throttled', status: 429, retryAfterSeconds: 7 });
  });

  test('a per-second limit without Retry-After waits the default 2 s; oapi 90018 is throttling too', async () => {
    tokenServer(['axios-token-0001']);
    listIds().reply(403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: '' });
    nock(OAPI).post('/topapi/v2/user/get').query(true).reply(200, { errcode: 90018, errmsg: '' });
    const transport = axiosTransport(credentials);
    expect((await dingTalkError(listProcessInstanceIds(transport, params))).problem).toMatchObject({ kind: 'throttled', retryAfterSeconds: 2 });
    expect((await dingTalkError(getUser(transport, 'u1'))).problem).toMatchObject({ kind: 'throttled', code: '90018' });
  });

  test('the monthly quota is quota-exhausted on both hosts', async () => {
    tokenServer(['axios-token-0001']);
    listIds().reply(403, { code: 'Forbidden.AccessDenied.ApiCountLimitForOrg', message: '' });
    nock(OAPI).post('/topapi/message/corpconversation/asyncsend_v2').query(true).reply(200, { errcode: 90020, errmsg: '' });
    const transport = axiosTransport(credentials);
    const api = await dingTalkError(listProcessInstanceIds(transport, params));
    const oapi = await dingTalkError(sendWorkNotification(transport, { agentId: 3000000001, userIds: ['u1'], msg: { msgtype: 'text', text: { content: 'x' } } }));
    expect(api.problem).toMatchObject({ kind: 'quota-exhausted', code: 'Forbidden.AccessDenied.ApiCountLimitForOrg' });
    expect(oapi.problem).toMatchObject({ kind: 'quota-exhausted', code: '90020', endpoint: endpoints.SendWorkNotification });
    expect(oapi.message).toMatch(/used up its API quota for .*resets on/);
  });

  test('a "not found" code the call expects is an answer, not an error (getUserIdByMobile 60121)', async () => {
    tokenServer(['axios-token-0001']);
    nock(OAPI).post('/topapi/v2/user/getbymobile', { mobile: '+852-55559999' }).query({ access_token: 'axios-token-0001' }).reply(200, { errcode: 60121, errmsg: '找不到该用户' });
    await expect(getUserIdByMobile(axiosTransport(credentials), '+852-55559999')).resolves.toBeUndefined();
  });
});

describe('onRequest', () => {
  test('sees every endpoint, the token call included, so it can count metered calls', async () => {
    tokenServer(['axios-token-0001']);
    nock(API).get('/v1.0/workflow/processInstances').query(true).reply(200, running);
    nock(API).post('/v1.0/workflow/processes/instanceIds/query').reply(200, { result: { list: [] } });
    nock(API).post('/v1.0/contact/users/search').reply(200, { hasMore: false, list: [] });
    nock(OAPI).post('/topapi/v2/user/getbymobile').query(true).reply(200, { errcode: 0, result: { userid: 'u1' } });
    nock(OAPI).post('/topapi/message/corpconversation/asyncsend_v2').query(true).reply(200, { errcode: 0, task_id: 1 });
    const seen: Endpoint[] = [];
    const transport = axiosTransport({ ...credentials, onRequest: (endpoint) => seen.push(endpoint) });

    await getProcessInstance(transport, 'pi-fake-expense-0002');
    await listProcessInstanceIds(transport, { processCode: 'PROC-FAKE-EXPENSE-0001', startTime: 1792800000000 });
    await searchUser(transport, { queryWord: 'Chan' });
    await getUserIdByMobile(transport, '+852-55550101');
    await sendWorkNotification(transport, { agentId: 3000000001, userIds: ['u1'], msg: { msgtype: 'text', text: { content: 'x' } } });

    expect(seen.map((endpoint) => endpoint.name)).toEqual([
      'GetAccessToken',
      'GetProcessInstance',
      'ListProcessInstanceIds',
      'SearchUser',
      'GetUserByMobile',
      'SendWorkNotification',
    ]);
    // Token and contacts lookups are free; SearchUser is not on DingTalk's exempt list, so it counts.
    expect(seen.filter((endpoint) => endpoint.metered).map((endpoint) => endpoint.name)).toEqual([
      'GetProcessInstance',
      'ListProcessInstanceIds',
      'SearchUser',
      'SendWorkNotification',
    ]);
  });

  test('a refreshed call is seen twice, once per request actually sent', async () => {
    tokenServer(['axios-token-0001', 'axios-token-0002']);
    nock(API).get('/v1.0/workflow/processInstances').query(true).reply(400, { code: 'InvalidAuthentication', message: '' });
    nock(API).get('/v1.0/workflow/processInstances').query(true).reply(200, running);
    const seen: string[] = [];
    await getProcessInstance(axiosTransport({ ...credentials, onRequest: (endpoint) => seen.push(endpoint.name) }), 'pi-fake-expense-0002');
    expect(seen).toEqual(['GetAccessToken', 'GetProcessInstance', 'GetAccessToken', 'GetProcessInstance']);
  });
});

describe('base URL overrides', () => {
  const saved = { api: process.env.DINGTALK_API_BASE_URL, oapi: process.env.DINGTALK_OAPI_BASE_URL };
  afterEach(() => {
    for (const [key, value] of [
      ['DINGTALK_API_BASE_URL', saved.api],
      ['DINGTALK_OAPI_BASE_URL', saved.oapi],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  test('default to the production hosts', () => {
    expect(baseUrl('api')).toBe('https://api.dingtalk.com');
    expect(baseUrl('oapi')).toBe('https://oapi.dingtalk.com');
    expect(urlOf(endpoints.GetProcessInstance)).toBe('https://api.dingtalk.com/v1.0/workflow/processInstances');
    expect(urlOf(endpoints.GetUser)).toBe('https://oapi.dingtalk.com/topapi/v2/user/get');
  });

  test('DINGTALK_API_BASE_URL / DINGTALK_OAPI_BASE_URL redirect every call, token call included; trailing slashes are dropped', async () => {
    process.env.DINGTALK_API_BASE_URL = 'http://localhost:4010/';
    process.env.DINGTALK_OAPI_BASE_URL = 'http://localhost:4011//';
    expect(baseUrl('api')).toBe('http://localhost:4010');
    expect(urlOf(endpoints.SendWorkNotification)).toBe('http://localhost:4011/topapi/message/corpconversation/asyncsend_v2');

    const issued = tokenServer(['stub-token-0001'], 'http://localhost:4010');
    nock('http://localhost:4010')
      .get('/v1.0/workflow/processInstances')
      .query({ processInstanceId: 'pi-fake-expense-0002' })
      .matchHeader('x-acs-dingtalk-access-token', 'stub-token-0001')
      .reply(200, running);
    nock('http://localhost:4011').post('/topapi/v2/user/get').query({ access_token: 'stub-token-0001' }).reply(200, user);

    const transport = axiosTransport(credentials);
    await expect(getProcessInstance(transport, 'pi-fake-expense-0002')).resolves.toMatchObject({ status: 'RUNNING' });
    await expect(getUser(transport, 'user-lee-0002')).resolves.toEqual(user.result);
    expect(issued).toEqual(['stub-token-0001']);
  });

  test('the Zapier adapter honours the override too', async () => {
    process.env.DINGTALK_OAPI_BASE_URL = 'http://localhost:4011';
    nock('http://localhost:4011').post('/topapi/v2/user/get').query(true).reply(200, user);
    await expect(runWithClient((t) => getUser(t, 'user-lee-0002'))).resolves.toEqual(user.result);
  });

  test('an empty override falls back to production', () => {
    process.env.DINGTALK_API_BASE_URL = '';
    expect(baseUrl('api')).toBe('https://api.dingtalk.com');
  });
});
