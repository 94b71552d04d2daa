/**
 * `npm run relay -- tenant …` through its real entry point, against the DingTalk sandbox over HTTP: the
 * credentials are checked with DingTalk before anything is saved, secrets are stored sealed, and no secret
 * reaches the logs or the printed output.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../relay/cli';
import { createLogger } from '../../relay/log';
import { openStore } from '../../relay/store';
import { sandboxSuite } from '../sandbox/helpers';

const startSandbox = sandboxSuite();
const SECRET = 'sandbox-app-secret-not-real-0001';
const TOKEN = 'pushToken123';
const AES_KEY = 'a'.repeat(22) + 'B'.repeat(21);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relay-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs one command with its own log and output, as a separate `npm run relay` would. */
async function relay(args: string[], env: NodeJS.ProcessEnv = {}) {
  const output: string[] = [];
  const logs: string[] = [];
  const code = await main(args, (line) => output.push(line), {
    env: { RELAY_DATABASE_URL: `sqlite:${join(dir, 'relay.db')}`, ...env },
    cwd: dir,
    log: createLogger((line) => logs.push(line)),
  });
  return { code, output: output.join('\n'), logs: logs.join('\n') };
}

test('tenant add checks the credentials with DingTalk, stores them sealed, and never shows a secret', async () => {
  const { sandbox } = await startSandbox();
  const { appKey } = sandbox.credentials;
  const added = await relay(['tenant', 'add', '--client-id', appKey, '--client-secret', SECRET, '--callback-token', TOKEN, '--callback-aes-key', AES_KEY]);
  expect(added).toMatchObject({ code: 0, output: `Added ${appKey}: DingTalk accepted its credentials, and they are stored encrypted.` });
  expect(sandbox.meter.byEndpoint).toEqual({ GetAccessToken: 1 });

  // A generated key, beside the database, readable by its owner only, announced with a warning.
  expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
  expect(added.logs).toContain('"msg":"master_key.generated"');
  expect(added.logs).toContain('"msg":"tenant.added"');

  const listed = await relay(['tenant', 'list']);
  expect(listed.output).toMatch(new RegExp(`^${appKey}  added \\d{4}-\\d\\d-\\d\\dT.*Z  Stream and HTTP push$`));

  // The database file holds sealed values only.
  const store = await openStore(`sqlite:${join(dir, 'relay.db')}`);
  const row = await store.db.get<Record<string, string>>('SELECT client_secret, callback_token, callback_aes_key FROM tenants');
  await store.close();
  for (const value of Object.values(row!)) expect(value).toMatch(/^v1\./);
  const everything = [added.output, added.logs, listed.output, listed.logs, readFileSync(join(dir, 'relay.db')).toString('latin1')].join('\n');
  for (const secret of [SECRET, TOKEN, AES_KEY, readFileSync(join(dir, 'master.key'), 'utf8').trim()]) expect(everything).not.toContain(secret);
});

test('wrong credentials: DingTalk’s answer as a sentence, and nothing is stored', async () => {
  const { sandbox } = await startSandbox();
  const result = await relay(['tenant', 'add', '--client-id', sandbox.credentials.appKey, '--client-secret', 'not-the-secret-at-all']);
  expect(result.code).toBe(1);
  expect(result.output).toMatch(/Client ID|Client Secret|AppKey|AppSecret|credentials/i);
  expect(result.output + result.logs).not.toContain('not-the-secret-at-all');
  expect((await relay(['tenant', 'list'])).output).toMatch(/^No tenants yet/);
});

test('bad input and the allow-list are refused before anything is sent, every problem at once', async () => {
  const { sandbox } = await startSandbox();
  const result = await relay(['tenant', 'add', '--client-id', 'dingOther', '--callback-token', 'x', '--client-secret', ''], { RELAY_ALLOWED_CLIENT_IDS: sandbox.credentials.appKey });
  expect(result).toMatchObject({ code: 2 });
  expect(result.output.split('\n')).toEqual([
    'Client ID dingOther is not in RELAY_ALLOWED_CLIENT_IDS; add it there to let this relay serve the app.',
    '--client-secret is required: the Client Secret (AppSecret) of your DingTalk app.',
    'HTTP push needs both --callback-token and --callback-aes-key (from the app’s event subscription page); give both or neither.',
    '--callback-token must be 3 to 32 letters or digits, as the DingTalk console sets it.',
  ]);
  expect(sandbox.meter.byEndpoint).toEqual({});
});

test('tenant remove erases the secrets; a second remove says there is no such tenant', async () => {
  const { sandbox } = await startSandbox();
  const { appKey } = sandbox.credentials;
  await relay(['tenant', 'add', '--client-id', appKey, '--client-secret', SECRET]);
  expect(await relay(['tenant', 'remove', '--client-id', appKey])).toMatchObject({ code: 0, output: `Removed ${appKey}: its secrets are erased, and a running relay closes its connections within seconds.` });
  expect(await relay(['tenant', 'remove', '--client-id', appKey])).toMatchObject({ code: 1, output: `No tenant ${appKey} (see tenant list).` });
  const store = await openStore(`sqlite:${join(dir, 'relay.db')}`);
  expect(await store.db.get('SELECT client_secret FROM tenants')).toEqual({ client_secret: null });
  await store.close();
});

test('a different master key is refused at start, before any secret is used', async () => {
  const { sandbox } = await startSandbox();
  const key = { RELAY_MASTER_KEY: 'the first master key, 32 chars long' };
  await relay(['tenant', 'add', '--client-id', sandbox.credentials.appKey, '--client-secret', SECRET], key);
  const result = await relay(['tenant', 'list'], { RELAY_MASTER_KEY: 'another master key, also 32 chars long' });
  expect(result).toMatchObject({ code: 1, output: expect.stringMatching(/^The master key does not match this database/) });
});

test('configuration problems are listed at once, and unknown commands print the usage', async () => {
  const result = await relay(['tenant', 'list'], { RELAY_HOST: '0.0.0.0', RELAY_RETENTION_DAYS: '1' });
  expect(result.code).toBe(2);
  expect(result.output.split('\n')).toHaveLength(4);
  expect(await relay(['tenant', 'rename'])).toMatchObject({ code: 2, output: expect.stringContaining('Usage:') });
  expect(await relay(['tenant', 'add', '--client-key', 'x'])).toMatchObject({ code: 2, output: expect.stringContaining('Usage:') });
});
