/**
 * find_approval through createAppTester: by approval id (one GetProcessInstance; DingTalk's 400 "not found"
 * codes are a miss), and by business id within a template (the list calls DingTalk receives, detail reads until
 * a match, the hard cap), the exact record returned, and input errors listed together.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../../index';
import { MAX_DETAIL_FETCHES } from '../../approvals/record/find';
import { rememberDetail } from '../../approvals/record/detail';
import { approvalRecord } from '../../approvals/record/record';
import { zapierStore } from '../../zapier/store';
import { FindProcessInstanceResponseBody, GetProcessInstanceResponseBody, ProcessInstance } from '../../dingtalk/schemas/workflow';
import { allowUnusedMocks, api, appTester, authData, failure, meta, oapi, TOKEN } from '../helpers';
import completed from '../fixtures/get-process-instance.json';
import templatesPage1 from '../fixtures/list-templates-page1.json';

const ID = 'pi-fake-expense-0001';
const CODE = 'PROC-FAKE-EXPENSE-0001';
const DAY = 24 * 3600 * 1000;
const NAMES: Record<string, string> = { 'user-chan-0001': '陳嘉欣 Chan Ka Yan', 'user-lee-0002': 'Lee Siu Wai', 'user-ho-0004': 'Ho Chi Keung' };
const DETAIL_PATH = '/v1.0/workflow/processInstances';
const LIST_PATH = '/v1.0/workflow/processes/instanceIds/query';

const tester = appTester as unknown as { zcacheTestObj: Record<string, unknown> };
const findApproval = (inputData: Record<string, unknown>) => {
  const operation = App.searches!.find_approval!.operation as { perform: (z: ZObject, bundle: Bundle) => Promise<unknown> };
  return appTester(operation.perform, { authData, inputData, meta }) as Promise<Record<string, unknown>[]>;
};
const dehydrated = (ref: Record<string, unknown>) => `hydrate|||${JSON.stringify({ type: 'file', method: 'hydrators.attachmentFile', bundle: ref })}|||hydrate`;
const expectedRecord = (id: string, processCode: string | null, templateName: string | null) =>
  JSON.parse(JSON.stringify(approvalRecord(id, ProcessInstance.parse(completed.result), { processCode, templateName, names: new Map(Object.entries(NAMES)), file: (ref) => dehydrated({ ...ref }) })));

/** GetProcessInstance: answers each id with `reply(id)` and records the ids asked for. */
function details(reply: (id: string) => [number, Record<string, unknown>], times = 1) {
  const asked: string[] = [];
  api().get(DETAIL_PATH).query(true).times(times).reply((uri) => {
    const id = new URL(uri, 'https://api.dingtalk.com').searchParams.get('processInstanceId')!;
    asked.push(id);
    return reply(id);
  });
  return asked;
}
const userNames = () =>
  oapi().post('/topapi/v2/user/get').query({ access_token: TOKEN }).times(3).reply((_uri, body) => {
    const { userid } = body as { userid: string };
    return [200, { errcode: 0, errmsg: 'ok', result: { userid, name: NAMES[userid] } }];
  });
/** ListProcessInstanceIds over `ids`, 20 per page; records every body DingTalk received. */
function instanceIds(ids: string[], pages = Math.ceil(ids.length / 20) || 1) {
  const bodies: Record<string, unknown>[] = [];
  api().post(LIST_PATH).times(pages).reply((_uri, body) => {
    const request = body as { nextToken: number };
    bodies.push(request);
    const more = request.nextToken + 20 < ids.length;
    return [200, { result: { list: ids.slice(request.nextToken, request.nextToken + 20), ...(more ? { nextToken: String(request.nextToken + 20) } : {}) } }];
  });
  return bodies;
}
const withBusinessId = (businessId: string) => ({ ...completed, result: { ...completed.result, businessId } });

beforeEach(() => {
  tester.zcacheTestObj = {};
});

/** The clock runs (the limiter paces by it), so a window is checked for its length and for ending now. */
function expectWindow(body: Record<string, unknown>, days: number, before: number, after: number) {
  const { startTime, endTime } = body as { startTime: number; endTime: number };
  expect(endTime - startTime).toBe(days * DAY);
  expect(endTime).toBeGreaterThanOrEqual(before);
  expect(endTime).toBeLessThanOrEqual(after);
}

describe('find_approval by approval id', () => {
  test('one GetProcessInstance with the id in the query, then the full record with its template named', async () => {
    const asked = details(() => [200, completed]);
    userNames();
    api().get('/v1.0/workflow/processes/userVisibilities/templates').query({ maxResults: '100', nextToken: '0' }).reply(200, templatesPage1);
    await expect(findApproval({ approvalId: ` ${ID} `, processCode: CODE })).resolves.toEqual([expectedRecord(ID, CODE, 'Expense Claim 費用報銷')]);
    expect(asked).toEqual([ID]);
  });

  test('without a Template the record leaves Template Code and Name empty and costs no template call', async () => {
    details(() => [200, completed]);
    userNames();
    await expect(findApproval({ approvalId: ID })).resolves.toEqual([expectedRecord(ID, null, null)]);
  });

  test.each(['processInstanceNotExist', 'processInstanceIdError'])('DingTalk\'s 400 %s is a miss: []', async (code) => {
    const asked = details(() => [400, { code, message: '审批实例不存在', requestid: 'fake-req-0001' }]);
    await expect(findApproval({ approvalId: 'pi-gone' })).resolves.toEqual([]);
    expect(asked).toEqual(['pi-gone']);
  });

  test('any other 400 is still an error', async () => {
    details(() => [400, { code: 'invalidParameter', message: '获取单个审批实例详情参数错误', requestid: 'fake-req-0002' }]);
    const error = await failure(findApproval({ approvalId: ID }));
    expect(error.message).toMatch(/invalidParameter/);
  });

  test('a Business ID given with it must agree, or it is a miss', async () => {
    details(() => [200, completed]);
    await expect(findApproval({ approvalId: ID, businessId: 'OTHER-0001' })).resolves.toEqual([]);
  });

  test('the lookup\'s schema reads what the contract-tested GetProcessInstance schema reads, with result optional', () => {
    expect(Object.keys(FindProcessInstanceResponseBody.shape)).toEqual(Object.keys(GetProcessInstanceResponseBody.shape));
    expect(FindProcessInstanceResponseBody.shape.result.unwrap().unwrap()).toBe(ProcessInstance);
    expect(GetProcessInstanceResponseBody.shape.result).toBe(ProcessInstance);
  });

  test('a detail the approval triggers cached costs no DingTalk call', async () => {
    await appTester((z: ZObject) => rememberDetail(zapierStore(z), ID, completed.result as never), { authData, inputData: {}, meta });
    userNames();
    const [found] = await findApproval({ approvalId: ID });
    expect(found).toMatchObject({ id: ID, business_id: completed.result.businessId });
  });
});

describe('find_approval by business id', () => {
  const ids = Array.from({ length: 45 }, (_, i) => `pi-${String(i + 1).padStart(3, '0')}`);

  test('lists the template\'s approvals in the look-back window and reads details until the business id matches', async () => {
    // Reading stops at the match, so some detail answers go unused.
    allowUnusedMocks();
    const bodies = instanceIds(ids);
    const asked = details((id) => [200, withBusinessId(id === 'pi-023' ? 'BIZ-0023' : `BIZ-OTHER-${id}`)], ids.length);
    userNames();
    api().get('/v1.0/workflow/processes/userVisibilities/templates').query(true).reply(200, templatesPage1);
    const before = Date.now();
    const [found, ...more] = await findApproval({ processCode: CODE, businessId: 'BIZ-0023', lookBackDays: '7' });
    expect(more).toEqual([]);
    expect(found).toEqual({ ...expectedRecord('pi-023', CODE, 'Expense Claim 費用報銷'), business_id: 'BIZ-0023' });
    const window = { startTime: bodies[0]!.startTime, endTime: bodies[0]!.endTime };
    expect(bodies).toEqual([
      { processCode: CODE, ...window, nextToken: 0, maxResults: 20 },
      { processCode: CODE, ...window, nextToken: 20, maxResults: 20 },
      { processCode: CODE, ...window, nextToken: 40, maxResults: 20 },
    ]);
    expectWindow(bodies[0]!, 7, before, Date.now());
    // In list order, at most 10 starts a second; reads already started when the match's reply arrives still run,
    // and how many that is depends on reply timing (on a loaded machine the reply can come after the next second's
    // reads have started), so the test asserts that everything up to the match was read and that reading stops
    // short of the list's end.
    expect(asked).toEqual(expect.arrayContaining(ids.slice(0, 23)));
    expect(asked.length).toBeLessThan(ids.length);
  });

  test(`reads at most ${MAX_DETAIL_FETCHES} approvals (3 list calls), then gives up with []`, async () => {
    // 70 approvals in the window: the fourth page is never asked for.
    const bodies = instanceIds(Array.from({ length: 70 }, (_, i) => `pi-${i}`), 3);
    const asked = details(() => [200, withBusinessId('BIZ-NOPE')], MAX_DETAIL_FETCHES);
    const before = Date.now();
    await expect(findApproval({ processCode: CODE, businessId: 'BIZ-0023' })).resolves.toEqual([]);
    expect(bodies.map((body) => body.nextToken)).toEqual([0, 20, 40]);
    // The default look-back is 30 days.
    expectWindow(bodies[0]!, 30, before, Date.now());
    expect(asked).toHaveLength(MAX_DETAIL_FETCHES);
    expect(new Set(asked).size).toBe(MAX_DETAIL_FETCHES);
  });

  test('no approval in the window is [] after one list call', async () => {
    const bodies = instanceIds([]);
    await expect(findApproval({ processCode: CODE, businessId: 'BIZ-0023' })).resolves.toEqual([]);
    expect(bodies).toHaveLength(1);
  });
});

describe('find_approval input', () => {
  test.each([
    [{}, 'Enter an Approval ID or a Business ID.'],
    [{ businessId: 'BIZ-1', lookBackDays: '200' }, 'Pick a Template to search by Business ID; Look Back (Days) must be a whole number from 1 to 120.'],
    [{ processCode: CODE, businessId: 'BIZ-1', lookBackDays: '2.5' }, 'Look Back (Days) must be a whole number from 1 to 120.'],
  ])('%j is refused before any call', async (inputData, message) => {
    const error = await failure(findApproval(inputData));
    expect(JSON.parse(error.message)).toEqual({ message, code: 'InvalidInput', status: 400 });
  });
});
