import { join } from 'node:path';
import { readConfig } from '../../relay/config';

const KEY = 'k'.repeat(32);

test('with nothing set, the relay runs on loopback with SQLite and a generated key beside the database', () => {
  expect(readConfig({}, '/srv/relay')).toEqual({
    ok: true,
    warnings: [],
    config: {
      host: '127.0.0.1', port: 8790, loopback: true, databaseUrl: 'sqlite:/srv/relay/relay-data/relay.db',
      masterKey: { file: '/srv/relay/relay-data/master.key' }, allowedClientIds: '*', retentionDays: 35, pushQuota: 3000,
      statusToken: undefined, dingtalkApiBaseUrl: undefined,
    },
  });
});

test('every setting is read, and Postgres keeps a generated key in ./relay-data', () => {
  const result = readConfig({
    RELAY_HOST: 'localhost', RELAY_PORT: '0', RELAY_DATABASE_URL: 'postgres://relay:pw@db/relay', RELAY_ALLOWED_CLIENT_IDS: ' dingA , dingB,',
    RELAY_RETENTION_DAYS: '90', RELAY_STATUS_TOKEN: 's'.repeat(16), DINGTALK_API_BASE_URL: 'http://127.0.0.1:8787',
  }, '/srv/relay');
  expect(result).toMatchObject({ ok: true, config: { host: 'localhost', port: 0, databaseUrl: 'postgres://relay:pw@db/relay', masterKey: { file: join('/srv/relay/relay-data', 'master.key') }, allowedClientIds: ['dingA', 'dingB'], retentionDays: 90, dingtalkApiBaseUrl: 'http://127.0.0.1:8787' } });
});

test('off loopback, a master key and an allow-list are required, and every problem is listed at once', () => {
  const result = readConfig({ RELAY_HOST: '0.0.0.0', RELAY_PORT: 'eighty', RELAY_RETENTION_DAYS: '7', RELAY_DATABASE_URL: 'mysql://x', RELAY_STATUS_TOKEN: 'short', DINGTALK_API_BASE_URL: 'api.dingtalk.com' }, '/srv');
  expect(result.ok).toBe(false);
  expect(!result.ok && result.problems).toEqual([
    'RELAY_PORT must be a port number from 0 to 65535 (0 picks a free port); it is "eighty".',
    'RELAY_DATABASE_URL must be postgres://… (PostgreSQL) or sqlite:<file> (embedded); other databases are not supported.',
    'RELAY_MASTER_KEY is required when RELAY_HOST (0.0.0.0) is not loopback: it encrypts the DingTalk secrets the relay stores. Generate one with: openssl rand -base64 32, and keep a copy.',
    'RELAY_ALLOWED_CLIENT_IDS is required when RELAY_HOST (0.0.0.0) is not loopback: list the DingTalk Client IDs this relay may serve, comma-separated.',
    'RELAY_RETENTION_DAYS must be a whole number of days, at least 8 (stored events are how duplicates are recognised); it is "7".',
    'RELAY_STATUS_TOKEN must be at least 16 characters; generate one with: openssl rand -hex 16',
    'DINGTALK_API_BASE_URL must be an http(s) URL such as https://api.dingtalk.com; it is "api.dingtalk.com".',
  ]);
});

test('* is refused off loopback; a short master key and odd Client IDs are refused anywhere', () => {
  const result = readConfig({ RELAY_HOST: '10.0.0.5', RELAY_MASTER_KEY: 'short', RELAY_ALLOWED_CLIENT_IDS: '*' });
  expect(!result.ok && result.problems).toEqual([
    'RELAY_MASTER_KEY must be at least 32 characters; generate one with: openssl rand -base64 32',
    'RELAY_ALLOWED_CLIENT_IDS=* is allowed only on loopback: a relay reachable from other machines must list the Client IDs it serves.',
  ]);
  const odd = readConfig({ RELAY_ALLOWED_CLIENT_IDS: 'dingA dingB' });
  expect(!odd.ok && odd.problems).toEqual(['RELAY_ALLOWED_CLIENT_IDS holds values that are not DingTalk Client IDs: "dingA dingB". Separate Client IDs with commas.']);
});

test('off loopback with everything required, a missing status token is a warning, not a refusal', () => {
  const result = readConfig({ RELAY_HOST: '0.0.0.0', RELAY_MASTER_KEY: KEY, RELAY_ALLOWED_CLIENT_IDS: 'dingA' });
  expect(result).toMatchObject({ ok: true, config: { loopback: false, masterKey: { value: KEY } }, warnings: ['RELAY_STATUS_TOKEN is not set: /status answers only requests from this machine until it is.'] });
});

test('RELAY_PUSH_QUOTA sets the edition\'s monthly pushes for /status, and must be a number', () => {
  expect(readConfig({ RELAY_PUSH_QUOTA: '50000' }, '/srv/relay')).toMatchObject({ ok: true, config: { pushQuota: 50_000 } });
  expect(readConfig({ RELAY_PUSH_QUOTA: 'lots' }, '/srv/relay')).toEqual({ ok: false, problems: [expect.stringContaining('RELAY_PUSH_QUOTA must be a whole number')] });
});
