import { getProcessInstance, listProcessInstanceIds } from '../dingtalk/workflow';
import { getUserIdByMobile } from '../dingtalk/contact';
import { api, failure, oapi, runWithClient } from './helpers';

const getInstance = () => runWithClient((t) => getProcessInstance(t, 'proc-1'));
const replyGet = (status: number, body: object, headers: Record<string, string> = {}) =>
  api().get('/v1.0/workflow/processInstances').query({ processInstanceId: 'proc-1' }).reply(status, body, headers);

describe('afterResponse turns DingTalk problems into Zapier errors', () => {
  test('missing permission → an error that names the permission to enable', async () => {
    replyGet(403, { code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied', message: '没有调用该接口的权限', requestid: 'R1' });
    await expect(getInstance()).rejects.toMatchObject({
      name: 'AppError',
      message: expect.stringContaining('lacks the permission \\"Workflow.Instance.Read\\"'),
    });
  });

  test('QPS throttling → ThrottledError with a delay, so Zapier retries later', async () => {
    replyGet(403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: '', requestid: 'R2' });
    const error = await failure(getInstance());
    expect(error).toMatchObject({ name: 'ThrottledError' });
    expect(JSON.parse(error.message)).toMatchObject({ delay: 2 });
  });

  test('429 is retried later with Retry-After as the delay', async () => {
    replyGet(429, { code: 'system.busy', message: '' }, { 'Retry-After': '30' });
    const error = await failure(getInstance());
    expect(error).toMatchObject({ name: 'ThrottledError' });
    expect(JSON.parse(error.message)).toMatchObject({ delay: 30 });
  });

  test('oapi throttling inside HTTP 200 (90018) is retried later too', async () => {
    oapi().post('/topapi/v2/user/getbymobile').query(true).reply(200, { errcode: 90018, errmsg: '' });
    await expect(runWithClient((t) => getUserIdByMobile(t, '+852-5555-0101'))).rejects.toMatchObject({ name: 'ThrottledError' });
  });

  test('monthly quota exhausted → a halt that explains the quota, not a retry', async () => {
    api()
      .post('/v1.0/workflow/processes/instanceIds/query')
      .reply(403, { code: 'Forbidden.AccessDenied.ApiCountLimitForOrg', message: '', requestid: 'R3' });
    const error = await failure(runWithClient((t) => listProcessInstanceIds(t, { processCode: 'PROC-1', startTime: 0 })));
    expect(error.name).toBe('HaltedError');
    expect(error.message).toMatch(/used up its API quota for .*resets on/);
  });

  test('anything else → an English sentence naming the call, then DingTalk\'s code, message and request id', async () => {
    replyGet(400, { code: 'brandNewCode', message: 'new failure', requestid: 'R4' });
    await expect(getInstance()).rejects.toMatchObject({
      name: 'AppError',
      message: expect.stringContaining('DingTalk refused the request (GetProcessInstance) with error brandNewCode. Check the values this step sends; DingTalk\'s reason is in brackets. [DingTalk brandNewCode: new failure, request id R4]'),
    });
  });

  test('a response that does not match its schema names the endpoint', async () => {
    replyGet(200, { result: { title: 'no status' } });
    await expect(getInstance()).rejects.toThrow(
      /DingTalk GetProcessInstance \(GET \/v1.0\/workflow\/processInstances\) returned a response this integration does not understand: result.status/,
    );
  });

  test('a "not found" code the client asked for is an empty answer, not an error', async () => {
    oapi().post('/topapi/v2/user/getbymobile').query(true).reply(200, { errcode: 60121, errmsg: '找不到该用户' });
    await expect(runWithClient((t) => getUserIdByMobile(t, '+852-5555-0101'))).resolves.toBeUndefined();
  });
});
