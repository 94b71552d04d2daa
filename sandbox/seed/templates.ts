/**
 * Four templates a Hong Kong SME actually runs, with the rules their approver chains follow:
 * - Expense Claim: the manager; the Director too when the total is over HK$5,000. Receipts as a table and files.
 * - Business Travel: the manager; Compliance too for a high-risk destination.
 * - New Hire Onboarding: HR, then IT.
 * - Purchase Request: the manager; a Budget Holder the originator chooses (发起人自选, ProcessForecast names its
 *   actorKey); Finance too when the items total more than HK$20,000.
 * Table children carry only the props the SDK's schema model has for children (id, label, required, options, bizAlias).
 */
import type { FlowNode, FormComponent, Template } from '../state';

const field = (componentName: string, id: string, label: string, props: Record<string, unknown> = {}, children?: FormComponent[]): FormComponent => ({
  componentName,
  props: { id, label, required: false, ...props },
  ...(children ? { children } : {}),
});

const manager = (activityId: string): FlowNode => ({
  activityId,
  name: 'Department Manager 部門主管',
  kind: 'approver',
  actor: { type: 'manager' },
  method: 'NONE',
  actorKey: `manager_${activityId}`,
});

const people = (activityId: string, name: string, userIds: string[], extra: Partial<FlowNode> = {}): FlowNode => ({
  activityId,
  name,
  kind: 'approver',
  actor: { type: 'users', userIds },
  method: 'OR',
  actorKey: `approver_${activityId}`,
  ...extra,
});

const cc = (activityId: string, name: string, userIds: string[]): FlowNode => ({
  activityId,
  name,
  kind: 'notifier',
  actor: { type: 'users', userIds },
  method: 'AND',
  actorKey: `notifier_${activityId}`,
});

const base = (processCode: string, processId: number, icon: string, dir: [string, string]) => ({
  processCode,
  processId,
  icon,
  dirId: dir[0],
  dirName: dir[1],
  formUuid: processCode.replace('PROC', 'FORM'),
  creatorUserId: 'user-lau-0008',
  gmtCreate: Date.parse('2025-03-12T09:00:00+08:00'),
  gmtModified: Date.parse('2026-10-05T18:30:00+08:00'),
});

const FINANCE: [string, string] = ['sbx-dir-finance', 'Finance 財務'];
const HR: [string, string] = ['sbx-dir-hr', 'HR 人事'];
const ADMIN: [string, string] = ['sbx-dir-admin', 'Administration 行政'];

export const HIGH_RISK_DESTINATIONS = ['Myanmar 緬甸', 'Ukraine 烏克蘭', 'Other 其他'];

const expense: Template = {
  ...base('PROC-SBX-EXPENSE-0001', 63000000001, 'expense', FINANCE),
  name: 'Expense Claim 費用報銷',
  memo: 'Staff expense claims in HKD. Attach every receipt. 員工費用報銷，請附上所有單據。',
  items: [
    field('TextField', 'TextField_EXP01', 'Claim Title 報銷事由', { required: true, bizAlias: 'claimTitle', placeholder: 'e.g. Client visit to Shenzhen' }),
    field('DDSelectField', 'DDSelectField_EXP02', 'Expense Type 費用類型', {
      required: true,
      options: ['Meals', 'Travel', 'Transport', 'Office Supplies', 'Client Entertainment'].map((value, i) => JSON.stringify({ value, key: `option_${i}` })),
    }),
    field('DDDateField', 'DDDateField_EXP03', 'Claim Date 申請日期', { required: true, format: 'yyyy-MM-dd', unit: '天' }),
    field('MoneyField', 'MoneyField_EXP04', 'Total Amount (HKD) 總金額', { required: true, bizAlias: 'totalAmount', notUpper: '0' }),
    field('TableField', 'TableField_EXP05', 'Expense Details 費用明細', { tableViewMode: 'table', actionName: 'Add Item 增加明細' }, [
      field('TextField', 'TextField_EXP05A', 'Description 說明', { required: true }),
      field('DDDateField', 'DDDateField_EXP05B', 'Receipt Date 單據日期', { required: true }),
      field('MoneyField', 'MoneyField_EXP05C', 'Amount (HKD) 金額', { required: true }),
    ]),
    field('DDAttachment', 'DDAttachment_EXP06', 'Receipts 單據附件'),
    field('TextareaField', 'TextareaField_EXP07', 'Remarks 備註'),
    field('TextNote', 'TextNote_EXP08', 'Claims above HK$5,000 also need Director approval. 超過港幣5,000元的報銷需董事審批。', { notPrint: '1' }),
  ],
  flow: [
    manager('a1f0_7c2e'),
    people('b2e1_8d3f', 'Director 董事', ['user-ng-0006'], { when: { type: 'amountAbove', field: 'MoneyField_EXP04', limit: 5000 } }),
    cc('c3d4_e5f6', 'CC Accounts 抄送會計', ['user-tam-0005']),
  ],
};

const travel: Template = {
  ...base('PROC-SBX-TRAVEL-0002', 63000000002, 'trip', HR),
  name: 'Business Travel 出差申請',
  memo: 'Business trips outside Hong Kong. 香港以外地區的公幹。',
  items: [
    field('TextField', 'TextField_TRV01', 'Trip Purpose 出差目的', { required: true }),
    field('DDSelectField', 'DDSelectField_TRV02', 'Destination 目的地', {
      required: true,
      options: ['Mainland China 中國內地', 'Macau 澳門', 'Taiwan 台灣', 'Japan 日本', 'Singapore 新加坡', 'United Kingdom 英國', 'United States 美國', ...HIGH_RISK_DESTINATIONS],
    }),
    field('DDDateRangeField', 'DDDateRangeField_TRV03', JSON.stringify(['Departure 出發日期', 'Return 返回日期']), { required: true, format: 'yyyy-MM-dd', unit: '天', duration: true, durationLabel: 'Days 天數' }),
    field('MoneyField', 'MoneyField_TRV04', 'Estimated Cost (HKD) 預計費用', { required: true }),
    field('InnerContactField', 'InnerContactField_TRV05', 'Travelling Colleagues 同行同事', { choice: 1 }),
    field('TextNote', 'TextNote_TRV06', 'Trips to high-risk destinations also need Compliance approval. 前往高風險地區需合規部審批。'),
  ],
  flow: [
    manager('d4a2_9b1c'),
    people('e5b3_0c2d', 'Compliance Review 合規審查', ['user-cheung-0007'], { when: { type: 'oneOf', field: 'DDSelectField_TRV02', values: HIGH_RISK_DESTINATIONS } }),
    cc('f6c4_1d3e', 'CC HR 抄送人事', ['user-lau-0008']),
  ],
};

const onboarding: Template = {
  ...base('PROC-SBX-ONBOARD-0003', 63000000003, 'onboard', HR),
  name: 'New Hire Onboarding 新員工入職',
  memo: 'Accounts, equipment and paperwork for a new colleague. 新同事的帳戶、設備及文件。',
  items: [
    field('TextField', 'TextField_ONB01', 'New Hire Name 新員工姓名', { required: true }),
    field('TextField', 'TextField_ONB02', 'Position 職位', { required: true }),
    field('DepartmentField', 'DepartmentField_ONB03', 'Department 部門', { required: true }),
    field('DDDateField', 'DDDateField_ONB04', 'Start Date 入職日期', { required: true, format: 'yyyy-MM-dd' }),
    field('DDSelectField', 'DDSelectField_ONB05', 'Employment Type 僱傭類別', { required: true, options: ['Full-time 全職', 'Part-time 兼職', 'Contract 合約', 'Intern 實習'] }),
    field('DDMultiSelectField', 'DDMultiSelectField_ONB06', 'IT Equipment 資訊科技設備', { options: ['Laptop 手提電腦', 'Monitor 顯示器', 'Mobile Phone 手機', 'Email Account 電郵帳戶'] }),
    field('PhoneField', 'PhoneField_ONB07', 'Contact Number 聯絡電話'),
    field('DDAttachment', 'DDAttachment_ONB08', 'Signed Contract 已簽合約'),
  ],
  flow: [people('a7d5_2e4f', 'HR Review 人事審核', ['user-lau-0008']), people('b8e6_3f50', 'IT Setup 資訊科技設置', ['user-yip-0009'])],
};

const purchase: Template = {
  ...base('PROC-SBX-PURCHASE-0004', 63000000004, 'purchase', ADMIN),
  name: 'Purchase Request 採購申請',
  memo: 'Goods and services bought from suppliers. 向供應商採購貨品或服務。',
  items: [
    field('TextField', 'TextField_PUR01', 'Purpose 採購用途', { required: true }),
    field('TextField', 'TextField_PUR02', 'Supplier 供應商', { required: true }),
    field('TableField', 'TableField_PUR03', 'Items 採購物品', { required: true, tableViewMode: 'table', actionName: 'Add Item 增加物品' }, [
      field('TextField', 'TextField_PUR03A', 'Item 物品', { required: true }),
      field('NumberField', 'NumberField_PUR03B', 'Quantity 數量', { required: true }),
      field('MoneyField', 'MoneyField_PUR03C', 'Unit Price (HKD) 單價', { required: true }),
    ]),
    field('DDDateField', 'DDDateField_PUR04', 'Required By 需要日期', { format: 'yyyy-MM-dd' }),
    field('DDAttachment', 'DDAttachment_PUR05', 'Quotation 報價單'),
    field('TextNote', 'TextNote_PUR06', 'Orders above HK$20,000 also need Finance approval. 超過港幣20,000元的採購需財務審批。'),
  ],
  flow: [
    manager('c9f7_4a61'),
    {
      activityId: '1918_5cd3',
      name: 'Budget Holder 預算負責人',
      kind: 'approver',
      actor: { type: 'chosen', range: ['user-ng-0006', 'user-ho-0004', 'user-lee-0002'], multi: true },
      method: 'OR',
      actorKey: 'manual_1918_5cd3_7e2a_4f1b',
    },
    people('d0a8_5b72', 'Finance Approval 財務審批', ['user-ho-0004'], {
      when: { type: 'tableTotalAbove', field: 'TableField_PUR03', quantity: 'NumberField_PUR03B', unitPrice: 'MoneyField_PUR03C', limit: 20000 },
    }),
    cc('e1b9_6c83', 'CC Warehouse 抄送貨倉', ['user-mak-0010']),
  ],
};

export const templates = (): Template[] => structuredClone([expense, travel, onboarding, purchase]);
