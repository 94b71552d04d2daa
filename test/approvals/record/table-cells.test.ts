/**
 * Table (明細) rows typed like top-level fields (issue 8, part 4), on every shape DingTalk's docs and public code
 * show: cells whose `value` is a JSON string or a real array, `extendValue` objects, cells without `componentType`,
 * and empty values as "", "null" or null. Row attachments become Zapier files and join the record's attachments.
 */
import { flattenForm, type RawFormValue } from '../../../approvals/record/form';
import { approvalRecord, type FileRef } from '../../../approvals/record/record';
import { ProcessInstance } from '../../../dingtalk/schemas/workflow';
import h5demo from '../../fixtures/dingtalk-payloads/getprocessinstance-h5approvedemo-legacy-camel-1.json';

const table = (rows: unknown, name = 'Items') => flattenForm([{ name, value: JSON.stringify(rows), componentType: 'TableField' }]);

describe('the h5app-approve-demo payload (GetProcessInstance as recorded by public code)', () => {
  const flat = flattenForm(h5demo.data[0]!.formComponentValues as RawFormValue[]);

  it('types each cell by its componentType: numbers as numbers, photos as lists', () => {
    expect(flat.fields.form__物品明细).toEqual([
      {
        物品名称: '测试物品领用-电脑',
        数量: 3,
        图片: [
          'https://img.alicdn.com/imgextra/i4/O1CN01Y2sejp27k1TCmDENg_!!6000000007834-2-tps-1924-918.png',
          'https://img.alicdn.com/imgextra/i4/O1CN015zvwqo1WDNSZzfk4O_!!6000000002754-2-tps-2878-1520.png',
        ],
      },
      { 物品名称: '测试物品领用-电脑1', 数量: 2 },
    ]);
  });

  it('an empty photo field ("null") is an empty list, never the text "null"', () => {
    expect(flat.fields.form__图片).toEqual([]);
  });
});

describe('cells as public code shows them', () => {
  it('value as a real array, extendValue objects, and no componentType (typed by the key)', () => {
    const rows = [
      {
        rowValue: [
          { label: 'Tags', key: 'DDMultiSelectField_T1', value: ['Taxi', 'Late night'] },
          { label: 'Amount', key: 'MoneyField_A1', value: '1,280.50' },
          { label: 'Who', key: 'InnerContactField_W1', value: '陳大文', extendValue: [{ emplId: 'user-chan-0001', name: '陳大文' }] },
          { label: 'Cost Centre', key: 'DepartmentField_C1', value: 'Sales', extendValue: { id: '900000101', name: 'Sales' } },
          { label: 'Day', key: 'DDDateField_D1', value: '2026-11-24' },
          { label: 'Span', key: 'DDDateRangeField_S1', value: '["2026-11-24 09:00","2026-11-24 18:00"]' },
        ],
      },
    ];
    expect(table(rows).fields.form__Items).toEqual([
      {
        Tags: ['Taxi', 'Late night'],
        Amount: 1280.5,
        Who: [{ id: 'user-chan-0001', name: '陳大文' }],
        Who__ids: ['user-chan-0001'],
        Who__names: ['陳大文'],
        Cost_Centre: [{ id: '900000101', name: 'Sales' }],
        Cost_Centre__ids: ['900000101'],
        Cost_Centre__names: ['Sales'],
        Day: '2026-11-24',
        Span: { start: '2026-11-24T09:00:00+08:00', end: '2026-11-24T18:00:00+08:00' },
        Span__start: '2026-11-24T09:00:00+08:00',
        Span__end: '2026-11-24T18:00:00+08:00',
      },
    ]);
  });

  it('componentType and extValue given as JSON strings', () => {
    const rows = [
      {
        rowValue: [
          { label: 'Qty', componentType: 'NumberField', value: '2' },
          { label: 'Who', componentType: 'InnerContactField', value: '["user-lee-0002"]', extValue: '[{"userId":"user-lee-0002","name":"Lee"}]' },
        ],
      },
    ];
    expect(table(rows).fields.form__Items).toEqual([{ Qty: 2, Who: [{ id: 'user-lee-0002', name: 'Lee' }], Who__ids: ['user-lee-0002'], Who__names: ['Lee'] }]);
  });

  it.each([
    ['""', ''],
    ['"null"', 'null'],
    ['null', null],
  ])('an empty cell (%s) is null, or an empty list for a list field', (_, empty) => {
    const rows = [
      {
        rowValue: [
          { label: 'Note', key: 'TextField_N', value: empty },
          { label: 'Amount', key: 'MoneyField_A', value: empty },
          { label: 'Day', key: 'DDDateField_D', value: empty },
          { label: 'Tags', key: 'DDMultiSelectField_T', value: empty },
          { label: 'Receipt', key: 'DDAttachment_R', value: empty },
        ],
      },
    ];
    expect(table(rows).fields.form__Items).toEqual([{ Note: null, Amount: null, Day: null, Tags: [], Receipt: [] }]);
  });

  it('a whole table given as a real array (the legacy request example) is read like its JSON string', () => {
    const detail = ProcessInstance.parse({
      status: 'RUNNING',
      formComponentValues: [{ name: '明细', componentType: 'TableField', value: [[{ name: '单行输入框', value: '明细单行输入框' }, { name: '数字输入框', value: '100' }]] }],
    });
    expect(flattenForm(detail.formComponentValues ?? []).fields.form__明细).toEqual([{ 单行输入框: '明细单行输入框', 数字输入框: '100' }]);
  });
});

describe('attachments inside table rows', () => {
  const receipt = (fileId: string, fileName: string) => ({ spaceId: '1000000001', fileId, fileName, fileSize: '2048', fileType: 'pdf' });
  const detail = ProcessInstance.parse({
    status: 'COMPLETED',
    result: 'agree',
    formComponentValues: [
      { name: 'Receipts', componentType: 'DDAttachment', value: JSON.stringify([receipt('f-top', 'summary.pdf')]) },
      {
        name: 'Expense Details',
        componentType: 'TableField',
        value: JSON.stringify([
          // One cell carries its files as a JSON string, the other as a real array; the second has no componentType.
          { rowValue: [{ label: 'Description', key: 'TextField_D', value: 'Taxi' }, { label: 'Receipt', componentType: 'DDAttachment', key: 'DDAttachment_R', value: JSON.stringify([receipt('f-1', 'taxi.pdf')]) }] },
          { rowValue: [{ label: 'Description', key: 'TextField_D', value: 'Hotel' }, { label: 'Receipt', key: 'DDAttachment_R', value: [receipt('f-2', 'hotel.pdf')] }] },
        ]),
      },
    ],
  });
  const file = jest.fn((ref: FileRef) => `file:${ref.fileId}:${ref.name}`);
  const record = approvalRecord('pi-1', detail, { processCode: null, templateName: null, names: new Map(), file });

  it('each row carries its receipts as Zapier files, hydrated like top-level attachments', () => {
    expect((record as Record<string, unknown>).form__Expense_Details).toEqual([
      { Description: 'Taxi', Receipt: ['taxi.pdf'], Receipt__files: ['file:f-1:taxi.pdf'] },
      { Description: 'Hotel', Receipt: ['hotel.pdf'], Receipt__files: ['file:f-2:hotel.pdf'] },
    ]);
    expect(file).toHaveBeenCalledWith({ processInstanceId: 'pi-1', fileId: 'f-1', name: 'taxi.pdf', type: 'pdf', comment: false });
  });

  it('and they also appear in the record\'s attachments, with the row they came from', () => {
    expect(record.attachments).toEqual([
      { name: 'summary.pdf', file: 'file:f-top:summary.pdf', size: 2048, type: 'pdf', file_id: 'f-top', space_id: '1000000001', field: 'Receipts' },
      { name: 'taxi.pdf', file: 'file:f-1:taxi.pdf', size: 2048, type: 'pdf', file_id: 'f-1', space_id: '1000000001', field: 'Expense Details row 1: Receipt' },
      { name: 'hotel.pdf', file: 'file:f-2:hotel.pdf', size: 2048, type: 'pdf', file_id: 'f-2', space_id: '1000000001', field: 'Expense Details row 2: Receipt' },
    ]);
  });
});
