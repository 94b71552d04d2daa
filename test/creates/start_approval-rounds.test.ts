/**
 * Start Approval against Zapier's 30 s limit. Every DingTalk call answers after the same delay; the test counts
 * the sequential rounds of calls (a call starting after another one answered is one round later), which is what
 * the wall time at 6 s per call depends on (rounds × 6 s). It asserts rounds and calls, never a time.
 * `npm run bench:start` (bench/start-approval.ts) measures the wall time at 6 s per call on the sandbox.
 */
import nock from 'nock';
import { actionTiming } from '../../lib/deadline';
import { performance } from 'node:perf_hooks';
import schemaBody from '../fixtures/query-schema.json';
import runningBody from '../fixtures/get-process-instance-running.json';
import { allowUnusedMocks, api, appTester, authData, failure, meta, oapi } from '../helpers';
import App from '../../index';
import type { Bundle, ZObject } from 'zapier-platform-core';

const CODE = 'PROC-FAKE-EXPENSE-0001';
/** Long enough that parallel calls start well inside one delay, short enough for a unit test. */
const DELAY_MS = 300;
const perform = App.creates!.start_approval!.operation.perform as (z: ZObject, bundle: Bundle) => Promise<Record<string, unknown>>;

interface Call {
  path: string;
  startedAt: number;
}

/** The round of each call: 1 + the latest round among calls that had answered before it started. */
function rounds(calls: Call[]): number {
  const round: number[] = [];
  calls.forEach((call, i) => {
    const earlier = calls.slice(0, i).map((c, j) => ({ c, r: round[j]! })).filter(({ c }) => c.startedAt + DELAY_MS <= call.startedAt + DELAY_MS / 3);
    round.push(1 + Math.max(0, ...earlier.map(({ r }) => r)));
  });
  return Math.max(0, ...round);
}

const START = '/v1.0/workflow/processInstances';

/** DingTalk with every call delayed; `calls` records each arrival. `readBackDelayMs` slows the read-back only. */
function slowDingTalk(calls: Call[], readBackDelayMs = DELAY_MS) {
  const slow = (scope: nock.Scope) => scope.on('request', (req: { method: string; path: string }) => calls.push({ path: `${req.method} ${req.path.split('?')[0]!}`, startedAt: performance.now() }));
  slow(api().get('/v1.0/workflow/forms/schemas/processCodes').query(true).delay(DELAY_MS).reply(200, schemaBody));
  slow(api().post(START).delay(DELAY_MS).reply(200, { instanceId: 'pi-fake-new-0001' }));
  slow(api().get(START).query(true).delay(readBackDelayMs).reply(200, runningBody));
  slow(
    oapi()
      .persist()
      .post('/topapi/v2/user/get')
      .query(true)
      .delay(DELAY_MS)
      .reply(200, (_uri, body) => ({ errcode: 0, result: { userid: (body as { userid: string }).userid, name: 'Someone', dept_id_list: [900000101] } })),
  );
}

const form = {
  form__TextField_FAKE01: 'Client visit to Shenzhen',
  form__DDSelectField_FAKE02: 'Travel',
  form__DDDateField_FAKE04: '2026-11-20',
  form__NumberField_FAKE06: '2',
  form__MoneyField_FAKE07: '6480.50',
  form__TableField_FAKE08: [{ TextField_FAKE08A: 'Hotel', DDDateField_FAKE08B: '2026-11-17', MoneyField_FAKE08C: '4280.5' }],
  form__DepartmentField_FAKE11: ['900000101'],
};
/** The fixture's originator, so the originator's name read with the department is the one the record needs. */
const ORIGINATOR = 'user-wong-0003';
const run = () => appTester(perform, { authData, inputData: { processCode: CODE, originatorUserId: ORIGINATOR, ...form }, meta } as never);
const cache = () => (appTester as unknown as { zcacheTestObj: Record<string, string> }).zcacheTestObj;

beforeEach(() => {
  for (const key of Object.keys(cache())) delete cache()[key];
});
afterEach(() => {
  nock.abortPendingRequests();
  jest.restoreAllMocks();
});

test('nothing cached: 4 sequential rounds (was 5), so 24 s at 6 s per call (was 30 s)', async () => {
  const calls: Call[] = [];
  slowDingTalk(calls);
  const record = await run();
  expect(record).toMatchObject({ id: 'pi-fake-new-0001', status: 'RUNNING', originator_name: 'Someone', note: null });
  // Round 1: form schema ∥ originator (department and name); 2: start; 3: read-back; 4: the approver's name.
  expect(calls.map((c) => c.path)).toEqual([
    'GET /v1.0/workflow/forms/schemas/processCodes',
    'POST /topapi/v2/user/get',
    `POST ${START}`,
    `GET ${START}`,
    'POST /topapi/v2/user/get',
  ]);
  expect(rounds(calls)).toBe(4);
});

test('the next run reuses the cached form, department and names: 2 sequential rounds, 12 s at 6 s per call (was 3)', async () => {
  slowDingTalk([]);
  await run();
  nock.cleanAll();
  allowUnusedMocks(); // the form schema and the users are not asked for again
  const calls: Call[] = [];
  slowDingTalk(calls);
  await run();
  expect(calls.map((c) => c.path)).toEqual([`POST ${START}`, `GET ${START}`]);
  expect(rounds(calls)).toBe(2);
});

test('a read-back slower than the deadline: the approval id comes back, once, with a note', async () => {
  jest.replaceProperty(actionTiming, 'budgetMs', 3 * DELAY_MS);
  const calls: Call[] = [];
  slowDingTalk(calls, 10 * DELAY_MS);
  const record = await run();
  expect(calls.filter((c) => c.path === `POST ${START}`)).toHaveLength(1);
  expect(record).toMatchObject({
    id: 'pi-fake-new-0001',
    template_code: CODE,
    status: 'RUNNING',
    outcome: 'pending',
    originator_user_id: ORIGINATOR,
    note: expect.stringContaining('reading the approval back failed (DingTalk did not answer in time)'),
  });
});

test('when the reads before the start already used the time a write needs, nothing is started', async () => {
  jest.replaceProperty(actionTiming, 'writeCutoffMs', DELAY_MS / 2);
  const calls: Call[] = [];
  slowDingTalk(calls);
  const error = await failure(run());
  expect(JSON.parse(error.message)).toMatchObject({ code: 'DingTalkTooSlow', message: expect.stringContaining('Nothing was submitted') });
  expect(calls.map((c) => c.path)).not.toContain(`POST ${START}`);
  nock.cleanAll();
});
