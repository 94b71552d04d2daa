/**
 * flattenForm: every component type's conversion from DingTalk's string-encoded values (dingtalk-api.md §2.3,
 * §2.5) into typed Zapier fields, plus the real GetProcessInstance fixture flattened end to end.
 */
import { fieldKey, flattenForm, toList, toNumber, type RawFormValue } from '../../../approvals/record/form';
import completed from '../../fixtures/get-process-instance.json';

/** Flattens a single component. */
const one = (raw: RawFormValue) => flattenForm([raw]);

describe('text components stay text', () => {
  it.each([
    ['TextField', 'Client visit', 'Client visit'],
    ['TextareaField', 'Line one\nLine two 第二行', 'Line one\nLine two 第二行'],
    ['DDSelectField', 'Travel', 'Travel'],
    ['PhoneField', '+852 9123 4567', '+852 9123 4567'],
  ])('%s', (componentType, value, expected) => {
    expect(one({ name: 'Label', value, componentType })).toEqual({
      fields: { form__Label: expected },
      form: [{ label: 'Label', type: componentType, value: expected }],
      attachments: [],
    });
  });

  it('a missing value becomes null, not undefined or the empty string', () => {
    expect(one({ name: 'Note', value: null, componentType: 'TextField' }).fields).toEqual({ form__Note: null });
    expect(one({ name: 'Note', value: '', componentType: 'TextField' }).fields).toEqual({ form__Note: null });
  });

  it('a numeric-looking text field is not turned into a number', () => {
    expect(one({ name: 'Invoice No', value: '000123', componentType: 'TextField' }).fields).toEqual({ form__Invoice_No: '000123' });
  });
});

describe('MoneyField, NumberField and StarRatingField become numbers', () => {
  it.each([
    ['MoneyField', '5,000.50', 5000.5],
    ['MoneyField', '2380.50', 2380.5],
    ['MoneyField', '1，200', 1200],
    ['MoneyField', '-12.5', -12.5],
    ['NumberField', '3', 3],
    ['NumberField', ' 42 ', 42],
    ['StarRatingField', '4', 4],
  ])('%s %j → %j', (componentType, value, expected) => {
    expect(one({ name: 'Amount', value, componentType }).fields).toEqual({ form__Amount: expected });
  });

  it.each([
    ['MoneyField', 'HK$100'],
    ['NumberField', 'about ten'],
    ['MoneyField', 'Infinity'],
  ])('%s %j is not a number and stays text', (componentType, value) => {
    expect(one({ name: 'Amount', value, componentType }).fields).toEqual({ form__Amount: value });
  });

  it.each(['MoneyField', 'NumberField', 'StarRatingField'])('%s with an empty value is null', (componentType) => {
    expect(one({ name: 'Amount', value: '', componentType })).toEqual({
      fields: { form__Amount: null },
      form: [{ label: 'Amount', type: componentType, value: null }],
      attachments: [],
    });
    expect(one({ name: 'Amount', componentType }).fields).toEqual({ form__Amount: null });
  });

  it('toNumber on its own', () => {
    expect(toNumber('5,000.50')).toBe(5000.5);
    expect(toNumber('')).toBe('');
    expect(toNumber('n/a')).toBe('n/a');
  });
});

describe('DDMultiSelectField becomes a list', () => {
  it('from a JSON array string (what DingTalk sends)', () => {
    expect(one({ name: 'Cost Centres', value: '["Sales","Marketing 市場部"]', componentType: 'DDMultiSelectField' })).toEqual({
      fields: { form__Cost_Centres: ['Sales', 'Marketing 市場部'] },
      form: [{ label: 'Cost Centres', type: 'DDMultiSelectField', value: ['Sales', 'Marketing 市場部'] }],
      attachments: [],
    });
  });

  it('from a comma-separated string (ASCII and full-width commas), trimmed', () => {
    expect(one({ name: 'Cost Centres', value: 'Sales, Marketing，Finance', componentType: 'DDMultiSelectField' }).fields).toEqual({
      form__Cost_Centres: ['Sales', 'Marketing', 'Finance'],
    });
  });

  it('empty → empty list', () => {
    expect(one({ name: 'Cost Centres', value: '', componentType: 'DDMultiSelectField' }).fields).toEqual({ form__Cost_Centres: [] });
  });

  it('toList keeps non-string JSON items as text', () => {
    expect(toList('[1,"two",{"a":3}]')).toEqual(['1', 'two', '{"a":3}']);
  });
});

describe('DDDateField', () => {
  it('a date stays a date', () => {
    expect(one({ name: 'Expense Date', value: '2026-11-20', componentType: 'DDDateField' }).fields).toEqual({ form__Expense_Date: '2026-11-20' });
  });

  it('a date with a time becomes ISO-8601 in the org zone (+08:00)', () => {
    expect(one({ name: 'Start', value: '2026-11-20 10:00', componentType: 'DDDateField' }).fields).toEqual({ form__Start: '2026-11-20T10:00:00+08:00' });
    expect(one({ name: 'Start', value: '2026-11-20 10:00:30', componentType: 'DDDateField' }).fields).toEqual({ form__Start: '2026-11-20T10:00:30+08:00' });
  });

  it('an unrecognised format passes through; empty is null', () => {
    expect(one({ name: 'Start', value: '20/11/2026', componentType: 'DDDateField' }).fields).toEqual({ form__Start: '20/11/2026' });
    expect(one({ name: 'Start', value: '', componentType: 'DDDateField' }).fields).toEqual({ form__Start: null });
  });
});

describe('DDDateRangeField', () => {
  it('the label is a JSON array ("Start ~ End"); the value becomes {start, end} plus __start/__end', () => {
    expect(one({ name: '["Trip Start","Trip End"]', value: '["2026-11-16","2026-11-18 18:30"]', componentType: 'DDDateRangeField' })).toEqual({
      fields: {
        form__Trip_Start_Trip_End: { start: '2026-11-16', end: '2026-11-18T18:30:00+08:00' },
        form__Trip_Start_Trip_End__start: '2026-11-16',
        form__Trip_Start_Trip_End__end: '2026-11-18T18:30:00+08:00',
      },
      form: [{ label: 'Trip Start ~ Trip End', type: 'DDDateRangeField', value: { start: '2026-11-16', end: '2026-11-18T18:30:00+08:00' } }],
      attachments: [],
    });
  });

  it('a plain label is kept; an unparseable value gives null halves', () => {
    expect(one({ name: 'Leave', value: 'soon', componentType: 'DDDateRangeField' }).fields).toEqual({
      form__Leave: { start: null, end: null },
      form__Leave__start: null,
      form__Leave__end: null,
    });
  });
});

describe('TableField becomes line items keyed by child label', () => {
  const typed = [
    { Description_說明: 'Taxi', Amount_HKD: 120.5 },
    { Description_說明: 'Dinner, 2 people', Amount_HKD: 880 },
  ];

  it('GetProcessInstance shape: [{rowValue: [{label, value, key}]}], cells typed by their key', () => {
    const value = JSON.stringify([
      { rowValue: [{ label: 'Description 說明', value: 'Taxi', key: 'TextField_A' }, { label: 'Amount (HKD)', value: '120.50', key: 'MoneyField_B' }], rowNumber: 'ROW1' },
      { rowValue: [{ label: 'Description 說明', value: 'Dinner, 2 people', key: 'TextField_A' }, { label: 'Amount (HKD)', value: '880', key: 'MoneyField_B' }], rowNumber: 'ROW2' },
    ]);
    expect(one({ name: 'Items', value, componentType: 'TableField' })).toEqual({
      fields: { form__Items: typed },
      form: [{ label: 'Items', type: 'TableField', value: typed }],
      attachments: [],
    });
  });

  it('StartProcessInstance shape: [[{name, value}]]; a cell with no type or typed key stays text', () => {
    const value = JSON.stringify([
      [{ name: 'Description 說明', value: 'Taxi' }, { name: 'Amount (HKD)', value: '120.50' }],
      [{ name: 'Description 說明', value: 'Dinner, 2 people' }, { name: 'Amount (HKD)', value: '880' }],
    ]);
    expect(one({ name: 'Items', value, componentType: 'TableField' }).fields).toEqual({
      form__Items: [
        { Description_說明: 'Taxi', Amount_HKD: '120.50' },
        { Description_說明: 'Dinner, 2 people', Amount_HKD: '880' },
      ],
    });
  });

  it('untyped non-string cell values are kept as text, empty ones are null; a cell without a label falls back to its key', () => {
    const value = JSON.stringify([[{ name: 'Qty', value: 2 }, { name: 'Tags', value: ['a'] }, { name: 'Empty', value: null }, { key: 'K1', value: 'x' }]]);
    expect(one({ name: 'Items', value, componentType: 'TableField' }).fields).toEqual({
      form__Items: [{ Qty: '2', Tags: '["a"]', Empty: null, K1: 'x' }],
    });
  });

  it('a value that is not JSON stays text', () => {
    expect(one({ name: 'Items', value: 'see attachment', componentType: 'TableField' }).fields).toEqual({ form__Items: 'see attachment' });
  });
});

describe('InnerContactField and DepartmentField: ids and names', () => {
  it('InnerContactField with emplId in extValue', () => {
    const extValue = JSON.stringify([
      { emplId: 'user-wong-0003', name: '黃家明 Wong Ka Ming', avatar: '' },
      { emplId: 'user-lee-0002', name: 'Lee Siu Wai', avatar: '' },
    ]);
    expect(one({ name: 'Colleagues', value: '黃家明 Wong Ka Ming,Lee Siu Wai', extValue, componentType: 'InnerContactField' })).toEqual({
      fields: {
        form__Colleagues: [
          { id: 'user-wong-0003', name: '黃家明 Wong Ka Ming' },
          { id: 'user-lee-0002', name: 'Lee Siu Wai' },
        ],
        form__Colleagues__ids: ['user-wong-0003', 'user-lee-0002'],
        form__Colleagues__names: ['黃家明 Wong Ka Ming', 'Lee Siu Wai'],
      },
      form: [
        {
          label: 'Colleagues',
          type: 'InnerContactField',
          value: [
            { id: 'user-wong-0003', name: '黃家明 Wong Ka Ming' },
            { id: 'user-lee-0002', name: 'Lee Siu Wai' },
          ],
        },
      ],
      attachments: [],
    });
  });

  it('InnerContactField with userId keys', () => {
    const extValue = JSON.stringify([{ userId: 'u1', name: 'Ann' }]);
    expect(one({ name: 'Who', value: 'Ann', extValue, componentType: 'InnerContactField' }).fields).toEqual({
      form__Who: [{ id: 'u1', name: 'Ann' }],
      form__Who__ids: ['u1'],
      form__Who__names: ['Ann'],
    });
  });

  it('InnerContactField without extValue: a JSON array value holds user ids (StartProcessInstance shape)', () => {
    expect(one({ name: 'Who', value: '["u1","u2"]', componentType: 'InnerContactField' }).fields).toEqual({
      form__Who: [{ id: 'u1', name: null }, { id: 'u2', name: null }],
      form__Who__ids: ['u1', 'u2'],
      form__Who__names: [],
    });
  });

  it('DepartmentField with id in extValue', () => {
    const extValue = JSON.stringify([{ id: '900000101', name: 'Sales 銷售部' }, { id: 900000102, name: 'Finance' }]);
    expect(one({ name: 'Departments', value: 'Sales 銷售部,Finance', extValue, componentType: 'DepartmentField' }).fields).toEqual({
      form__Departments: [
        { id: '900000101', name: 'Sales 銷售部' },
        { id: '900000102', name: 'Finance' },
      ],
      form__Departments__ids: ['900000101', '900000102'],
      form__Departments__names: ['Sales 銷售部', 'Finance'],
    });
  });

  it('DepartmentField whose extValue is one object with itemId (the fixture shape) keeps the id', () => {
    const extValue = JSON.stringify({ deptName: 'Sales 銷售部', itemId: '900000101', name: 'Sales 銷售部' });
    expect(one({ name: 'Cost Centre', value: 'Sales 銷售部', extValue, componentType: 'DepartmentField' }).fields).toEqual({
      form__Cost_Centre: [{ id: '900000101', name: 'Sales 銷售部' }],
      form__Cost_Centre__ids: ['900000101'],
      form__Cost_Centre__names: ['Sales 銷售部'],
    });
  });

  it('DepartmentField without extValue: names only from the value', () => {
    expect(one({ name: 'Departments', value: 'Sales,Finance', componentType: 'DepartmentField' }).fields).toEqual({
      form__Departments: [{ id: null, name: 'Sales' }, { id: null, name: 'Finance' }],
      form__Departments__ids: [],
      form__Departments__names: ['Sales', 'Finance'],
    });
  });
});

describe('DDAttachment and DDPhotoField', () => {
  it('DDAttachment: names as the value, and an attachments entry per file (size a number, type lowercase)', () => {
    const value = JSON.stringify([
      { spaceId: '163000658', fileName: '2644.JPG', fileSize: '333', fileType: 'JPG', fileId: '643000140' },
      { spaceId: 163000659, fileName: 'invoice.pdf', fileSize: 88213, fileType: 'pdf', fileId: 643000141 },
      { fileName: 'no id, skipped.pdf', fileType: 'pdf' },
      { fileId: 'f-3' },
    ]);
    expect(one({ name: 'Receipts', value, componentType: 'DDAttachment' })).toEqual({
      fields: { form__Receipts: ['2644.JPG', 'invoice.pdf', 'attachment-f-3'] },
      form: [{ label: 'Receipts', type: 'DDAttachment', value: ['2644.JPG', 'invoice.pdf', 'attachment-f-3'] }],
      attachments: [
        { field: 'Receipts', file_id: '643000140', name: '2644.JPG', size: 333, type: 'jpg', space_id: '163000658' },
        { field: 'Receipts', file_id: '643000141', name: 'invoice.pdf', size: 88213, type: 'pdf', space_id: '163000659' },
        { field: 'Receipts', file_id: 'f-3', name: 'attachment-f-3', size: null, type: '', space_id: null },
      ],
    });
  });

  it('DDAttachment: empty or not JSON → no files', () => {
    expect(one({ name: 'Receipts', value: '', componentType: 'DDAttachment' })).toEqual({
      fields: { form__Receipts: [] },
      form: [{ label: 'Receipts', type: 'DDAttachment', value: [] }],
      attachments: [],
    });
  });

  it('DDPhotoField: a JSON array of image URLs becomes a list', () => {
    const value = '["https://static.dingtalk.com/media/1.png","https://static.dingtalk.com/media/2.jpg"]';
    expect(one({ name: 'Photos', value, componentType: 'DDPhotoField' })).toEqual({
      fields: { form__Photos: ['https://static.dingtalk.com/media/1.png', 'https://static.dingtalk.com/media/2.jpg'] },
      form: [{ label: 'Photos', type: 'DDPhotoField', value: ['https://static.dingtalk.com/media/1.png', 'https://static.dingtalk.com/media/2.jpg'] }],
      attachments: [],
    });
    expect(one({ name: 'Photos', value: '', componentType: 'DDPhotoField' }).fields).toEqual({ form__Photos: [] });
  });
});

describe('labels, keys and unknown components', () => {
  it('TextNote is skipped', () => {
    expect(flattenForm([
      { name: 'Please attach receipts', value: '', componentType: 'TextNote' },
      { name: 'Reason', value: 'Dinner', componentType: 'TextField' },
    ])).toEqual({
      fields: { form__Reason: 'Dinner' },
      form: [{ label: 'Reason', type: 'TextField', value: 'Dinner' }],
      attachments: [],
    });
  });

  it('an unknown component type passes through as text, never dropped', () => {
    expect(flattenForm([
      { name: 'Address', value: '北京,北京市,东城区', componentType: 'AddressField' },
      { name: 'Related', value: '["pi-1"]', componentType: 'RelateField' },
      { name: 'Brand New', value: '{"x":1}', componentType: 'SomeFutureField' },
      { name: 'No Type', value: 'plain' },
    ])).toEqual({
      fields: { form__Address: '北京,北京市,东城区', form__Related: '["pi-1"]', form__Brand_New: '{"x":1}', form__No_Type: 'plain' },
      form: [
        { label: 'Address', type: 'AddressField', value: '北京,北京市,东城区' },
        { label: 'Related', type: 'RelateField', value: '["pi-1"]' },
        { label: 'Brand New', type: 'SomeFutureField', value: '{"x":1}' },
        { label: 'No Type', type: 'Unknown', value: 'plain' },
      ],
      attachments: [],
    });
  });

  it('duplicate labels get _2, _3 (and never overwrite a real "_2" label)', () => {
    const { fields, form } = flattenForm([
      { name: 'Amount', value: '1', componentType: 'NumberField' },
      { name: 'Amount', value: '2', componentType: 'NumberField' },
      { name: 'Amount 2', value: 'x', componentType: 'TextField' },
      { name: 'Amount', value: '3', componentType: 'NumberField' },
    ]);
    expect(fields).toEqual({ form__Amount: 1, form__Amount_2: 2, form__Amount_2_2: 'x', form__Amount_3: 3 });
    expect(Object.keys(fields)).toEqual(['form__Amount', 'form__Amount_2', 'form__Amount_2_2', 'form__Amount_3']);
    expect(form.map((f) => f.label)).toEqual(['Amount', 'Amount', 'Amount 2', 'Amount']);
  });

  it('a duplicate date range suffixes its __start/__end keys too', () => {
    expect(Object.keys(flattenForm([
      { name: '["From","To"]', value: '["2026-01-01","2026-01-02"]', componentType: 'DDDateRangeField' },
      { name: '["From","To"]', value: '["2026-02-01","2026-02-02"]', componentType: 'DDDateRangeField' },
    ]).fields)).toEqual(['form__From_To', 'form__From_To__start', 'form__From_To__end', 'form__From_To_2', 'form__From_To_2__start', 'form__From_To_2__end']);
  });

  it('CJK labels keep their characters; punctuation becomes "_"', () => {
    expect(one({ name: '金額', value: '100', componentType: 'MoneyField' }).fields).toEqual({ form__金額: 100 });
    expect(fieldKey('Total Amount (HKD) 總金額')).toBe('form__Total_Amount_HKD_總金額');
    expect(fieldKey('  申請日期（必填）')).toBe('form__申請日期_必填');
    expect(fieldKey('Café №5')).toBe('form__Café_5');
    expect(fieldKey('***')).toBe('form__Field');
  });

  it('a component without a name uses its id as the label', () => {
    expect(one({ id: 'TextField_X1', value: 'v', componentType: 'TextField' })).toEqual({
      fields: { form__TextField_X1: 'v' },
      form: [{ label: 'TextField_X1', type: 'TextField', value: 'v' }],
      attachments: [],
    });
  });
});

describe('the real GetProcessInstance fixture', () => {
  const flat = flattenForm(completed.result.formComponentValues);

  const expense = [
    { Description_說明: 'High-speed rail West Kowloon–Futian 高鐵車票', Receipt_Date_單據日期: '2026-11-16', Amount_HKD_金額: 236 },
    { Description_說明: 'Hotel, 2 nights 酒店住宿兩晚', Receipt_Date_單據日期: '2026-11-18', Amount_HKD_金額: 1680 },
    { Description_說明: 'Client dinner 客戶晚宴', Receipt_Date_單據日期: '2026-11-17', Amount_HKD_金額: 464.5 },
  ];
  const colleague = [{ id: 'user-wong-0003', name: '黃家明 Wong Ka Ming' }];
  const costCentre = [{ id: '900000101', name: 'Sales 銷售部' }];
  const remarks = 'Met the Futian supplier about Q1 2027 orders.\n與福田供應商商討2027年第一季訂單。';

  it('fields, exactly and in form order', () => {
    const expected = {
      form__Claim_Title_報銷事由: 'Client visit to Shenzhen 深圳客戶拜訪',
      form__Expense_Type_費用類型: 'Travel',
      form__Receipt_Types_單據類型: ['Invoice 發票', 'Receipt 收據'],
      form__Claim_Date_申請日期: '2026-11-20',
      form__Trip_Start_出差開始_Trip_End_出差結束: { start: '2026-11-16', end: '2026-11-18' },
      form__Trip_Start_出差開始_Trip_End_出差結束__start: '2026-11-16',
      form__Trip_Start_出差開始_Trip_End_出差結束__end: '2026-11-18',
      form__Number_of_Receipts_單據數量: 3,
      form__Total_Amount_HKD_總金額: 2380.5,
      form__Expense_Details_費用明細: expense,
      form__Receipts_單據附件: ['attachment-fake-file-0001.jpg', 'hotel-invoice-20261118.pdf'],
      form__Travelling_Colleague_同行同事: colleague,
      form__Travelling_Colleague_同行同事__ids: ['user-wong-0003'],
      form__Travelling_Colleague_同行同事__names: ['黃家明 Wong Ka Ming'],
      form__Cost_Centre_成本中心: costCentre,
      form__Cost_Centre_成本中心__ids: ['900000101'],
      form__Cost_Centre_成本中心__names: ['Sales 銷售部'],
      form__Remarks_備註: remarks,
    };
    expect(flat.fields).toEqual(expected);
    expect(Object.keys(flat.fields)).toEqual(Object.keys(expected));
  });

  it('form list, exactly', () => {
    expect(flat.form).toEqual([
      { label: 'Claim Title 報銷事由', type: 'TextField', value: 'Client visit to Shenzhen 深圳客戶拜訪' },
      { label: 'Expense Type 費用類型', type: 'DDSelectField', value: 'Travel' },
      { label: 'Receipt Types 單據類型', type: 'DDMultiSelectField', value: ['Invoice 發票', 'Receipt 收據'] },
      { label: 'Claim Date 申請日期', type: 'DDDateField', value: '2026-11-20' },
      { label: 'Trip Start 出差開始 ~ Trip End 出差結束', type: 'DDDateRangeField', value: { start: '2026-11-16', end: '2026-11-18' } },
      { label: 'Number of Receipts 單據數量', type: 'NumberField', value: 3 },
      { label: 'Total Amount (HKD) 總金額', type: 'MoneyField', value: 2380.5 },
      { label: 'Expense Details 費用明細', type: 'TableField', value: expense },
      { label: 'Receipts 單據附件', type: 'DDAttachment', value: ['attachment-fake-file-0001.jpg', 'hotel-invoice-20261118.pdf'] },
      { label: 'Travelling Colleague 同行同事', type: 'InnerContactField', value: colleague },
      { label: 'Cost Centre 成本中心', type: 'DepartmentField', value: costCentre },
      { label: 'Remarks 備註', type: 'TextareaField', value: remarks },
    ]);
  });

  it('attachments, exactly', () => {
    expect(flat.attachments).toEqual([
      { field: 'Receipts 單據附件', file_id: 'fake-file-0001', name: 'attachment-fake-file-0001.jpg', size: 204800, type: 'jpg', space_id: '1000000001' },
      { field: 'Receipts 單據附件', file_id: 'fake-file-0002', name: 'hotel-invoice-20261118.pdf', size: 88213, type: 'pdf', space_id: '1000000001' },
    ]);
  });
});

describe('edge values DingTalk sends', () => {
  test('an empty field arrives as the string "null" and becomes null, not the word null', () => {
    const { fields } = flattenForm([
      { name: 'Notes', value: 'null', componentType: 'TextareaField' },
      { name: 'Amount', value: 'null', componentType: 'MoneyField' },
    ]);
    expect(fields).toEqual({ form__Notes: null, form__Amount: null });
  });

  test('only plain decimals become numbers', () => {
    expect(toNumber('0x10')).toBe('0x10');
    expect(toNumber('1e3')).toBe('1e3');
    expect(toNumber('-12.50')).toBe(-12.5);
    expect(toNumber('HK$ 20')).toBe('HK$ 20');
  });

  test('a file without a size has size null, not 0', () => {
    const { attachments } = flattenForm([
      { name: 'Receipt', value: JSON.stringify([{ fileId: 'f-9', fileName: 'a.pdf', fileType: 'pdf', fileSize: null }]), componentType: 'DDAttachment' },
    ]);
    expect(attachments[0]?.size).toBeNull();
  });
});
