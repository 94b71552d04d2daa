/**
 * A few approvals in every state, built through the same start/decide code the API uses, back-dated:
 * an approved expense claim with receipts, one waiting for the Director (over HK$5,000) with a comment, a revoked
 * one, a refused trip to a high-risk destination, a completed onboarding and a purchase waiting for the manager.
 */
import { comment, decide, terminate } from '../flow';
import { storeFile } from '../files';
import { startInstance } from '../start';
import type { FileRef, Instance, State } from '../state';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

const hkDate = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 10);

/** A PDF small enough to read in a test, big enough to look like a receipt. */
const pdf = (title: string) => `%PDF-1.4\n% DingTalk sandbox document\n% ${title}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`;

/** The one running task of `userId`, decided at `at`. */
function act(state: State, instance: Instance, userId: string, result: 'agree' | 'refuse', at: number, remark?: string): void {
  const task = instance.tasks.find((candidate) => candidate.userId === userId && candidate.status === 'RUNNING');
  if (!task) throw new Error(`seed: ${userId} has no running task on ${instance.title}`);
  decide(state, instance, { taskId: task.taskId, userId, result, ...(remark ? { remark } : {}) }, at);
}

/** Files exist before the form names them; they are filed under the instance once it has an id. */
function receipts(state: State, names: string[]): { refs: FileRef[]; claim: (instance: Instance) => void } {
  const refs = names.map((fileName) => storeFile(state, '', { fileName, fileType: fileName.split('.').pop() ?? 'pdf', content: pdf(fileName) }));
  return {
    refs,
    claim: (instance) => {
      for (const ref of refs) state.files[ref.fileId]!.processInstanceId = instance.processInstanceId;
    },
  };
}

const value = (name: string, v: unknown) => ({ name, value: typeof v === 'string' ? v : JSON.stringify(v) });

function expenseClaim(state: State, at: number, userId: string, title: string, rows: [string, number, number][], files: FileRef[] = []) {
  const total = rows.reduce((sum, [, , amount]) => sum + amount, 0);
  return startInstance(state, at, {
    processCode: 'PROC-SBX-EXPENSE-0001',
    originatorUserId: userId,
    deptId: 100,
    formComponentValues: [
      value('Claim Title 報銷事由', title),
      value('Expense Type 費用類型', 'Travel'),
      value('Claim Date 申請日期', hkDate(at)),
      value('Total Amount (HKD) 總金額', total.toFixed(2)),
      value('Expense Details 費用明細', rows.map(([description, daysAgo, amount]) => [
        { name: 'Description 說明', value: description },
        { name: 'Receipt Date 單據日期', value: hkDate(at - daysAgo * DAY) },
        { name: 'Amount (HKD) 金額', value: amount.toFixed(2) },
      ])),
      ...(files.length ? [value('Receipts 單據附件', files)] : []),
    ],
  }, false);
}

export function seedInstances(state: State, now: number): void {
  const receiptFiles = receipts(state, ['hsr-ticket-west-kowloon-futian.pdf', 'hotel-invoice-shenzhen.pdf']);
  const approved = expenseClaim(state, now - 6 * DAY, 'user-chan-0001', 'Client visit to Shenzhen 深圳客戶拜訪', [
    ['High-speed rail West Kowloon–Futian 高鐵車票', 2, 236],
    ['Hotel, 2 nights 酒店住宿兩晚', 1, 1680],
    ['Client dinner 客戶晚宴', 1, 464.5],
  ], receiptFiles.refs);
  receiptFiles.claim(approved);
  act(state, approved, 'user-lee-0002', 'agree', now - 5 * DAY, 'Receipts match the itinerary. 已核對行程及單據。');

  const large = expenseClaim(state, now - 2 * DAY, 'user-wong-0003', 'Trade fair in Tokyo 東京展覽會', [
    ['Flight HKG–NRT 機票', 3, 4280],
    ['Booth materials 展位物資', 3, 2520],
  ]);
  act(state, large, 'user-lee-0002', 'agree', now - DAY);
  comment(state, large, 'user-ho-0004', 'Booth materials go to the marketing budget. 展位物資計入市場推廣預算。', now - 20 * HOUR);

  const revoked = expenseClaim(state, now - 8 * DAY, 'user-wong-0003', 'Taxi to Kwai Chung warehouse 往葵涌貨倉的士費', [['Taxi 的士', 0, 186]]);
  terminate(revoked, now - 8 * DAY + 2 * HOUR, 'user-wong-0003', 'Submitted twice. 重複提交。');

  const trip = startInstance(state, now - 10 * DAY, {
    processCode: 'PROC-SBX-TRAVEL-0002',
    originatorUserId: 'user-chan-0001',
    deptId: 100,
    formComponentValues: [
      value('Trip Purpose 出差目的', 'Visit garment supplier in Yangon 探訪仰光成衣供應商'),
      value('Destination 目的地', 'Myanmar 緬甸'),
      value(JSON.stringify(['Departure 出發日期', 'Return 返回日期']), [hkDate(now + 20 * DAY), hkDate(now + 24 * DAY)]),
      value('Estimated Cost (HKD) 預計費用', '12800'),
    ],
  }, false);
  act(state, trip, 'user-lee-0002', 'agree', now - 9 * DAY);
  act(state, trip, 'user-cheung-0007', 'refuse', now - 8 * DAY, 'Current travel advisory; meet by video call. 現時有旅遊警示，請以視像會議代替。');

  const onboarding = startInstance(state, now - 12 * DAY, {
    processCode: 'PROC-SBX-ONBOARD-0003',
    originatorUserId: 'user-lee-0002',
    deptId: 100,
    formComponentValues: [
      value('New Hire Name 新員工姓名', '蔡詠詩 Choi Wing Sze'),
      value('Position 職位', 'Sales Representative 銷售代表'),
      value('Department 部門', '110'),
      value('Start Date 入職日期', hkDate(now + 3 * DAY)),
      value('Employment Type 僱傭類別', 'Full-time 全職'),
      value('IT Equipment 資訊科技設備', ['Laptop 手提電腦', 'Email Account 電郵帳戶']),
    ],
  }, false);
  act(state, onboarding, 'user-lau-0008', 'agree', now - 11 * DAY);
  act(state, onboarding, 'user-yip-0009', 'agree', now - 10 * DAY, 'Laptop LR-NB-042 prepared. 已預備手提電腦。');

  startInstance(state, now - 3 * DAY, {
    processCode: 'PROC-SBX-PURCHASE-0004',
    originatorUserId: 'user-mak-0010',
    deptId: 310,
    targetSelectActioners: [{ actionerKey: 'manual_1918_5cd3_7e2a_4f1b', actionerUserIds: ['user-ho-0004'] }],
    formComponentValues: [
      value('Purpose 採購用途', 'Replace warehouse racking 更換貨倉貨架'),
      value('Supplier 供應商', 'Tsuen Wan Steel Works 荃灣鋼材'),
      value('Items 採購物品', [
        [{ name: 'Item 物品', value: 'Steel racking bay 鋼貨架' }, { name: 'Quantity 數量', value: '12' }, { name: 'Unit Price (HKD) 單價', value: '1850' }],
        [{ name: 'Item 物品', value: 'Pallet jack 手推叉車' }, { name: 'Quantity 數量', value: '2' }, { name: 'Unit Price (HKD) 單價', value: '2100' }],
      ]),
      value('Required By 需要日期', hkDate(now + 14 * DAY)),
    ],
  }, false);
}
