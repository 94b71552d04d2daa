/** oauth2_1_0 GetAccessToken: the one unauthenticated call, through both adapters. */
import nock from 'nock';
import { getAccessToken } from '../../dingtalk/auth';
import { DingTalkError } from '../../dingtalk/errors';
import { axiosTransport } from '../../dingtalk/axios-transport';
import { failure, runWithClient } from '../helpers';

const credentials = { appKey: 'dingtestappkey0001', appSecret: 'test-app-secret-0001' };
const PATH = '/v1.0/oauth2/accessToken';

interface Received {
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

/** The token call must carry no token of its own: not the header, not ?access_token=. */
function tokenCall(reply: nock.Body, status = 200): Received[] {
  const log: Received[] = [];
  nock('https://api.dingtalk.com')
    .post(PATH)
    .query(true)
    .reply(function (uri, body) {
      const url = new URL(uri, 'https://host.invalid');
      log.push({ query: Object.fromEntries(url.searchParams), headers: this.req.headers, body });
      return [status, reply];
    });
  return log;
}

describe('getAccessToken', () => {
  test('POSTs exactly {appKey, appSecret} without any token and returns only accessToken and expireIn', async () => {
    const received = tokenCall({ accessToken: 'fresh-token-0002', expireIn: 7200, somethingNew: 'ignored' });
    await expect(runWithClient((t) => getAccessToken(t, credentials))).resolves.toStrictEqual({ accessToken: 'fresh-token-0002', expireIn: 7200 });
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toStrictEqual(credentials);
    expect(received[0]!.query).toStrictEqual({});
    expect(received[0]!.headers['content-type']).toBe('application/json');
    expect(received[0]!.headers).not.toHaveProperty('x-acs-dingtalk-access-token');
  });

  test('the axios adapter sends the same request', async () => {
    const received = tokenCall({ accessToken: 'fresh-token-0003', expireIn: 7200 });
    const transport = axiosTransport(credentials);
    await expect(getAccessToken(transport, credentials)).resolves.toStrictEqual({ accessToken: 'fresh-token-0003', expireIn: 7200 });
    expect(received[0]!.body).toStrictEqual(credentials);
    expect(received[0]!.query).toStrictEqual({});
    expect(received[0]!.headers).not.toHaveProperty('x-acs-dingtalk-access-token');
  });

  test('wrong credentials are a bad-credentials problem', async () => {
    tokenCall({ code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret', requestid: 'R-fake-1' }, 400);
    const error = await failure(getAccessToken(axiosTransport(credentials), credentials));
    expect(error).toBeInstanceOf(DingTalkError);
    expect((error as DingTalkError).problem).toMatchObject({ kind: 'bad-credentials', status: 400, code: 'invalidClientIdOrSecret', requestId: 'R-fake-1' });
  });

  test.each([
    ['an empty token', { accessToken: '', expireIn: 7200 }, /accessToken/],
    ['a missing expiry', { accessToken: 'fresh-token-0004' }, /expireIn/],
  ])('%s is a schema error naming the endpoint', async (_name, body, field) => {
    tokenCall(body);
    const error = await failure(runWithClient((t) => getAccessToken(t, credentials)));
    expect(error.message).toMatch(/GetAccessToken \(POST \/v1.0\/oauth2\/accessToken\) returned a response this integration does not understand/);
    expect(error.message).toMatch(field);
  });
});
