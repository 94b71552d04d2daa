import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../../index';
import schemaBody from '../fixtures/query-schema.json';
import forecastBody from '../fixtures/process-forecast.json';
import runningBody from '../fixtures/get-process-instance-running.json';
import { allowUnusedMocks, api, appTester, authData, failure, meta, oapi } from '../helpers';

const CODE = 'PROC-FAKE-EXPENSE-0001';
const create = App.creates!.start_approval!;
type Perform = (z: ZObject, bundle: Bundle) => Promise<Record<string, unknown>>;
const perform = create.operation.perform as Perform;
const run = (inputData: Record<string, unknown>) => appTester(perform, { authData, inputData: { processCode: CODE, ...inputData }, meta }, true);
const fields = (inputData: Record<string, unknown>) =>
  appTester(create.operation.inputFields as never, { authData, inputData: { processCode: CODE, ...inputData }, meta }, true) as Promise<Record<string, unknown>[]>;

const schema = () => api().get('/v1.0/workflow/forms/schemas/processCodes').query({ processCode: CODE }).reply(200, schemaBody);

/** A complete, valid form for the fixture template. */
const validForm = {
  form__TextField_FAKE01: 'Client visit to Shenzhen',
  form__DDSelectField_FAKE02: 'Travel',
  form__DDMultiSelectField_FAKE03: ['Invoice 發票', 'Receipt 收據'],
  form__DDDateField_FAKE04: '2026-11-20T09:30:00+08:00',
  form__DDDateRangeField_FAKE05__start: '2026-11-16',
  form__DDDateRangeField_FAKE05__end: '2026-11-18',
  form__NumberField_FAKE06: '2',
  form__MoneyField_FAKE07: '6,480.50',
  form__TableField_FAKE08: [
    { TextField_FAKE08A: 'Hotel', DDDateField_FAKE08B: '2026-11-17', MoneyField_FAKE08C: '4280.5' },
    { TextField_FAKE08A: 'Train', DDDateField_FAKE08B: '2026-11-16', MoneyField_FAKE08C: '2200' },
  ],
  form__InnerContactField_FAKE10: 'user-wong-0002',
  form__DepartmentField_FAKE11: ['900000101', '900000102'],
  form__TextareaField_FAKE12: 'Receipts to follow',
};

describe('dynamic input fields', () => {
  test('one typed field per form component; attachments and notes are left out with a reason', async () => {
    schema();
    const result = await fields({});
    const dynamic = result.filter((f) => String(f.key).startsWith('form__'));
    expect(dynamic).toEqual([
      { key: 'form__TextField_FAKE01', label: 'Claim Title 報銷事由', required: true, type: 'string' },
      { key: 'form__DDSelectField_FAKE02', label: 'Expense Type 費用類型', required: true, type: 'string', choices: expect.objectContaining({ Travel: 'Travel', Meals: 'Meals' }) },
      {
        key: 'form__DDMultiSelectField_FAKE03',
        label: 'Receipt Types 單據類型',
        required: false,
        type: 'string',
        list: true,
        choices: { 'Invoice 發票': 'Invoice 發票', 'Receipt 收據': 'Receipt 收據', 'Boarding Pass 登機證': 'Boarding Pass 登機證', 'Octopus Record 八達通紀錄': 'Octopus Record 八達通紀錄' },
      },
      { key: 'form__DDDateField_FAKE04', label: 'Claim Date 申請日期', required: true, type: 'datetime', helpText: expect.stringContaining('yyyy-MM-dd') },
      { key: 'form__DDDateRangeField_FAKE05__start', label: 'Trip Start 出差開始', required: false, type: 'datetime', helpText: expect.any(String) },
      { key: 'form__DDDateRangeField_FAKE05__end', label: 'Trip End 出差結束', required: false, type: 'datetime', helpText: expect.any(String) },
      { key: 'form__NumberField_FAKE06', label: 'Number of Receipts 單據數量', required: true, type: 'number', helpText: expect.stringMatching(/^In 張\. A number such as 6480\.50 or 6,480\.50/) },
      { key: 'form__MoneyField_FAKE07', label: 'Total Amount (HKD) 總金額', required: true, type: 'number', helpText: expect.stringContaining('up to 2 decimal places and 15 digits') },
      {
        key: 'form__TableField_FAKE08',
        label: 'Expense Details 費用明細',
        required: true,
        children: [
          { key: 'TextField_FAKE08A', label: 'Description 說明', required: true, type: 'string' },
          { key: 'DDDateField_FAKE08B', label: 'Receipt Date 單據日期', required: true, type: 'datetime', helpText: expect.any(String) },
          { key: 'MoneyField_FAKE08C', label: 'Amount (HKD) 金額', required: true, type: 'number', helpText: expect.any(String) },
        ],
      },
      { key: 'form__InnerContactField_FAKE10', label: 'Travelling Colleague 同行同事', required: false, type: 'string', list: false, dynamic: 'list_users.id.name', search: 'find_user.id', helpText: 'One DingTalk user.' },
      { key: 'form__DepartmentField_FAKE11', label: 'Cost Centre 成本中心', required: true, type: 'string', list: true, dynamic: 'list_departments.id.name' },
      { key: 'form__TextareaField_FAKE12', label: 'Remarks 備註', required: false, type: 'text' },
      { key: 'form__attachments_note', label: 'About Attachments', type: 'copy', helpText: expect.stringContaining('Receipts 單據附件 stays empty') },
    ]);
  });

  test('with an originator, the approvers the template leaves to them become required fields', async () => {
    schema();
    oapi().post('/topapi/v2/user/get').query(true).reply(200, { errcode: 0, result: { userid: 'user-chan-0001', name: 'Chan', dept_id_list: [900000101] } });
    const forecast = api()
      .post('/v1.0/workflow/processes/forecast', { processCode: CODE, deptId: 900000101, userId: 'user-chan-0001', formComponentValues: [] })
      .reply(200, forecastBody);
    const result = await fields({ originatorUserId: 'user-chan-0001' });
    expect(result.filter((f) => String(f.key).startsWith('approver__'))).toEqual([
      expect.objectContaining({ key: 'approver__manual_1918_5cd3_7e2a_4f1b', required: true, dynamic: 'list_users.id.name', search: 'find_user.id' }),
    ]);
    expect(forecast.isDone()).toBe(true);
  });

  test('if DingTalk cannot predict the flow, the fields still load, with a note', async () => {
    schema();
    oapi().post('/topapi/v2/user/get').query(true).reply(200, { errcode: 0, result: { userid: 'user-chan-0001', name: 'Chan', dept_id_list: [900000101] } });
    api().post('/v1.0/workflow/processes/forecast').reply(400, { code: 'componentIsNull', message: '表单为空', requestid: 'R9' });
    const result = await fields({ originatorUserId: 'user-chan-0001' });
    expect(result.filter((f) => String(f.key).startsWith('approvers_note') || String(f.key).startsWith('approver__'))).toEqual([
      expect.objectContaining({ key: 'approvers_note', type: 'copy', helpText: expect.stringContaining('could not predict') }),
    ]);
    expect(result.some((f) => f.key === 'form__TextField_FAKE01')).toBe(true);
  });
});

describe('starting an approval', () => {
  test('sends every component encoded as DingTalk expects and returns the full record', async () => {
    allowUnusedMocks();
    schema();
    let sent: Record<string, unknown> | undefined;
    api()
      .post('/v1.0/workflow/processInstances', (body) => {
        sent = body;
        return true;
      })
      .reply(200, { instanceId: 'pi-fake-new-0001' });
    api().get('/v1.0/workflow/processInstances').query({ processInstanceId: 'pi-fake-new-0001' }).reply(200, runningBody);
    api().get('/v1.0/workflow/processes/userVisibilities/templates').query(true).reply(200, { result: { processList: [{ name: 'Expense Claim', processCode: CODE }] } });
    oapi().persist().post('/topapi/v2/user/get').query(true).reply(200, (_uri, body) => ({ errcode: 0, result: { userid: (body as { userid: string }).userid, name: 'Someone', dept_id_list: [900000101] } }));

    const record = await run({ originatorUserId: 'user-chan-0001', ...validForm });
    expect(sent).toEqual({
      processCode: CODE,
      originatorUserId: 'user-chan-0001',
      deptId: 900000101,
      microappAgentId: 3000000001,
      formComponentValues: [
        { id: 'TextField_FAKE01', name: 'Claim Title 報銷事由', value: 'Client visit to Shenzhen' },
        { id: 'DDSelectField_FAKE02', name: 'Expense Type 費用類型', value: 'Travel' },
        { id: 'DDMultiSelectField_FAKE03', name: 'Receipt Types 單據類型', value: '["Invoice 發票","Receipt 收據"]' },
        { id: 'DDDateField_FAKE04', name: 'Claim Date 申請日期', value: '2026-11-20' },
        { id: 'DDDateRangeField_FAKE05', name: '["Trip Start 出差開始","Trip End 出差結束"]', value: '["2026-11-16","2026-11-18"]' },
        { id: 'NumberField_FAKE06', name: 'Number of Receipts 單據數量', value: '2' },
        { id: 'MoneyField_FAKE07', name: 'Total Amount (HKD) 總金額', value: '6480.50' },
        {
          id: 'TableField_FAKE08',
          name: 'Expense Details 費用明細',
          value: JSON.stringify([
            [{ name: 'Description 說明', value: 'Hotel' }, { name: 'Receipt Date 單據日期', value: '2026-11-17' }, { name: 'Amount (HKD) 金額', value: '4280.5' }],
            [{ name: 'Description 說明', value: 'Train' }, { name: 'Receipt Date 單據日期', value: '2026-11-16' }, { name: 'Amount (HKD) 金額', value: '2200' }],
          ]),
        },
        { id: 'InnerContactField_FAKE10', name: 'Travelling Colleague 同行同事', value: '["user-wong-0002"]' },
        { id: 'DepartmentField_FAKE11', name: 'Cost Centre 成本中心', value: '900000101,900000102' },
        { id: 'TextareaField_FAKE12', name: 'Remarks 備註', value: 'Receipts to follow' },
      ],
    });
    expect(record).toMatchObject({ id: 'pi-fake-new-0001', status: 'RUNNING', outcome: 'pending', template_code: CODE, template_name: 'Expense Claim 費用報銷' });
  });

  test('custom approvers in order, with CC', async () => {
    allowUnusedMocks();
    schema();
    let sent: Record<string, unknown> | undefined;
    api()
      .post('/v1.0/workflow/processInstances', (body) => ((sent = body), true))
      .reply(200, { instanceId: 'pi-fake-new-0002' });
    api().get('/v1.0/workflow/processInstances').query(true).reply(200, runningBody);
    api().get('/v1.0/workflow/processes/userVisibilities/templates').query(true).reply(200, { result: { processList: [] } });
    oapi().persist().post('/topapi/v2/user/get').query(true).reply(200, { errcode: 0, result: { userid: 'u', name: 'U' } });
    await run({ originatorUserId: 'user-chan-0001', deptId: '900000101', ...validForm, approverUserIds: ['mgr-1', 'dir-1'], ccUserIds: 'fin-1', ccPosition: 'FINISH' });
    expect(sent).toMatchObject({
      deptId: 900000101,
      approvers: [
        { actionType: 'NONE', userIds: ['mgr-1'] },
        { actionType: 'NONE', userIds: ['dir-1'] },
      ],
      ccList: ['fin-1'],
      ccPosition: 'FINISH',
    });
  });

  test('once DingTalk has started the approval, a failed read-back still reports success (so Zapier does not start it again)', async () => {
    schema();
    api().post('/v1.0/workflow/processInstances').reply(200, { instanceId: 'pi-fake-new-0003' });
    api().get('/v1.0/workflow/processInstances').query(true).reply(403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: '' });
    const record = await run({ originatorUserId: 'user-chan-0001', deptId: '900000101', ...validForm });
    expect(record).toEqual({
      id: 'pi-fake-new-0003',
      template_code: CODE,
      status: 'RUNNING',
      outcome: 'pending',
      originator_user_id: 'user-chan-0001',
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/),
      note: 'DingTalk started approval pi-fake-new-0003, but reading the approval back failed (DingTalk was rate-limiting this app). The other fields show what this step knows; use Find Approval in a later step for the full record.',
    });
  });

  test('every problem is listed at once and nothing is sent', async () => {
    schema();
    const error = await failure(
      run({
        originatorUserId: 'user-chan-0001',
        ...validForm,
        form__TextField_FAKE01: '',
        form__DDSelectField_FAKE02: 'Lunch',
        form__MoneyField_FAKE07: 'about 500',
        form__DDDateField_FAKE04: 'next Tuesday',
        form__TableField_FAKE08: [{ TextField_FAKE08A: 'Hotel', MoneyField_FAKE08C: 'x' }],
        form__InnerContactField_FAKE10: ['a', 'b'],
        ccUserIds: ['fin-1'],
      }),
    );
    expect(JSON.parse(error.message)).toEqual({
      message:
        'Claim Title 報銷事由 is required; Expense Type 費用類型 must be one of Meals, Travel, Transport, Office Supplies, Client Entertainment, not "Lunch"; ' +
        'Claim Date 申請日期 "next Tuesday" is not a date (write it like 2026-11-24, 2026-11-24 14:30, 2026-11-24T14:30:00+08:00 or 24/11/2026 (day first)); ' +
        'Total Amount (HKD) 總金額 "about 500" is not a number (write it like 6480.50 or 6,480.50, with commas only between groups of three and a point for decimals); ' +
        'Expense Details 費用明細 row 1: Receipt Date 單據日期 is required; ' +
        'Expense Details 費用明細 row 1: Amount (HKD) 金額 "x" is not a number (write it like 6480.50 or 6,480.50, with commas only between groups of three and a point for decimals); ' +
        'Travelling Colleague 同行同事 takes one user; CC only works together with Approvers (DingTalk ignores it otherwise).',
      code: 'InvalidInput',
      status: 400,
    });
  });

  test('DingTalk\'s own rejection comes back as a sentence that says what to fix', async () => {
    schema();
    api()
      .post('/v1.0/workflow/processInstances')
      .reply(400, { code: 'targetSelectApproverMissing', message: '缺少自选审批人', requestid: 'R7' });
    const error = await failure(run({ originatorUserId: 'user-chan-0001', deptId: '900000101', ...validForm }));
    expect(error.message).toContain('The template asks the originator to choose approvers. Fill in every approver field.');
  });
});
