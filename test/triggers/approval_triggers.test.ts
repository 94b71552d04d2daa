import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../../index';
import { MAX_WINDOW_MS } from '../../approvals/ledger/ledger';
import { cacheKeys } from '../../lib/cache-keys';
import { appTester, authData, failure, meta } from '../helpers';
import { fakeDingTalk, type FakeApproval } from './fake-dingtalk';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const T0 = Date.parse('2026-11-25T02:00:00Z');
const CODE = 'PROC-EXPENSE';

// The token stays valid however far a test moves the clock.
const auth = { ...authData, accessTokenExpiresAt: String(Date.parse('2100-01-01T00:00:00Z')) };
const cache = () => (appTester as unknown as { zcacheTestObj: Record<string, string> }).zcacheTestObj;

type Key = 'new_approval' | 'approval_approved' | 'approval_rejected' | 'approval_revoked' | 'approval_finished';
type Delivered = { id: string; outcome?: string | null; status?: string; $HOIST$?: string; created_at?: string; finished_at?: string | null; [key: string]: unknown };

function poll(key: Key, inputData: object = {}, metaOverrides: object = {}): Promise<Delivered[]> {
  const operation = App.triggers![key]!.operation as { perform: (z: ZObject, bundle: Bundle) => Promise<Delivered[]> };
  // These tests watch the ledger at work, so they ask DingTalk on every poll; Auto has its own tests (test/quota).
  return appTester(operation.perform, { authData: auth, inputData: { processCode: CODE, refreshMinutes: '0', ...inputData }, meta: { ...meta, ...metaOverrides } });
}
const seed = (key: Key, inputData: object = {}) => poll(key, inputData, { isPopulatingDedupe: true });
const at = (ms: number) => jest.setSystemTime(ms);
const ids = (records: { id: string }[]) => records.map((r) => r.id);

const running = (id: string, createdAt: number, extra: Partial<FakeApproval> = {}): FakeApproval => ({ id, status: 'RUNNING', createdAt, ...extra });
const done = (id: string, createdAt: number, finishedAt: number, result: 'agree' | 'refuse'): FakeApproval => ({
  id,
  status: 'COMPLETED',
  result,
  createdAt,
  finishedAt,
});

beforeEach(() => {
  // Only Date is faked: nock and the poll's timers run for real.
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
  at(T0);
  for (const key of Object.keys(cache())) delete cache()[key];
});
afterEach(() => jest.useRealTimers());

describe('request shapes', () => {
  test('a rebuild checks the template, lists the running set over DingTalk\'s widest window, and sweeps the look-back window', async () => {
    const dingtalk = fakeDingTalk(CODE);
    await seed('approval_approved', { lookBackDays: '7' });
    const lists = dingtalk.calls.filter((c) => c.name === 'ListProcessInstanceIds').map((c) => c.body);
    expect(dingtalk.calls[0]).toEqual({ name: 'QuerySchemaByProcessCode', query: { processCode: CODE } });
    expect(lists).toEqual([
      { processCode: CODE, startTime: T0 - MAX_WINDOW_MS, endTime: T0, statuses: ['RUNNING'], nextToken: 0, maxResults: 20 },
      // The sweep overlaps by five minutes so clock skew cannot open a gap.
      { processCode: CODE, startTime: T0 - 7 * DAY - 5 * MINUTE, endTime: T0, statuses: ['COMPLETED', 'TERMINATED'], nextToken: 0, maxResults: 20 },
    ]);
  });

  test('an originator filter is sent to DingTalk and gets its own ledger', async () => {
    const dingtalk = fakeDingTalk(CODE);
    await seed('new_approval', { originatorUserIds: ['u-2', 'u-1'] });
    expect(dingtalk.calls[1]!.body).toMatchObject({ userIds: ['u-2', 'u-1'] });
    expect(Object.keys(cache())).toContain(cacheKeys.ledger({ processCode: CODE, userIds: ['u-1', 'u-2'] }));
  });

  test('pages of 20 are followed to the end: time slices side by side on a rebuild, one cursor on a normal poll of undated approvals', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(...Array.from({ length: 45 }, (_, i) => running(`r-${i}`, T0 - (i + 1) * MINUTE)));
    const records = await seed('new_approval');
    expect(new Set(ids(records)).size).toBe(45);
    const runningLists = () => dingtalk.calls.filter((c) => c.name === 'ListProcessInstanceIds' && c.body?.statuses?.toString() === 'RUNNING').map((c) => c.body!);
    // The rebuild: one page of the whole window, then eight slices of it from their first page.
    expect(runningLists()[0]).toMatchObject({ startTime: T0 - MAX_WINDOW_MS, endTime: T0, nextToken: 0 });
    expect(runningLists().slice(1).filter((body) => body.nextToken === 0)).toHaveLength(8);
    dingtalk.calls.length = 0;
    at(T0 + MINUTE);
    await poll('new_approval');
    // Seeding dedupe did not date the running approvals, and the rebuild found them all in one time slice, so there
    // is nowhere to cut: one cursor.
    expect(runningLists().map((body) => body.nextToken)).toEqual([0, 20, 40]);
    const ledger = JSON.parse(cache()[cacheKeys.ledger({ processCode: CODE })]!) as { entries: Record<string, { status: string }> };
    expect(Object.values(ledger.entries).filter((entry) => entry.status === 'RUNNING')).toHaveLength(45);
  });
});

describe('seeding dedupe when a Zap is turned on', () => {
  test('costs only the template check and the list calls: no detail is fetched', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(running('run-1', T0 - DAY), done('old-ok', T0 - 3 * DAY, T0 - 2 * DAY, 'agree'), done('old-no', T0 - 3 * DAY, T0 - 2 * DAY, 'refuse'));
    const records = await seed('approval_approved');
    // Only certainly-final approvals are seeded: the running one must still fire when it is approved.
    expect(records.sort((a, b) => a.id.localeCompare(b.id))).toEqual([{ id: 'old-no' }, { id: 'old-ok' }]);
    expect(dingtalk.count('GetProcessInstance')).toBe(0);
    expect(dingtalk.metered()).toBe(3);
  });

  test('New Approval seeds every known approval, running or not', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(running('run-1', T0 - DAY), done('old-ok', T0 - 3 * DAY, T0 - 2 * DAY, 'agree'));
    expect(ids(await seed('new_approval')).sort()).toEqual(['old-ok', 'run-1']);
  });
});

describe('watching the running set', () => {
  test('an approval that finishes between two polls fires once, classified by one detail fetch', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(running('exp-1', T0 - DAY));
    await seed('approval_approved');

    at(T0 + 15 * MINUTE);
    dingtalk.reset();
    expect(await poll('approval_approved')).toEqual([]);
    expect(dingtalk.metered()).toBe(1); // the running list: nothing else on a quiet poll

    dingtalk.finish('exp-1', 'COMPLETED', 'agree', T0 + 20 * MINUTE);
    at(T0 + 30 * MINUTE);
    dingtalk.reset();
    const records = await poll('approval_approved');
    expect(records).toEqual([
      expect.objectContaining({
        id: 'exp-1',
        status: 'COMPLETED',
        result: 'agree',
        outcome: 'approved',
        created_at: '2026-11-24T10:00:00+08:00',
        finished_at: '2026-11-25T10:20:00+08:00',
        $HOIST$: expect.stringMatching(/^hydrate\|\|\|.*\|\|\|hydrate$/),
      }),
    ]);
    expect(dingtalk.calls.map((c) => c.name)).toEqual(['ListProcessInstanceIds', 'GetProcessInstance']);

    // The next poll offers it again (Zapier's dedupe drops it) without fetching it again.
    at(T0 + 45 * MINUTE);
    dingtalk.reset();
    expect(ids(await poll('approval_approved'))).toEqual(['exp-1']);
    expect(dingtalk.count('GetProcessInstance')).toBe(0);
  });

  test('a new submission is a New Approval; rejected and revoked go to their own triggers', async () => {
    const dingtalk = fakeDingTalk(CODE);
    await seed('new_approval');
    dingtalk.add(running('a', T0 + MINUTE), running('b', T0 + 2 * MINUTE), running('c', T0 + 3 * MINUTE));
    at(T0 + 15 * MINUTE);
    expect(ids(await poll('new_approval')).sort()).toEqual(['a', 'b', 'c']);

    dingtalk.finish('a', 'COMPLETED', 'refuse', T0 + 20 * MINUTE);
    dingtalk.finish('b', 'TERMINATED', undefined, T0 + 21 * MINUTE);
    dingtalk.finish('c', 'COMPLETED', 'agree', T0 + 22 * MINUTE);
    at(T0 + 30 * MINUTE);
    expect(ids(await poll('approval_rejected'))).toEqual(['a']);
    expect(ids(await poll('approval_revoked'))).toEqual(['b']);
    expect(ids(await poll('approval_approved'))).toEqual(['c']);
    // Approval Finished: newest finish first, with the outcome for Paths.
    expect((await poll('approval_finished')).map((r) => [r.id, r.outcome])).toEqual([
      ['c', 'approved'],
      ['b', 'revoked'],
      ['a', 'rejected'],
    ]);
    expect(dingtalk.count('GetProcessInstance')).toBe(3);
  });

  test('New Approval is newest first by submission', async () => {
    const dingtalk = fakeDingTalk(CODE);
    await seed('new_approval');
    dingtalk.add(running('first', T0 + MINUTE));
    at(T0 + 15 * MINUTE);
    await poll('new_approval');
    dingtalk.add(running('second', T0 + 20 * MINUTE));
    at(T0 + 30 * MINUTE);
    expect(ids(await poll('new_approval'))).toEqual(['second', 'first']);
  });

  test('an approval that starts and finishes between two polls is found by the hourly sweep', async () => {
    const dingtalk = fakeDingTalk(CODE);
    await seed('approval_approved');
    dingtalk.add(done('quick', T0 + 5 * MINUTE, T0 + 10 * MINUTE, 'agree'));
    at(T0 + 15 * MINUTE);
    expect(await poll('approval_approved')).toEqual([]);

    at(T0 + 61 * MINUTE);
    dingtalk.reset();
    expect(ids(await poll('approval_approved'))).toEqual(['quick']);
    const sweep = dingtalk.calls.find((c) => c.body?.statuses?.toString() === 'COMPLETED,TERMINATED');
    expect(sweep?.body).toMatchObject({ startTime: T0 - 5 * MINUTE, endTime: T0 + 61 * MINUTE });
    expect(ids(await poll('new_approval'))).toContain('quick');
  });
});

describe('one ledger shared by every Zap on the template', () => {
  test('the second Zap still sees an approval the first Zap\'s poll classified', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(running('x', T0 - DAY));
    await seed('approval_approved');
    await seed('approval_rejected');
    dingtalk.finish('x', 'COMPLETED', 'agree', T0 + 5 * MINUTE);

    at(T0 + 15 * MINUTE);
    expect(await poll('approval_rejected')).toEqual([]); // this poll classified x
    at(T0 + 16 * MINUTE);
    dingtalk.reset();
    expect(ids(await poll('approval_approved'))).toEqual(['x']);
    expect(dingtalk.count('GetProcessInstance')).toBe(0);
  });

  test('a fresh ledger is reused without any DingTalk call', async () => {
    const dingtalk = fakeDingTalk(CODE);
    await seed('approval_approved', { refreshMinutes: '15' });
    at(T0 + 5 * MINUTE);
    dingtalk.reset();
    await poll('approval_rejected', { refreshMinutes: '15' });
    await poll('new_approval', { refreshMinutes: '15' });
    expect(dingtalk.calls).toEqual([]);
    at(T0 + 16 * MINUTE);
    await poll('approval_approved', { refreshMinutes: '15' });
    expect(dingtalk.metered()).toBe(1);
  });

  test('two Zaps polling at the same moment both deliver their event', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(running('yes', T0 - DAY), running('no', T0 - DAY));
    await seed('approval_approved');
    dingtalk.finish('yes', 'COMPLETED', 'agree', T0 + MINUTE);
    dingtalk.finish('no', 'COMPLETED', 'refuse', T0 + MINUTE);
    at(T0 + 15 * MINUTE);
    const [approved, rejected] = await Promise.all([poll('approval_approved'), poll('approval_rejected')]);
    expect(ids(approved)).toEqual(['yes']);
    expect(ids(rejected)).toEqual(['no']);
    // Neither poll's classification was lost: a later poll needs no detail fetch.
    at(T0 + 30 * MINUTE);
    dingtalk.reset();
    expect(ids(await poll('approval_finished')).sort()).toEqual(['no', 'yes']);
    expect(dingtalk.count('GetProcessInstance')).toBe(0);
  });
});

describe('ledger hit, miss and expiry', () => {
  test('an approval deleted in DingTalk is dropped, not fetched (and failed) on every poll', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(running('doomed', T0 - DAY));
    await seed('approval_approved');
    dingtalk.remove('doomed');
    at(T0 + 15 * MINUTE);
    dingtalk.reset();
    expect(await poll('approval_approved')).toEqual([]);
    expect(dingtalk.count('GetProcessInstance')).toBe(1);
    at(T0 + 30 * MINUTE);
    dingtalk.reset();
    expect(await poll('approval_approved')).toEqual([]);
    expect(dingtalk.count('GetProcessInstance')).toBe(0);
  });

  test('an approval still running after DingTalk\'s 120-day window is checked once, then no longer watched', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(running('ancient', T0 - MAX_WINDOW_MS + MINUTE));
    await seed('approval_approved');
    at(T0 + DAY);
    dingtalk.reset();
    await poll('approval_approved');
    expect(dingtalk.count('GetProcessInstance')).toBe(1);
    at(T0 + DAY + 15 * MINUTE);
    dingtalk.reset();
    await poll('approval_approved');
    expect(dingtalk.count('GetProcessInstance')).toBe(0);
    expect(JSON.parse(cache()[cacheKeys.ledger({ processCode: CODE })]!).entries.ancient).toBeUndefined();
  });

  test('a lost ledger is rebuilt for one poll: it costs calls, never an event, and outcomes are not fetched twice', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(running('x', T0 - DAY), running('y', T0 - DAY));
    await seed('approval_approved');
    dingtalk.finish('x', 'COMPLETED', 'agree', T0 + MINUTE);
    at(T0 + 15 * MINUTE);
    expect(ids(await poll('approval_approved'))).toEqual(['x']);

    delete cache()[cacheKeys.ledger({ processCode: CODE })];
    dingtalk.finish('y', 'COMPLETED', 'agree', T0 + 20 * MINUTE);
    at(T0 + 30 * MINUTE);
    dingtalk.reset();
    expect(ids(await poll('approval_approved'))).toEqual(['y', 'x']);
    // Template check + running list + sweep + one detail (y); x's outcome came from its own cache key.
    expect(dingtalk.calls.map((c) => c.name)).toEqual([
      'QuerySchemaByProcessCode',
      'ListProcessInstanceIds',
      'ListProcessInstanceIds',
      'GetProcessInstance',
    ]);
    expect(dingtalk.calls[3]!.query).toEqual({ processInstanceId: 'y' });
  });

  test('a throttled rebuild stores nothing, so the next poll rebuilds from scratch', async () => {
    const dingtalk = fakeDingTalk(CODE);
    const nock = (await import('nock')).default;
    nock.cleanAll();
    nock('https://api.dingtalk.com').get('/v1.0/workflow/forms/schemas/processCodes').query(true).reply(200, { result: { name: 'Expense Claim', status: 'PUBLISHED' } });
    nock('https://api.dingtalk.com').post('/v1.0/workflow/processes/instanceIds/query').reply(403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: '' });
    await expect(seed('approval_approved')).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(cache()[cacheKeys.ledger({ processCode: CODE })]).toBeUndefined();
    expect(dingtalk.calls).toEqual([]);
  });
});

describe('loading a sample in the editor', () => {
  test('returns up to three real, hydrated records of the right outcome', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(
      ...Array.from({ length: 5 }, (_, i) => done(`ok-${i}`, T0 - 2 * DAY, T0 - DAY + i * MINUTE, 'agree')),
      done('no-1', T0 - 2 * DAY, T0 - DAY, 'refuse'),
    );
    const records = await poll('approval_approved', {}, { isLoadingSample: true });
    expect(records.map((r) => r.id)).toEqual(['ok-4', 'ok-3', 'ok-2']);
    expect(records[0]).toMatchObject({ outcome: 'approved', template_name: 'Expense Claim', form__Amount: 6000, originator_name: 'Name of user-1' });
    expect(dingtalk.count('GetProcessInstance')).toBeLessThanOrEqual(10);
    expect(cache()[cacheKeys.ledger({ processCode: CODE })]).toBeUndefined();
  });
});

describe('bad input', () => {
  test('an unknown or deleted template says so', async () => {
    fakeDingTalk(CODE);
    const error = await failure(seed('approval_approved', { processCode: 'PROC-GONE' }));
    expect(error.message).toMatch(/The approval template has no form, or it was deleted/);
  });

  test('a suite form DingTalk\'s API does not serve says so', async () => {
    const nock = (await import('nock')).default;
    nock('https://api.dingtalk.com')
      .get('/v1.0/workflow/forms/schemas/processCodes')
      .query(true)
      .reply(400, { code: 'noPermission', message: '无权限', requestid: 'R8' });
    const error = await failure(seed('approval_approved', { processCode: 'PROC-LEAVE-SUITE' }));
    expect(error.message).toContain('Suite forms (leave, HR, finance) are not served by the API');
  });

  test('every input problem is listed at once', async () => {
    fakeDingTalk(CODE);
    const error = await failure(poll('approval_approved', { lookBackDays: '500', originatorUserIds: Array.from({ length: 11 }, (_, i) => `u${i}`) }));
    expect(JSON.parse(error.message)).toEqual({
      message: "Originators accepts at most 10 users (DingTalk's limit); Look Back (Days) must be a whole number from 1 to 120.",
      code: 'InvalidInput',
      status: 400,
    });
  });

  test('a missing permission names it', async () => {
    const nock = (await import('nock')).default;
    nock('https://api.dingtalk.com').get('/v1.0/workflow/forms/schemas/processCodes').query(true).reply(200, { result: { name: 'Expense Claim', status: 'PUBLISHED' } });
    nock('https://api.dingtalk.com')
      .post('/v1.0/workflow/processes/instanceIds/query')
      .reply(403, { code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied', message: '没有调用该接口的权限' });
    const error = await failure(seed('approval_approved'));
    expect(error.message).toContain('Workflow.Instance.Read');
  });
});

describe('New Approval order', () => {
  test('newest first right after the ledger was rebuilt: running approvals are dated, not all stamped "now"', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(running('run-old', T0 - 3 * DAY), done('done-mid', T0 - 2 * DAY, T0 - DAY, 'agree'), running('run-new', T0 - DAY));
    await seed('new_approval');
    at(T0 + 15 * MINUTE);
    delete cache()[cacheKeys.ledger({ processCode: CODE })];
    dingtalk.reset();
    const records = await poll('new_approval');
    expect(records.map((r) => [r.id, r.created_at])).toEqual([
      ['run-new', '2026-11-24T10:00:00+08:00'],
      ['done-mid', '2026-11-23T10:00:00+08:00'],
      ['run-old', '2026-11-22T10:00:00+08:00'],
    ]);
    // Template check, running list, sweep, and one detail each: the finished one and the two running ones.
    expect(dingtalk.count('GetProcessInstance')).toBe(3);

    // The next poll knows their dates: no detail is fetched again.
    at(T0 + 30 * MINUTE);
    dingtalk.reset();
    expect(ids(await poll('new_approval'))).toEqual(['run-new', 'done-mid', 'run-old']);
    expect(dingtalk.metered()).toBe(1);
  });

  test('dating running approvals takes at most half of a poll\'s 25 detail fetches, so outcomes are not starved', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(
      ...Array.from({ length: 30 }, (_, i) => running(`run-${i}`, T0 - DAY - i * MINUTE)),
      ...Array.from({ length: 30 }, (_, i) => done(`done-${i}`, T0 - 2 * DAY - i * MINUTE, T0 - DAY, 'agree')),
    );
    await poll('approval_approved');
    const fetched = dingtalk.calls.filter((c) => c.name === 'GetProcessInstance').map((c) => c.query!.processInstanceId!);
    expect(fetched).toHaveLength(25);
    expect(fetched.filter((id) => id.startsWith('run-'))).toHaveLength(13);
  });
});

describe('the Approval dropdown (new_approval.id.title)', () => {
  const dropdown = () => poll('new_approval', {}, { isFillingDynamicDropdown: true }) as Promise<{ id: string; title: string }[]>;

  test('labels each approval with its title, originator and date, newest first, and states a status', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(running('exp-1', T0 - 2 * DAY, { originator: 'user-chan' }), running('exp-2', T0 - DAY));
    await seed('new_approval');
    expect(await dropdown()).toEqual([
      { id: 'exp-2', title: 'Approval exp-2 · Name of user-1 · 2026-11-24 10:00 · pending' },
      { id: 'exp-1', title: 'Approval exp-1 · Name of user-chan · 2026-11-23 10:00 · pending' },
    ]);
  });

  test('costs the refresh plus one detail per approval not labelled before (at most 10); the next load only the refresh', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(...Array.from({ length: 15 }, (_, i) => running(`r-${i}`, T0 - (i + 1) * MINUTE)));
    await seed('new_approval');
    dingtalk.reset();
    const first = await dropdown();
    expect(dingtalk.count('ListProcessInstanceIds')).toBe(1);
    expect(dingtalk.count('GetProcessInstance')).toBe(10);
    expect(first[0]).toEqual({ id: 'r-0', title: 'Approval r-0 · Name of user-1 · 2026-11-25 09:59 · pending' });
    // Beyond the budget: still the date and status, never a bare id.
    expect(first[14]).toEqual({ id: 'r-14', title: 'Approval · first seen 2026-11-25 10:00 · pending' });

    dingtalk.reset();
    const second = await dropdown();
    expect(dingtalk.count('GetProcessInstance')).toBe(5);
    expect(second[14]!.title).toBe('Approval r-14 · Name of user-1 · 2026-11-25 09:45 · pending');
    dingtalk.reset();
    await dropdown();
    expect(dingtalk.metered()).toBe(1);
  });

  test('a title a poll already fetched costs nothing', async () => {
    const dingtalk = fakeDingTalk(CODE);
    dingtalk.add(running('exp-1', T0 - DAY));
    await seed('new_approval');
    dingtalk.finish('exp-1', 'COMPLETED', 'agree', T0 + MINUTE);
    at(T0 + 15 * MINUTE);
    await poll('approval_approved');
    dingtalk.reset();
    expect(await dropdown()).toEqual([{ id: 'exp-1', title: 'Approval exp-1 · Name of user-1 · 2026-11-24 10:00 · approved' }]);
    expect(dingtalk.count('GetProcessInstance')).toBe(0);
  });
});
