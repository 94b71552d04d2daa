/**
 * Instances beyond the happy path: DingTalk's validation codes, revoke rules, comments and operation records,
 * list paging and windows, and the form encodings as the app's own encoder writes and its parser reads them.
 */
import { encodeForm } from '../../approvals/start/form-encode';
import { flattenForm } from '../../approvals/record/form';
import type { Transport } from '../../dingtalk/transport';
import {
  addProcessInstanceComment,
  executeProcessInstance,
  findProcessInstance,
  getProcessInstance,
  listAllProcessInstanceIds,
  listProcessInstanceIds,
  querySchemaByProcessCode,
  startProcessInstance,
  terminateProcessInstance,
  type FormComponentValueInput,
} from '../../dingtalk/workflow';
import { codes, DAY, dingTalkError, people, raw, sandboxSuite, tokenFor } from './helpers';

const start = sandboxSuite();

const claim: FormComponentValueInput[] = [
  { name: 'Claim Title 報銷事由', value: 'Stationery 文具' },
  { name: 'Expense Type 費用類型', value: 'Office Supplies' },
  { name: 'Claim Date 申請日期', value: '2026-11-20' },
  { name: 'Total Amount (HKD) 總金額', value: '320' },
];

const startClaim = (transport: Transport, values = claim, originatorUserId: string = people.chan) =>
  startProcessInstance(transport, { processCode: codes.expense, originatorUserId, deptId: 100, formComponentValues: values });

const codeOf = async (promise: Promise<unknown>) => (await dingTalkError(promise)).problem.code;

describe('StartProcessInstance validates like DingTalk', () => {
  test.each([
    ['an unknown template', 'processCodeError', { processCode: 'PROC-NOPE' }],
    ['an unknown originator', 'processInstanceInvalidParameter', { originatorUserId: 'nobody' }],
    ['an inactive originator', 'processInstanceInvalidParameter', { originatorUserId: 'user-kwok-0011' }],
    ['a department the originator is not in', 'processInstanceInvalidParameter', { deptId: 200 }],
    ['another app agent', 'invalidAgentId', { microappAgentId: 42 }],
    ['a missing required field', 'formConverterError', { formComponentValues: claim.slice(1) }],
    ['an amount that is not a number', 'formConverterError', { formComponentValues: [...claim.slice(0, 3), { name: 'Total Amount (HKD) 總金額', value: 'HK$320' }] }],
    ['an option the field does not offer', 'formConverterError', { formComponentValues: [claim[0]!, { name: 'Expense Type 費用類型', value: 'Gifts' }, ...claim.slice(2)] }],
    ['a field the form does not have', 'illegalComponent', { formComponentValues: [...claim, { name: 'Colour', value: 'red' }] }],
    ['a table row with an unknown cell', 'formConverterError', { formComponentValues: [...claim, { name: 'Expense Details 費用明細', value: '[[{"name":"Nope","value":"1"}]]' }] }],
  ])('%s → %s', async (_what, code, override) => {
    const { transport } = await start();
    expect(await codeOf(startProcessInstance(transport, { processCode: codes.expense, originatorUserId: people.chan, deptId: 100, formComponentValues: claim, ...override }))).toBe(code);
  });

  test('a missing deptId is refused only when the template flow is used', async () => {
    const { transport } = await start();
    expect(await codeOf(startProcessInstance(transport, { processCode: codes.expense, originatorUserId: people.chan, formComponentValues: claim }))).toBe('processInstanceInvalidParameter');
    const id = await startProcessInstance(transport, { processCode: codes.expense, originatorUserId: people.chan, approvers: [{ actionType: 'NONE', userIds: [people.finance] }], formComponentValues: claim });
    expect(await getProcessInstance(transport, id)).toMatchObject({ originatorDeptId: '100', originatorDeptName: 'Sales 銷售部' });
  });

  test('deptId -1 files the approval under the root department', async () => {
    const { transport } = await start();
    const id = await startProcessInstance(transport, { processCode: codes.expense, originatorUserId: people.chan, deptId: -1, formComponentValues: claim });
    expect(await getProcessInstance(transport, id)).toMatchObject({ originatorDeptId: '-1', originatorDeptName: 'Lion Rock Trading Ltd 獅子山貿易有限公司' });
  });
});

test('what the app encodes, the sandbox returns in the response encodings, and the app reads back typed', async () => {
  const { transport } = await start();
  const { components } = await querySchemaByProcessCode(transport, codes.expense);
  const encoded = encodeForm(components, {
    form__TextField_EXP01: 'Client visit to Shenzhen 深圳客戶拜訪',
    form__DDSelectField_EXP02: 'Travel',
    form__DDDateField_EXP03: '2026-11-20',
    form__MoneyField_EXP04: '2380.50',
    form__TableField_EXP05: [
      { TextField_EXP05A: 'Hotel 酒店', DDDateField_EXP05B: '2026-11-18', MoneyField_EXP05C: '1680' },
      { TextField_EXP05A: 'Dinner 晚宴', DDDateField_EXP05B: '2026-11-17', MoneyField_EXP05C: '700.5' },
    ],
  });
  expect(encoded.problems).toEqual([]);
  const id = await startClaim(transport, encoded.values);
  const detail = await getProcessInstance(transport, id);

  const byType = Object.fromEntries((detail.formComponentValues ?? []).map((value) => [value.componentType, value]));
  expect(byType.MoneyField).toMatchObject({ value: '2380.50', extValue: JSON.stringify({ upper: '貳仟叁佰捌拾元伍角' }), bizAlias: 'totalAmount' });
  expect(byType.DDSelectField).toMatchObject({ value: 'Travel', extValue: JSON.stringify({ label: 'Travel', key: 'option_1' }) });
  expect(JSON.parse(byType.TableField?.value ?? '')).toEqual([
    {
      rowValue: [
        { componentType: 'TextField', label: 'Description 說明', value: 'Hotel 酒店', key: 'TextField_EXP05A' },
        { componentType: 'DDDateField', label: 'Receipt Date 單據日期', value: '2026-11-18', key: 'DDDateField_EXP05B' },
        { componentType: 'MoneyField', label: 'Amount (HKD) 金額', value: '1680', key: 'MoneyField_EXP05C' },
      ],
      rowNumber: 'TableField_EXP05_ROW1',
    },
    expect.objectContaining({ rowNumber: 'TableField_EXP05_ROW2' }),
  ]);

  const flat = flattenForm(detail.formComponentValues ?? []);
  expect(flat.fields).toMatchObject({
    form__Total_Amount_HKD_總金額: 2380.5,
    form__Expense_Type_費用類型: 'Travel',
    form__Expense_Details_費用明細: [
      { Description_說明: 'Hotel 酒店', Receipt_Date_單據日期: '2026-11-18', Amount_HKD_金額: 1680 },
      { Description_說明: 'Dinner 晚宴', Receipt_Date_單據日期: '2026-11-17', Amount_HKD_金額: 700.5 },
    ],
  });
});

test('contacts and departments come back by name, with ids in extValue', async () => {
  const { transport } = await start();
  const id = await startProcessInstance(transport, {
    processCode: codes.travel,
    originatorUserId: people.chan,
    deptId: 100,
    formComponentValues: [
      { name: 'Trip Purpose 出差目的', value: 'Trade fair' },
      { name: 'Destination 目的地', value: 'Japan 日本' },
      { name: '["Departure 出發日期","Return 返回日期"]', value: '["2026-12-01","2026-12-03"]' },
      { name: 'Estimated Cost (HKD) 預計費用', value: '15000' },
      { name: 'Travelling Colleagues 同行同事', value: JSON.stringify([people.wong]) },
    ],
  });
  const flat = flattenForm((await getProcessInstance(transport, id)).formComponentValues ?? []);
  expect(flat.fields).toMatchObject({
    form__Travelling_Colleagues_同行同事__ids: [people.wong],
    form__Travelling_Colleagues_同行同事__names: ['黃家明 Wong Ka Ming'],
    form__Departure_出發日期_Return_返回日期__start: expect.stringMatching(/^2026-12-01/),
  });
});

describe('revoke (TerminateProcessInstance)', () => {
  test('not within 15 s of the start; then TERMINATED with a record; not twice', async () => {
    const { sandbox, transport } = await start();
    const id = await startClaim(transport);
    const revoke = () => terminateProcessInstance(transport, { processInstanceId: id, isSystem: false, operatingUserId: people.chan, remark: 'Wrong amount' });
    expect(await codeOf(revoke())).toBe('aflowProcessInstStatusException');
    sandbox.org.advance(15_001);
    await expect(revoke()).resolves.toBe(true);
    const detail = await getProcessInstance(transport, id);
    expect(detail).toMatchObject({ status: 'TERMINATED', result: '' });
    expect(detail.tasks?.map((task) => task.status)).toEqual(['CANCELED']);
    expect(detail.operationRecords?.at(-1)).toMatchObject({ type: 'TERMINATE_PROCESS_INSTANCE', userId: people.chan, remark: 'Wrong amount', result: 'NONE' });
    expect(await codeOf(revoke())).toBe('aflowProcessInstStatusException');
  });

  test('only the originator may revoke as a user; isSystem must be given', async () => {
    const { sandbox, transport } = await start();
    const id = await startClaim(transport);
    sandbox.org.advance(20_000);
    expect(await codeOf(terminateProcessInstance(transport, { processInstanceId: id, isSystem: false, operatingUserId: people.salesManager }))).toBe('internalError');
    expect(await codeOf(terminateProcessInstance(transport, { processInstanceId: id, operatingUserId: people.chan }))).toBe('invalidInstanceTerminateIsSystem');
    expect(await codeOf(terminateProcessInstance(transport, { processInstanceId: id, isSystem: false }))).toBe('invalidInstanceTerminateOperatingUserId');
    await expect(terminateProcessInstance(transport, { processInstanceId: id, isSystem: true })).resolves.toBe(true);
  });

  test('a person revoking in the app (org.revoke) also ends it TERMINATED', async () => {
    const { sandbox, transport } = await start();
    const id = await startClaim(transport);
    sandbox.org.revoke(id, people.chan);
    expect(await getProcessInstance(transport, id)).toMatchObject({ status: 'TERMINATED' });
    expect(() => sandbox.org.revoke(id, people.chan)).toThrow();
  });
});

describe('ExecuteProcessInstance', () => {
  test('a task that is not running, or not the actioner’s, cannot be executed', async () => {
    const { sandbox, transport } = await start();
    const id = await startClaim(transport);
    const [task] = (await getProcessInstance(transport, id)).tasks ?? [];
    const execute = (userId: string) => executeProcessInstance(transport, { processInstanceId: id, taskId: task?.taskId ?? 0, actionerUserId: userId, result: 'agree' });
    expect(await codeOf(execute(people.director))).toBe('aflowProcessInstCanNotBeExecuted');
    sandbox.org.act(id, people.salesManager, 'agree', 'Done in the app');
    expect(await codeOf(execute(people.salesManager))).toBe('aflowProcessInstCanNotBeExecuted');
    expect((await getProcessInstance(transport, id)).operationRecords?.[1]).toMatchObject({ remark: 'Done in the app', result: 'AGREE' });
    expect(await codeOf(executeProcessInstance(transport, { processInstanceId: 'nope', taskId: 1, actionerUserId: people.chan, result: 'agree' }))).toBe('aflowProcessNotExist');
  });

  test('result must be agree or refuse', async () => {
    const { sandbox } = await start();
    const { data } = await raw.post(
      `${sandbox.url}/v1.0/workflow/processInstances/execute`,
      { processInstanceId: 'x', taskId: 1, actionerUserId: people.chan, result: 'maybe' },
      { headers: { 'x-acs-dingtalk-access-token': await tokenFor(sandbox) } },
    );
    expect(data).toMatchObject({ code: 'invalidInstanceExecuteResult' });
  });
});

test('comments are operation records, on running and finished approvals; text is capped at 1,024 characters', async () => {
  const { transport } = await start();
  const id = await startClaim(transport);
  await addProcessInstanceComment(transport, {
    processInstanceId: id,
    text: 'Receipt photo attached. 已附收據相片。',
    commentUserId: people.accounts,
    file: { photos: ['https://static.example.com/receipt.jpg'], attachments: [{ spaceId: '1000000001', fileId: 'f-1', fileName: 'receipt.pdf', fileSize: '2048', fileType: 'pdf' }] },
  });
  expect((await getProcessInstance(transport, id)).operationRecords?.at(-1)).toMatchObject({
    type: 'ADD_REMARK',
    result: 'NONE',
    userId: people.accounts,
    remark: 'Receipt photo attached. 已附收據相片。',
    images: ['https://static.example.com/receipt.jpg'],
    attachments: [expect.objectContaining({ fileId: 'f-1', fileName: 'receipt.pdf' })],
  });
  expect(await codeOf(addProcessInstanceComment(transport, { processInstanceId: id, text: 'x'.repeat(1025), commentUserId: people.accounts }))).toBe('invalidParameter');
  expect(await codeOf(addProcessInstanceComment(transport, { processInstanceId: id, text: 'hi', commentUserId: 'nobody' }))).toBe('userNotExist');
  expect(await codeOf(addProcessInstanceComment(transport, { processInstanceId: 'nope', text: 'hi', commentUserId: people.chan }))).toBe('aflowProcessInstNotExist');
});

test('an unknown instance is processInstanceNotExist, which Find Approval reads as "not found"', async () => {
  const { transport } = await start();
  expect(await codeOf(getProcessInstance(transport, 'nope'))).toBe('processInstanceNotExist');
  await expect(findProcessInstance(transport, 'nope')).resolves.toBeUndefined();
});

describe('ListProcessInstanceIds', () => {
  test('newest first, 20 a page with a string cursor, filtered by status and originator', async () => {
    const { sandbox, transport } = await start({ qpsLimit: 1000 });
    const ids: string[] = [];
    for (let i = 0; i < 23; i += 1) {
      ids.push(await startClaim(transport, claim, i % 2 ? people.chan : people.wong));
      sandbox.org.advance(1000);
    }
    const params = { processCode: codes.expense, startTime: Date.now() - DAY };
    const first = await listProcessInstanceIds(transport, params);
    expect(first.items).toEqual([...ids].reverse().slice(0, 20));
    expect(first.next).toBe(20);
    const { data } = await raw.post(`${sandbox.url}/v1.0/workflow/processes/instanceIds/query`, { ...params, nextToken: 0, maxResults: 20 }, { headers: { 'x-acs-dingtalk-access-token': await tokenFor(sandbox) } });
    expect(data.result.nextToken).toBe('20');
    const all = await listAllProcessInstanceIds(transport, params);
    expect(all).toMatchObject({ complete: true, pages: 2 });
    expect(all.items).toEqual([...ids].reverse());
    expect((await listAllProcessInstanceIds(transport, { ...params, userIds: [people.wong] })).items).toHaveLength(12);
    expect((await listAllProcessInstanceIds(transport, { ...params, statuses: ['COMPLETED'] })).items).toEqual([]);
  });

  test('approvals started in the same millisecond still come newest first', async () => {
    const clock = Date.now();
    const { transport } = await start({ now: () => clock });
    const ids = [await startClaim(transport), await startClaim(transport), await startClaim(transport)];
    const { items } = await listProcessInstanceIds(transport, { processCode: codes.expense, startTime: clock - 1000 });
    expect(items).toEqual([...ids].reverse());
  });

  test('the window is at most 120 days and the page at most 20', async () => {
    const { sandbox, transport } = await start();
    const now = Date.now();
    expect(await codeOf(listProcessInstanceIds(transport, { processCode: codes.expense, startTime: now - 121 * DAY }))).toBe('invalidEndTime');
    expect(await codeOf(listProcessInstanceIds(transport, { processCode: codes.expense, startTime: now - 200 * DAY, endTime: now - 60 * DAY }))).toBe('invalidEndTime');
    expect(await codeOf(listProcessInstanceIds(transport, { processCode: codes.expense, startTime: now - 400 * DAY, endTime: now - 300 * DAY }))).toBe('invalidInstanceListIdsStartTime');
    const { data } = await raw.post(
      `${sandbox.url}/v1.0/workflow/processes/instanceIds/query`,
      { processCode: codes.expense, startTime: now - DAY, nextToken: 0, maxResults: 21 },
      { headers: { 'x-acs-dingtalk-access-token': await tokenFor(sandbox) } },
    );
    expect(data).toMatchObject({ code: 'invalidMaxResults' });
  });
});
