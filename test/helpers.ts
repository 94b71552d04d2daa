import nock from 'nock';
import { createAppTester, type Bundle, type ZObject } from 'zapier-platform-core';
import App from '../index';
import type { Transport } from '../dingtalk/transport';
import { zapierTransport } from '../zapier/transport';

export const appTester = createAppTester(App);

/** Obviously fake credentials: fixtures and tests never hold a real secret. */
export const TOKEN = 'test-access-token-0001';
export const authData = {
  appKey: 'dingtestappkey0001',
  appSecret: 'test-app-secret-0001',
  agentId: '3000000001',
  accessToken: TOKEN,
  accessTokenExpiresAt: String(Date.now() + 3600 * 1000),
};

export const meta = {
  isLoadingSample: false,
  isFillingDynamicDropdown: false,
  isPopulatingDedupe: false,
  isTestingAuth: false,
  limit: -1,
  page: 0,
};

/** Runs a client function inside Zapier (z.request + the app's middleware), as an operation would. */
export function runWithClient<T>(fn: (transport: Transport) => Promise<T>, bundle: Partial<Bundle> = {}): Promise<T> {
  return appTester((z: ZObject, b: Bundle) => fn(zapierTransport(z, b, 'other')), { authData, inputData: {}, meta, ...bundle } as never);
}

/** What DingTalk received in one call, for exact assertions. */
export interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

/** Answers one call with `reply` and records what DingTalk received, so the test can assert it exactly. */
export function answer(interceptor: nock.Interceptor, reply: nock.Body, status = 200, log: Received[] = []): Received[] {
  interceptor.query(true).reply(function (uri, body) {
    const url = new URL(uri, 'https://host.invalid');
    log.push({ method: this.req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: this.req.headers, body });
    return [status, reply];
  });
  return log;
}

/** api.dingtalk.com, answering only requests that carry the token header. */
export const api = () => nock('https://api.dingtalk.com').matchHeader('x-acs-dingtalk-access-token', TOKEN);
/** oapi.dingtalk.com; the token travels as ?access_token=. */
export const oapi = () => nock('https://oapi.dingtalk.com');

let checkUnusedMocks = true;
/** For stateful fakes that answer whatever is asked: unused routes are not an error in that test. */
export function allowUnusedMocks(): void {
  checkUnusedMocks = false;
}

afterEach(() => {
  const pending = checkUnusedMocks ? nock.pendingMocks() : [];
  checkUnusedMocks = true;
  nock.cleanAll();
  if (pending.length > 0) throw new Error(`DingTalk calls the test expected but the code never made: ${pending.join(', ')}`);
});

/** The sentence a user reads from a failed step (core wraps z.errors.Error's message, code and status in JSON). */
export async function userMessage(promise: Promise<unknown>): Promise<string> {
  const { message } = await failure(promise);
  try {
    return String((JSON.parse(message) as { message: string }).message);
  } catch {
    return message;
  }
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('Expected the call to fail, but it succeeded.');
}
