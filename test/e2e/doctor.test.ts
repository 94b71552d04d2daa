import nock from 'nock';
import { createSandbox, type Sandbox } from '../../sandbox';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { doctor, exampleValues } from '../../scripts/doctor';

let sandbox: Sandbox;
const saved = { api: process.env.DINGTALK_API_BASE_URL, oapi: process.env.DINGTALK_OAPI_BASE_URL };

beforeAll(async () => {
  nock.enableNetConnect('127.0.0.1');
  sandbox = await createSandbox();
  process.env.DINGTALK_API_BASE_URL = sandbox.url;
  process.env.DINGTALK_OAPI_BASE_URL = sandbox.url;
});

afterAll(async () => {
  await sandbox.stop();
  for (const [key, value] of [['DINGTALK_API_BASE_URL', saved.api], ['DINGTALK_OAPI_BASE_URL', saved.oapi]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  nock.disableNetConnect();
});

const env = () => ({ authData_appKey: sandbox.credentials.appKey, authData_appSecret: sandbox.credentials.appSecret, authData_agentId: sandbox.credentials.agentId });

async function run(overrides: Record<string, string> = {}) {
  const lines: string[] = [];
  const ok = await doctor({ ...env(), ...overrides }, (line) => lines.push(line));
  return { ok, text: lines.join('\n') };
}

test('a fully set-up app: every permission ok, the templates listed, a handful of metered calls', async () => {
  sandbox.meter.reset();
  const { ok, text } = await run();
  expect(ok).toBe(true);
  expect(text).not.toContain('MISSING');
  expect(text).toContain('PROC-SBX-EXPENSE-0001  Expense Claim 費用報銷');
  expect(text).toContain('granted (DingTalk answered processInstNotExist)');
  expect(text).toMatch(/\n4 metered call\(s\) spent/);
  // The budget .env describes (nothing set: the safe default) and where the month's spend can be seen.
  expect(text).toMatch(/Budget: {2}3,000 calls in November 2026 for this integration \(60 % of Free \/ Standard \(5,000 calls a month\); edition and share not set in \.env, so the default\); the quota resets on 1 December 2026, 00:00 China time\./);
  expect(text).toContain('This run spent 4 of them.');
  expect(text).toContain('Find API Usage search');
  expect(sandbox.meter.metered).toBe(4);
});

test('a missing permission is named with how to fix it, and the rest are still checked', async () => {
  sandbox.faults.denyPermission('ListProcessInstanceIds');
  try {
    const { ok, text } = await run();
    expect(ok).toBe(false);
    expect(text).toMatch(/MISSING  Workflow\.Instance\.Read .*\n\s+In the DingTalk developer console .* Permissions/);
    expect(text).toMatch(/ok       Workflow\.Instance\.Write/);
  } finally {
    sandbox.faults.denyPermission('ListProcessInstanceIds', false);
  }
});

test('wrong credentials and a missing Agent ID say so', async () => {
  expect((await run({ authData_appSecret: 'wrong-secret-0001' })).text).toMatch(/MISSING  credentials: DingTalk did not accept the Client ID/);
  const noAgent = await run({ authData_agentId: '' });
  expect(noAgent.ok).toBe(false);
  expect(noAgent.text).toContain('MISSING  Agent ID for work notifications: authData_agentId is empty; replace that line');
});

test('the values .env.example ships with count as not filled in; nothing is sent', async () => {
  const example = exampleValues();
  expect(example).toMatchObject({ authData_appKey: expect.any(String), authData_appSecret: expect.any(String), authData_agentId: expect.any(String) });
  sandbox.meter.reset();
  const copied = await run({ authData_appKey: example.authData_appKey!, authData_appSecret: example.authData_appSecret! });
  expect(copied.ok).toBe(false);
  expect(copied.text).toBe(
    `Fill in .env first: authData_appKey still holds the example value from .env.example (${example.authData_appKey}); authData_appSecret still holds the example value from .env.example (${example.authData_appSecret}). Replace those lines with your app's Client ID and Client Secret (developer console → your app → Credentials & Basic Info); do not add second copies below them.`,
  );
  expect(copied.text).not.toContain('credentials:');
  expect(sandbox.meter.free + sandbox.meter.metered).toBe(0);
  const agent = await run({ authData_agentId: example.authData_agentId! });
  expect(agent.text).toContain(`MISSING  Agent ID for work notifications: authData_agentId still holds the example value from .env.example (${example.authData_agentId})`);
});

describe('DingTalk out of reach is not "MISSING credentials"', () => {
  const pointAt = (url: string) => {
    process.env.DINGTALK_API_BASE_URL = url;
    process.env.DINGTALK_OAPI_BASE_URL = url;
  };
  afterEach(() => pointAt(sandbox.url));

  test('a host name that does not resolve (DNS)', async () => {
    pointAt('http://dingtalk.doctor.test');
    nock('http://dingtalk.doctor.test').post('/v1.0/oauth2/accessToken').replyWithError(Object.assign(new Error('getaddrinfo ENOTFOUND dingtalk.doctor.test'), { code: 'ENOTFOUND' }));
    const { ok, text } = await run();
    expect(ok).toBe(false);
    expect(text).toContain('UNREACHABLE  DingTalk cannot be reached at http://dingtalk.doctor.test: its host name does not resolve (DNS).');
    expect(text).not.toContain('MISSING');
  });

  test('a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    pointAt(`http://127.0.0.1:${port}`);
    const { ok, text } = await run();
    expect(ok).toBe(false);
    expect(text).toContain(`UNREACHABLE  DingTalk cannot be reached at http://127.0.0.1:${port}: the connection was refused.`);
    expect(text).not.toContain('MISSING');
  });

  test('no answer in time', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    pointAt(`http://127.0.0.1:${port}`);
    try {
      const lines: string[] = [];
      const ok = await doctor(env(), (line) => lines.push(line), { timeoutMs: 300 });
      expect(ok).toBe(false);
      expect(lines.join('\n')).toContain(`UNREACHABLE  DingTalk cannot be reached at http://127.0.0.1:${port}: no answer within 0.3 s.`);
      expect(lines.join('\n')).not.toContain('MISSING');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
