/**
 * Runs the sandbox over real HTTP on loopback and points the project's own axios client at it.
 * test/setup.ts forbids the network; these suites allow 127.0.0.1 only, and put everything back afterwards.
 */
import axios from 'axios';
import nock from 'nock';
import type { Endpoint } from '../../dingtalk/endpoints';
import { DingTalkError } from '../../dingtalk/errors';
import { axiosTransport } from '../../dingtalk/axios-transport';
import { type Transport } from '../../dingtalk/transport';
import { startProcessInstance } from '../../dingtalk/workflow';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../sandbox';

export interface Running {
  sandbox: Sandbox;
  transport: Transport;
  /** Every request the client sent, in order (token calls included). */
  sent: Endpoint[];
}

const ENV_KEYS = ['DINGTALK_API_BASE_URL', 'DINGTALK_OAPI_BASE_URL'] as const;

/** Registers the hooks and returns a starter; every sandbox started in a test is stopped after it. */
export function sandboxSuite(): (options?: SandboxOptions) => Promise<Running> {
  const running: Sandbox[] = [];
  const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  beforeAll(() => nock.enableNetConnect('127.0.0.1'));
  afterAll(() => nock.disableNetConnect());
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sandbox) => sandbox.stop()));
    for (const key of ENV_KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });
  return async (options) => {
    const sandbox = await createSandbox(options);
    running.push(sandbox);
    for (const key of ENV_KEYS) process.env[key] = sandbox.url;
    const sent: Endpoint[] = [];
    const transport = axiosTransport({ ...sandbox.credentials, onRequest: (endpoint) => sent.push(endpoint) });
    return { sandbox, transport, sent };
  };
}

/** The DingTalkError a call rejects with. */
export async function dingTalkError(promise: Promise<unknown>): Promise<DingTalkError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof DingTalkError)) throw new Error(`expected a DingTalkError, got ${String(error)}`);
  return error;
}

/** A raw HTTP call, for what the client never sends (missing tokens, odd page sizes) and for downloads. */
export const raw = axios.create({ validateStatus: () => true });

/** A token straight from the sandbox. */
export async function tokenFor(sandbox: Sandbox): Promise<string> {
  const { data } = await raw.post(`${sandbox.url}/v1.0/oauth2/accessToken`, { appKey: sandbox.credentials.appKey, appSecret: sandbox.credentials.appSecret });
  return String(data.accessToken);
}

export const DAY = 24 * 60 * 60 * 1000;

/** Seeded people and templates (sandbox/seed). */
export const people = {
  director: 'user-ng-0006',
  salesManager: 'user-lee-0002',
  chan: 'user-chan-0001',
  wong: 'user-wong-0003',
  finance: 'user-ho-0004',
  accounts: 'user-tam-0005',
  compliance: 'user-cheung-0007',
  hr: 'user-lau-0008',
  it: 'user-yip-0009',
  warehouse: 'user-mak-0010',
} as const;

export const codes = {
  expense: 'PROC-SBX-EXPENSE-0001',
  travel: 'PROC-SBX-TRAVEL-0002',
  onboarding: 'PROC-SBX-ONBOARD-0003',
  purchase: 'PROC-SBX-PURCHASE-0004',
} as const;

/** Starts an expense claim as Chan Ka Yan: the manager approves; above HK$5,000 the Director too. Returns its id. */
export const expenseClaim = (transport: Transport, totalHkd = '80') =>
  startProcessInstance(transport, {
    processCode: codes.expense,
    originatorUserId: people.chan,
    deptId: 100,
    formComponentValues: [
      { name: 'Claim Title 報銷事由', value: 'Taxi 的士' },
      { name: 'Expense Type 費用類型', value: 'Transport' },
      { name: 'Claim Date 申請日期', value: '2026-11-20' },
      { name: 'Total Amount (HKD) 總金額', value: totalHkd },
    ],
  });
