/**
 * "Approval Waiting Too Long" as an instant event: what the relay receives on subscribe (the hours and approvers,
 * checked first), and what Zapier gets from the relay's waiting record: the polling trigger's record, same `id`
 * scheme and same waiting fields, with the approver's name and manager from the free contacts API and the approval
 * record (and step name) from one metered detail fetch, only when a step uses it. nock answers the relay and
 * DingTalk; any other call fails the test.
 */
import nock from 'nock';
import App from '../../index';
import waitingSample from '../../samples/waiting.json';
import { deliveryId } from '../../approvals/waiting/thresholds';
import { allowUnusedMocks, api, appTester, authData, meta, oapi, TOKEN, userMessage as said } from '../helpers';
import running from '../fixtures/get-process-instance-running.json';
import templates from '../fixtures/list-templates-page1.json';
import { BASIC, hoisted, relay, relayRecord, run, TARGET, type Delivered } from './instant-helpers';

const HOUR = 3_600_000;

/** The relay's waiting record (relay/delivery/record.ts): task 70000000003 of pi-fake-expense-0002, after 1.5 h. */
const waitingRecord = (extra: Record<string, unknown> = {}) =>
  relayRecord('waiting', {
    id: 'pi-fake-expense-0002:task-70000000003:after-1.5h',
    approval_id: 'pi-fake-expense-0002',
    originator_user_id: 'user-chan-0001',
    approver_user_id: 'user-lee-0002',
    task_id: '70000000003',
    waiting_hours: 1.5,
    waiting_since: '2026-11-24T01:05:00.000Z',
    occurred_at: '2026-11-24T02:35:00.000Z',
    received_at: '2026-11-24T02:35:00.420Z',
    event_id: 'timer:sub_0001:70000000003:5400000',
    ...extra,
  });

/** The free contacts API (topapi/v2/user/get): the approver and their manager; every call is counted. */
function contacts(calls: string[]) {
  allowUnusedMocks();
  const people: Record<string, { name: string; manager_userid?: string }> = {
    'user-lee-0002': { name: 'Lee Ka Yan', manager_userid: 'user-wong-0003' },
    'user-wong-0003': { name: 'Wong Siu Ming' },
  };
  oapi()
    .post('/topapi/v2/user/get')
    .query({ access_token: TOKEN })
    .times(10)
    .reply((_uri, body) => {
      const userid = (body as { userid: string }).userid;
      calls.push(userid);
      return [200, { errcode: 0, errmsg: 'ok', result: { userid, name: 'Someone', ...people[userid] } }];
    });
}

const tester = appTester as unknown as { zcacheTestObj: Record<string, string> };
beforeEach(() => {
  tester.zcacheTestObj = {};
});
afterEach(() => nock.cleanAll());

describe('Hours and Approvers, only for this event', () => {
  const fields = App.triggers!.approval_event_instant!.operation.inputFields as unknown[];
  const dynamic = fields.find((field) => typeof field === 'function') as (z: never, bundle: { inputData: object }) => { key: string; default?: string; type?: string }[];

  test('the Event field alters the dynamic fields, which are Hours (a number, default 2) and Approvers for "waiting" and nothing otherwise', () => {
    expect(fields).toContainEqual(expect.objectContaining({ key: 'event', altersDynamicFields: true }));
    expect(dynamic({} as never, { inputData: { event: 'waiting' } }).map((f) => [f.key, f.type, f.default])).toEqual([
      ['hours', 'number', '2'],
      ['approverUserIds', undefined, undefined],
    ]);
    expect(dynamic({} as never, { inputData: { event: 'approved' } })).toEqual([]);
  });
});

describe('performSubscribe', () => {
  test('sends the event, the hours (decimals kept) and the approvers to the relay', async () => {
    const seen = relay('post', '/v1/subscriptions', 201, { id: 'sub_0001' });
    await run('performSubscribe', { targetUrl: TARGET, inputData: { event: 'waiting', processCode: 'PROC-EXPENSE', hours: '1.5', approverUserIds: ['user-lee-0002', 'user-wong-0003'] } });
    expect(seen).toEqual([
      {
        method: 'POST',
        path: '/v1/subscriptions',
        authorization: BASIC,
        body: { target_url: TARGET, kinds: ['waiting'], template: 'PROC-EXPENSE', waiting_hours: [1.5], approvers: ['user-lee-0002', 'user-wong-0003'] },
      },
    ]);
  });

  test('Hours left empty is 2; no approvers means every approver', async () => {
    const seen = relay('post', '/v1/subscriptions', 201, { id: 'sub_0002' });
    await run('performSubscribe', { targetUrl: TARGET, inputData: { event: 'waiting', hours: '' } });
    expect(seen[0]!.body).toEqual({ target_url: TARGET, kinds: ['waiting'], waiting_hours: [2] });
  });

  test.each([['abc'], ['0.1'], ['721'], ['2,5']])('Hours %s is refused with every other problem, before the relay is asked', async (hours) => {
    const many = Array.from({ length: 11 }, (_, i) => `u-${i}`);
    expect(await said(run('performSubscribe', { targetUrl: TARGET, inputData: { event: 'waiting', hours, originatorUserIds: many } }))).toBe(
      "Originators accepts at most 10 users (the relay's limit, as DingTalk's for the polling triggers); Hours must be a number of hours from 0.25 to 720 (for example 2 or 1.5).",
    );
    expect(nock.pendingMocks()).toEqual([]);
  });

  test('other events ignore a Hours value left over from an earlier choice (the field is hidden for them)', async () => {
    const seen = relay('post', '/v1/subscriptions', 201, { id: 'sub_0003' });
    await run('performSubscribe', { targetUrl: TARGET, inputData: { event: 'approved', hours: 'abc', approverUserIds: ['u-1'] } });
    expect(seen[0]!.body).toEqual({ target_url: TARGET, kinds: ['approved'] });
  });
});

describe('perform: the relay\'s waiting record becomes Approval Waiting Too Long\'s record', () => {
  test('same id scheme, the waiting fields, the approver and manager from the free contacts API, the record hoisted in', async () => {
    const free: string[] = [];
    contacts(free);
    const [record] = await run('perform', { cleanedRequest: waitingRecord(), inputData: { event: 'waiting', hours: '1.5' } });
    expect(record).toEqual({
      id: 'pi-fake-expense-0002:task-70000000003:after-1.5h',
      template_code: 'PROC-EXPENSE',
      status: 'RUNNING',
      result: null,
      outcome: 'pending',
      approval_id: 'pi-fake-expense-0002',
      task_id: 70000000003,
      approver_user_id: 'user-lee-0002',
      approver_name: 'Lee Ka Yan',
      waiting_since: '2026-11-24T09:05:00+08:00',
      hours_waited: 1.5,
      threshold_hours: 1.5,
      checked_at: '2026-11-24T10:35:00+08:00',
      manager_user_id: 'user-wong-0003',
      manager_name: 'Wong Siu Ming',
      $HOIST$: expect.stringMatching(/^hydrate\|\|\|/),
    });
    // The polling trigger's own id function gives the same id, so a Zap switches without re-mapping or refiring.
    expect(record!.id).toBe(deliveryId('pi-fake-expense-0002', 70000000003, 1.5 * HOUR));
    expect(free).toEqual(['user-lee-0002', 'user-wong-0003']);
    expect(hoisted(record!).method).toBe('hydrators.instantWaitingApproval');

    // The person is cached for the connection: the next delivery for the same approver costs no call at all.
    await run('perform', { cleanedRequest: waitingRecord({ id: 'x', task_id: '70000000009' }), inputData: { event: 'waiting' } });
    expect(free).toHaveLength(2);
  });

  test('a relay without waiting_since: the task started the threshold before the timer was due', async () => {
    contacts([]);
    const [record] = await run('perform', { cleanedRequest: waitingRecord({ waiting_since: undefined }), inputData: { event: 'waiting' } });
    expect(record).toMatchObject({ waiting_since: '2026-11-24T09:05:00+08:00', hours_waited: 1.5 });
  });

  test('a waiting record without its task is an error that says so; another event ignores waiting records', async () => {
    expect(await said(run('perform', { cleanedRequest: waitingRecord({ task_id: null }), inputData: { event: 'waiting' } }))).toMatch(/"waiting" record without its task/);
    await expect(run('perform', { cleanedRequest: waitingRecord(), inputData: { event: 'approved' } })).resolves.toEqual([]);
    await expect(run('perform', { cleanedRequest: relayRecord('approved'), inputData: { event: 'waiting' } })).resolves.toEqual([]);
  });
});

describe('hydration: one metered call per delivery, shared by the Zaps that received it', () => {
  test('the record is the approval record plus the waiting fields and the step name; a second Zap costs nothing', async () => {
    contacts([]);
    const [record] = await run('perform', { cleanedRequest: waitingRecord({ template_code: 'PROC-FAKE-EXPENSE-0001' }), inputData: { event: 'waiting' } });
    const metered: string[] = [];
    // The Template Name: one list call, remembered for a week for every template on the page.
    api()
      .get('/v1.0/workflow/processes/userVisibilities/templates')
      .query(true)
      .reply(() => {
        metered.push('templates');
        return [200, templates];
      });
    const named = structuredClone(running);
    named.result.operationRecords.push({ ...named.result.operationRecords[0]!, activityId: 'a1f0_7c2e', showName: 'Finance Review', type: 'EXECUTE_TASK_NORMAL' } as never);
    api()
      .get('/v1.0/workflow/processInstances')
      .query((query) => {
        metered.push(String(query.processInstanceId));
        return true;
      })
      .reply(200, named);
    const hydrate = App.hydrators!.instantWaitingApproval as never;
    const first = (await appTester(hydrate, { authData, inputData: hoisted(record!).bundle, meta } as never)) as Record<string, unknown>;
    const second = (await appTester(hydrate, { authData, inputData: hoisted(record!).bundle, meta } as never)) as Record<string, unknown>;
    expect(metered.sort()).toEqual(['pi-fake-expense-0002', 'templates']);
    expect(second).toEqual(first);
    const { $HOIST$: _, ...stub } = record!;
    expect(first).toMatchObject({ ...stub, step_name: 'Finance Review', template_name: 'Expense Claim 費用報銷', title: expect.any(String), created_at: expect.stringMatching(/\+08:00$/), tasks: expect.any(Array) });
    // Exactly the keys of the polling trigger's record (its static sample; form fields depend on the template).
    const fixed = (record: object) => Object.keys(record).filter((key) => !key.startsWith('form__')).sort();
    expect(fixed(first)).toEqual(fixed(waitingSample));
  });
});

describe('performList', () => {
  test('asks the relay for this Zap\'s waiting records (hours, approvers) and delivers them as perform does, each once', async () => {
    contacts([]);
    const seen = relay('get', /^\/v1\/events/, 200, { events: [waitingRecord(), waitingRecord({ event_id: 'timer:sub_0002:70000000003:5400000' })] });
    const records = await run('performList', { inputData: { event: 'waiting', hours: '1.5', approverUserIds: 'user-lee-0002' } });
    expect(seen.map((s) => Object.fromEntries(new URL(s.path, 'https://relay.example.test').searchParams))).toEqual([
      { kinds: 'waiting', limit: '3', waiting_hours: '1.5', approvers: 'user-lee-0002' },
    ]);
    expect(records.map((r: Delivered) => [r.id, r.approver_name, r.manager_name])).toEqual([['pi-fake-expense-0002:task-70000000003:after-1.5h', 'Lee Ka Yan', 'Wong Siu Ming']]);
  });

  test('an empty log falls back to Approval Waiting Too Long\'s static sample', async () => {
    relay('get', /^\/v1\/events/, 200, { events: [] });
    await expect(run('performList', { inputData: { event: 'waiting' } })).resolves.toEqual([waitingSample]);
  });
});
