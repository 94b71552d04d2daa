/**
 * The connection's Relay URL: the check (https, except on loopback; every problem at once) and the connection
 * test, which with a Relay URL also asks the relay's /v1/me whether it answers and accepts this app.
 */
import nock from 'nock';
import { testConnection } from '../../authentication';
import authentication from '../../authentication';
import { checkRelayUrl } from '../../lib/relay-url';
import { appTester, authData, meta, oapi, TOKEN, userMessage as message } from '../helpers';

const BASIC = `Basic ${Buffer.from(`${authData.appKey}:${authData.appSecret}`).toString('base64')}`;
const rootDepartment = () =>
  oapi().post('/topapi/v2/department/get').query({ access_token: TOKEN }).reply(200, { errcode: 0, errmsg: 'ok', result: { dept_id: 1, name: 'Harbour Trading Ltd' } });

describe('checkRelayUrl', () => {
  test.each([
    ['https://relay.example.com', 'https://relay.example.com'],
    ['https://relay.example.com/', 'https://relay.example.com'],
    ['  https://example.com/dingtalk-relay/  ', 'https://example.com/dingtalk-relay'],
    ['http://127.0.0.1:8790', 'http://127.0.0.1:8790'],
    ['http://localhost:8790/', 'http://localhost:8790'],
    ['http://[::1]:8790', 'http://[::1]:8790'],
  ])('%s is accepted as %s', (value, baseUrl) => {
    expect(checkRelayUrl(value)).toEqual({ ok: true, baseUrl });
  });

  test('plain http off loopback, credentials and a query are all reported at once', () => {
    expect(checkRelayUrl('http://user:pw@relay.example.com/?token=1')).toEqual({
      ok: false,
      problems: [
        'Relay URL must start with https:// (plain http:// only for a relay on this machine\'s loopback), not "http"',
        'Relay URL must not contain a user name or password: the relay checks your Client ID and Client Secret instead',
        'Relay URL must not contain a query (?…) or fragment (#…): use the relay\'s base address',
      ],
    });
  });

  test('something that is not an address says so, quoting it', () => {
    expect(checkRelayUrl('relay.example.com')).toEqual({ ok: false, problems: ['Relay URL "relay.example.com" is not a web address: use the relay\'s base address, e.g. https://relay.example.com'] });
  });
});

describe('the connection', () => {
  test('offers an optional Relay URL whose help says what the relay is, who runs it, and where to read more', () => {
    const field = authentication.fields.find((f) => f.key === 'relayUrl');
    expect(field).toMatchObject({ label: 'Relay URL', required: false });
    expect(field!.helpText).toMatch(/your organisation or your DingTalk service partner runs/);
    expect(field!.helpText).toMatch(/README, section 8/);
    expect(field!.helpText).toMatch(/https:\/\//);
  });

  test('without a Relay URL the test asks DingTalk only', async () => {
    rootDepartment();
    await expect(appTester(testConnection, { authData, meta })).resolves.toEqual({ organization_name: 'Harbour Trading Ltd', connection_label: 'Harbour Trading Ltd' });
  });

  test('with a Relay URL it also checks that the relay answers and accepts this app, with the app\'s credentials', async () => {
    rootDepartment();
    const seen: (string | undefined)[] = [];
    nock('https://relay.example.test')
      .get('/base/v1/me')
      .reply(function () {
        seen.push(this.req.headers.authorization);
        return [200, { client_id: authData.appKey }];
      });
    const result = await appTester(testConnection, { authData: { ...authData, relayUrl: 'https://relay.example.test/base/' }, meta });
    expect(result).toEqual({ organization_name: 'Harbour Trading Ltd', connection_label: 'Harbour Trading Ltd', relay_host: 'relay.example.test' });
    expect(seen).toEqual([BASIC]);
  });

  test('a relay that refuses the credentials (401) fails the test with a sentence, not a session refresh', async () => {
    rootDepartment();
    nock('https://relay.example.test').get('/v1/me').reply(401, { error: 'DingTalk did not accept this Client ID and Client Secret. Copy both again from the app\'s Credentials page in the DingTalk developer console.' });
    expect(await message(appTester(testConnection, { authData: { ...authData, relayUrl: 'https://relay.example.test' }, meta }))).toBe(
      'The DingTalk event relay at relay.example.test refused the request: DingTalk did not accept this connection\'s Client ID and Client Secret when the relay checked them (HTTP 401). Copy both again from the app\'s Credentials page in the DingTalk developer console and reconnect.',
    );
  });

  test('an address that is not a relay (a 404 without the relay\'s error) is named as such', async () => {
    rootDepartment();
    nock('https://www.example.test').get('/v1/me').reply(404, '<html>Not Found</html>');
    expect(await message(appTester(testConnection, { authData: { ...authData, relayUrl: 'https://www.example.test' }, meta }))).toMatch(
      /^www.example.test answered 404: it does not look like a DingTalk event relay/,
    );
  });

  test('an invalid Relay URL fails the test before anything is sent to it', async () => {
    rootDepartment();
    expect(await message(appTester(testConnection, { authData: { ...authData, relayUrl: 'http://relay.example.test' }, meta }))).toMatch(/^Relay URL must start with https:\/\//);
  });

  test('a relay call is not a DingTalk call: a token about to expire is not refreshed for it', async () => {
    nock('https://relay.example.test').get('/v1/me').reply(200, { client_id: authData.appKey });
    // Expiring in one minute: any DingTalk call would first ask Zapier for a new session (RefreshAuthError).
    const expiring = { ...authData, relayUrl: 'https://relay.example.test', accessTokenExpiresAt: String(Date.now() + 60_000) };
    expect(await message(appTester(testConnection, { authData: expiring, meta }))).toMatch(/about to expire/);
    const { relayClient } = await import('../../zapier/relay-client');
    await expect(appTester(((z: never, bundle: never) => relayClient(z, bundle)!.me()) as never, { authData: expiring, meta } as never)).resolves.toEqual({ client_id: authData.appKey });
  });
});
