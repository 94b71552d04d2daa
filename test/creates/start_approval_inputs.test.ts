/**
 * Start Approval refuses bad input before anything is sent, and never changes a value silently (issue 8, part 3).
 * Each refusal names the field, lists every problem at once, and DingTalk receives no write and no lookup.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../../index';
import schemaBody from '../fixtures/query-schema.json';
import runningBody from '../fixtures/get-process-instance-running.json';
import { allowUnusedMocks, api, appTester, authData, failure, meta, oapi } from '../helpers';

const CODE = 'PROC-FAKE-EXPENSE-0001';
type Perform = (z: ZObject, bundle: Bundle) => Promise<Record<string, unknown>>;
const perform = App.creates!.start_approval!.operation.perform as Perform;
const run = (inputData: Record<string, unknown>) =>
  appTester(perform, { authData, inputData: { processCode: CODE, originatorUserId: 'user-chan-0001', deptId: '900000101', ...inputData }, meta }, true);

const validForm = {
  form__TextField_FAKE01: 'Client visit to Shenzhen',
  form__DDSelectField_FAKE02: 'Travel',
  form__DDDateField_FAKE04: '2026-11-20',
  form__NumberField_FAKE06: '2',
  form__MoneyField_FAKE07: '6,480.50',
  form__TableField_FAKE08: [{ TextField_FAKE08A: 'Hotel', DDDateField_FAKE08B: '2026-11-17', MoneyField_FAKE08C: '4280.50' }],
  form__DepartmentField_FAKE11: ['900000101'],
};

/** The template schema (a read), and every other DingTalk route counted: a refusal must reach none of them. */
function dingtalk() {
  allowUnusedMocks();
  api().get('/v1.0/workflow/forms/schemas/processCodes').query({ processCode: CODE }).reply(200, schemaBody);
  const reached: string[] = [];
  const count = (uri: string) => (reached.push(uri), [200, { instanceId: 'pi-should-not-exist' }] as [number, object]);
  api().persist().post(/.*/).reply((uri) => count(uri));
  api().persist().get(/^\/v1\.0\/workflow\/processInstances/).query(true).reply((uri) => count(uri));
  oapi().persist().post(/.*/).query(true).reply((uri) => count(uri));
  return reached;
}

/** The refusal's sentence list, from Zapier's error JSON. */
async function refusal(inputData: Record<string, unknown>) {
  const reached = dingtalk();
  const error = await failure(run({ ...validForm, ...inputData }));
  const { message, code } = JSON.parse(error.message) as { message: string; code: string };
  expect(code).toBe('InvalidInput');
  expect(reached).toEqual([]);
  return message;
}

describe('dates', () => {
  it.each([
    ['1', '"1" is not a date'],
    ['12', '"12" is not a date'],
    ['Invoice 5', '"Invoice 5" is not a date'],
    ['2026-02-30', '"2026-02-30" is not a real date'],
  ])('date %j is refused, not sent as some other date', async (typed, why) => {
    expect(await refusal({ form__DDDateField_FAKE04: typed })).toBe(
      `Claim Date 申請日期 ${why} (write it like 2026-11-24, 2026-11-24 14:30, 2026-11-24T14:30:00+08:00 or 24/11/2026 (day first)).`,
    );
  });

  it('a slash date is read day first, as Hong Kong writes it: 01/02/2026 is 1 February', async () => {
    const sent = await started({ form__DDDateField_FAKE04: '01/02/2026' });
    expect(sent.find((v) => v.id === 'DDDateField_FAKE04')?.value).toBe('2026-02-01');
  });

  it('a date range that ends before it starts is refused', async () => {
    expect(await refusal({ form__DDDateRangeField_FAKE05__start: '2026-11-18', form__DDDateRangeField_FAKE05__end: '2026-11-16' })).toBe(
      'Trip End 出差結束 (2026-11-16) is before Trip Start 出差開始 (2026-11-18).',
    );
  });

  it('half a date range is refused', async () => {
    expect(await refusal({ form__DDDateRangeField_FAKE05__start: '2026-11-18' })).toBe('Trip End 出差結束 is required when Trip Start 出差開始 is set.');
  });
});

describe('money', () => {
  it.each([
    ['6.480,50', 'is not a number'],
    ['1,2,3', 'is not a number'],
    ['99999999999999999999', 'has more than 15 digits, which DingTalk would round'],
    ['6480.505', 'has more than 2 decimal places'],
  ])('money %j is refused', async (typed, why) => {
    expect(await refusal({ form__MoneyField_FAKE07: typed })).toContain(`Total Amount (HKD) 總金額 "${typed}" ${why}`);
  });
});

describe('tables (明細)', () => {
  it('a line of text is refused with an example of the accepted form, not dropped', async () => {
    expect(await refusal({ form__TableField_FAKE08: 'Taxi,2026-11-24,100' })).toBe(
      'Expense Details 費用明細 takes line items, or a JSON array of rows such as ' +
        '[{"Description 說明":"Taxi","Receipt Date 單據日期":"2026-11-24","Amount (HKD) 金額":"100"}], not "Taxi,2026-11-24,100".',
    );
  });

  it('a JSON array of rows keyed by column label or id is accepted and every cell checked', async () => {
    const rows = JSON.stringify([
      { 'Description 說明': 'Taxi', 'Receipt Date 單據日期': '24/11/2026', 'Amount (HKD) 金額': '100' },
      { TextField_FAKE08A: 'Dinner', DDDateField_FAKE08B: '2026-11-25', MoneyField_FAKE08C: '1,200.50' },
    ]);
    const sent = await started({ form__TableField_FAKE08: rows });
    expect(JSON.parse(sent.find((v) => v.id === 'TableField_FAKE08')!.value)).toEqual([
      [{ name: 'Description 說明', value: 'Taxi' }, { name: 'Receipt Date 單據日期', value: '2026-11-24' }, { name: 'Amount (HKD) 金額', value: '100' }],
      [{ name: 'Description 說明', value: 'Dinner' }, { name: 'Receipt Date 單據日期', value: '2026-11-25' }, { name: 'Amount (HKD) 金額', value: '1200.50' }],
    ]);
  });

  it('a column the table does not have is refused, not dropped', async () => {
    expect(await refusal({ form__TableField_FAKE08: [{ ...validForm.form__TableField_FAKE08[0], Tip: '10' }] })).toBe(
      'Expense Details 費用明細 row 1 has columns the table does not have: "Tip" (its columns are Description 說明, Receipt Date 單據日期, Amount (HKD) 金額).',
    );
  });

  it('500 rows get a message about size, not the advice meant for attachments', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ TextField_FAKE08A: `Taxi from the office to client number ${i}`, DDDateField_FAKE08B: '2026-11-24', MoneyField_FAKE08C: '100' }));
    const message = await refusal({ form__TableField_FAKE08: rows });
    expect(message).toMatch(/^Expense Details 費用明細 is [\d,]+ characters once encoded; DingTalk accepts at most 65,535 for a whole table: 500 rows is too many; DingTalk suggests at most 100\. Split the line items over several approvals\.$/);
    expect(message).not.toMatch(/attachment/i);
  });
});

describe('length, echo and every problem at once', () => {
  it('a text value over 65,535 UTF-16 units is refused: an emoji counts as two, as on a Java server', async () => {
    expect(await refusal({ form__TextareaField_FAKE12: '😀'.repeat(32_768) })).toBe(
      'Remarks 備註 is 65,536 characters once encoded; DingTalk accepts at most 65,535 per field.',
    );
  });

  it('a 10,000-character input is not echoed whole', async () => {
    const message = await refusal({ form__DDSelectField_FAKE02: 'x'.repeat(10_000) });
    expect(message).toContain(`, not "${'x'.repeat(40)}…" (10,000 characters)`);
    expect(message.length).toBeLessThan(300);
  });

  it('every problem, each naming its field, in one refusal', async () => {
    const message = await refusal({ form__DDDateField_FAKE04: '12', form__MoneyField_FAKE07: '1,2,3', form__TableField_FAKE08: 'Taxi,2026-11-24,100' });
    expect(message.split('; ').map((problem) => problem.split(' ').slice(0, 2).join(' '))).toEqual(['Claim Date', 'Total Amount', 'Expense Details']);
  });
});

/** Starts an approval with the valid form plus `inputData`, and returns the form values DingTalk received. */
async function started(inputData: Record<string, unknown>): Promise<{ id: string; name: string; value: string }[]> {
  allowUnusedMocks();
  api().get('/v1.0/workflow/forms/schemas/processCodes').query({ processCode: CODE }).reply(200, schemaBody);
  let sent: { formComponentValues: { id: string; name: string; value: string }[] } | undefined;
  api()
    .post('/v1.0/workflow/processInstances', (body) => ((sent = body), true))
    .reply(200, { instanceId: 'pi-fake-new-0009' });
  api().get('/v1.0/workflow/processInstances').query(true).reply(200, runningBody);
  api().get('/v1.0/workflow/processes/userVisibilities/templates').query(true).reply(200, { result: { processList: [] } });
  oapi().persist().post('/topapi/v2/user/get').query(true).reply(200, { errcode: 0, result: { userid: 'u', name: 'U' } });
  await run({ ...validForm, ...inputData });
  return sent!.formComponentValues;
}
