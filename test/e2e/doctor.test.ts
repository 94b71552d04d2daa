import nock from 'nock';
import { createSandbox, type Sandbox } from '../../sandbox';
import { doctor } from '../../scripts/doctor';

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
  expect(noAgent.text).toContain('MISSING  Agent ID for work notifications: add authData_agentId');
});
