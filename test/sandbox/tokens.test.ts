/**
 * Access tokens: issued and reused, extended by a repeat call, expired by time or on demand, refused with
 * DingTalk's codes on each host, and refreshed by the client's transport without the caller noticing.
 */
import { getAccessToken } from '../../dingtalk/auth';
import { getUser } from '../../dingtalk/contact';
import { listUserVisibleBpmsProcesses } from '../../dingtalk/workflow';
import { dingTalkError, people, raw, sandboxSuite, tokenFor } from './helpers';

const start = sandboxSuite();

test('a repeat call inside the window returns the same token and extends it', async () => {
  const { sandbox } = await start({ tokenTtlSeconds: 120 });
  const first = await tokenFor(sandbox);
  sandbox.org.advance(100_000);
  expect(await tokenFor(sandbox)).toBe(first);
  sandbox.org.advance(100_000); // 200 s after the first call, 100 s after the extension
  const { status } = await raw.post(`${sandbox.url}/topapi/v2/user/get?access_token=${first}`, { userid: people.chan });
  expect(status).toBe(200);
  sandbox.org.advance(21_000);
  expect((await raw.post(`${sandbox.url}/topapi/v2/user/get?access_token=${first}`, { userid: people.chan })).data).toMatchObject({ errcode: 88, sub_code: '42001' });
  expect(await tokenFor(sandbox)).not.toBe(first);
});

test('wrong credentials get invalidClientIdOrSecret', async () => {
  const { sandbox, transport } = await start();
  const error = await dingTalkError(getAccessToken(transport, { appKey: sandbox.credentials.appKey, appSecret: 'wrong' }));
  expect(error.problem).toMatchObject({ kind: 'bad-credentials', status: 400, code: 'invalidClientIdOrSecret' });
});

test('an expired token is refused, and the client fetches a new one once and carries on', async () => {
  const { sandbox, transport, sent } = await start({ tokenTtlSeconds: 300 });
  await listUserVisibleBpmsProcesses(transport);
  sandbox.org.advance(301_000);
  await expect(listUserVisibleBpmsProcesses(transport)).resolves.toMatchObject({ items: expect.any(Array) });
  sandbox.faults.expireTokens();
  await expect(getUser(transport, people.chan)).resolves.toMatchObject({ name: '陳嘉欣 Chan Ka Yan' });
  expect(sent.map((endpoint) => endpoint.name)).toEqual([
    'GetAccessToken',
    'ListUserVisibleBpmsProcesses',
    'ListUserVisibleBpmsProcesses', // refused: InvalidAuthentication
    'GetAccessToken',
    'ListUserVisibleBpmsProcesses',
    'GetUser', // refused: 88 / 42001
    'GetAccessToken',
    'GetUser',
  ]);
  // Refused calls are not counted; the three token calls are free.
  expect(sandbox.meter.byEndpoint).toEqual({ GetAccessToken: 3, ListUserVisibleBpmsProcesses: 2, GetUser: 1 });
});

test('each host answers a missing, unknown or expired token in its own dialect', async () => {
  const { sandbox } = await start();
  const api = `${sandbox.url}/v1.0/workflow/processInstances?processInstanceId=x`;
  const oapi = `${sandbox.url}/topapi/v2/user/get`;
  const token = await tokenFor(sandbox);

  expect((await raw.get(api)).data).toMatchObject({ code: 'AuthenticationFailed.MissingParameter' });
  expect((await raw.get(`${api}&access_token=${token}`)).status).toBe(400); // api.dingtalk.com ignores ?access_token=
  const unknown = await raw.get(api, { headers: { 'x-acs-dingtalk-access-token': 'not-a-token' } });
  expect([unknown.status, unknown.data.code, unknown.data.message]).toEqual([400, 'InvalidAuthentication', '不合法的access_token']);
  expect(unknown.data.requestid).toMatch(/^[0-9A-F-]{36}$/);

  const inHeader = await raw.post(oapi, { userid: people.chan }, { headers: { 'x-acs-dingtalk-access-token': token } });
  expect([inHeader.status, inHeader.data.errcode, inHeader.data.sub_code]).toEqual([200, 88, '40000']);
  expect((await raw.post(`${oapi}?access_token=nope`, { userid: people.chan })).data).toMatchObject({ errcode: 88, sub_code: '40014' });
  sandbox.faults.expireTokens();
  expect((await raw.post(`${oapi}?access_token=${token}`, { userid: people.chan })).data).toMatchObject({ errcode: 88, sub_code: '42001' });
  expect((await raw.get(api, { headers: { 'x-acs-dingtalk-access-token': token } })).data).toMatchObject({ code: 'InvalidAuthentication' });
});
