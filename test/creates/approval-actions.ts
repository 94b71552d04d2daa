/** Shared set-up for the approval action tests: one running approval, a fixed clock, user names and a runner. */
import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../../index';
import runningBody from '../fixtures/get-process-instance-running.json';
import { appTester, authData, meta, oapi } from '../helpers';

/** The running fixture: submitted by user-wong-0003 at 2026-11-24T01:05Z, pending with user-lee-0002 (task 70000000003). */
export const ID = 'pi-fake-expense-0002';
export const ORIGINATOR = 'user-wong-0003';
export const APPROVER = 'user-lee-0002';
export const TASK_ID = 70000000003;
export const NOW = Date.parse('2026-11-24T02:00:00Z');

export const NAMES: Record<string, string> = {
  'user-wong-0003': 'Wong Ka Ming',
  'user-lee-0002': 'Lee Siu Fan',
  'user-chan-0001': 'Chan Tai Man',
};

// The token stays valid however far a test moves the clock.
export const auth = { ...authData, accessTokenExpiresAt: String(Date.parse('2100-01-01T00:00:00Z')) };

type Result = (typeof runningBody)['result'];
type Patch = { [K in keyof Result]?: unknown } & Record<string, unknown>;

/** A GetProcessInstance body: the running fixture with some result fields replaced. */
export function instance(patch: Patch = {}) {
  const body = structuredClone(runningBody) as { success: string; result: Record<string, unknown> };
  Object.assign(body.result, patch);
  return body;
}

/** The same approval after user-lee-0002 decided: finished, with the task completed. */
export function decided(result: 'agree' | 'refuse') {
  const base = instance();
  const task = { ...(base.result.tasks as Record<string, unknown>[])[0], status: 'COMPLETED', result: result.toUpperCase(), finishTime: '2026-11-24T02:00Z' };
  return instance({ status: 'COMPLETED', result, finishTime: '2026-11-24T02:00Z', tasks: [task] });
}

/** topapi user/get (free): names from NAMES; anyone else is "not found", which records and messages tolerate. */
export function userDirectory(): void {
  oapi()
    .persist()
    .post('/topapi/v2/user/get')
    .query(true)
    .reply(200, (_uri, body) => {
      const userid = (body as { userid: string }).userid;
      const name = NAMES[userid];
      return name ? { errcode: 0, result: { userid, name } } : { errcode: 33012, errmsg: '无效的userid' };
    });
}

/** Only Date is faked: nock and the middleware's timers run for real. */
export function fixedClock(now = NOW): void {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    jest.setSystemTime(now);
  });
  afterEach(() => jest.useRealTimers());
}

type Perform = (z: ZObject, bundle: Bundle) => Promise<Record<string, unknown>>;

/** Runs one create's perform inside Zapier (middleware included) with an empty z.cache. */
export function runCreate(key: string, inputData: Record<string, unknown>, authOverrides: Record<string, string | undefined> = {}) {
  const creates = App.creates as unknown as Record<string, { operation: { perform: Perform } }>;
  const perform = creates[key]!.operation.perform;
  return appTester(perform, { authData: { ...auth, ...authOverrides }, inputData, meta } as never, true);
}

/** The JSON body of a Zapier AppError: {message, code, status}. */
export const appError = (error: Error) => JSON.parse(error.message) as { message: string; code: string; status: number };
