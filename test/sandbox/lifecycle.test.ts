/**
 * The approval life cycle through the client: start, tasks along each seeded template's approver chain (the rules
 * an SME sets), agree/refuse to COMPLETED, custom approvers (AND/OR/NONE) with CC, and the records DingTalk keeps.
 */
import type { Transport } from '../../dingtalk/transport';
import {
  executeProcessInstance,
  getProcessInstance,
  processForecast,
  startProcessInstance,
  type FormComponentValueInput,
  type ProcessInstanceDetail,
  type StartProcessInstanceParams,
} from '../../dingtalk/workflow';
import { codes, dingTalkError, people, sandboxSuite } from './helpers';

const start = sandboxSuite();

const v = (name: string, value: unknown): FormComponentValueInput => ({ name, value: typeof value === 'string' ? value : JSON.stringify(value) });

const expenseForm = (total: string): FormComponentValueInput[] => [
  v('Claim Title 報銷事由', 'Octopus top-ups for site visits 八達通增值'),
  v('Expense Type 費用類型', 'Transport'),
  v('Claim Date 申請日期', '2026-11-20'),
  v('Total Amount (HKD) 總金額', total),
];

const tripForm = (destination: string): FormComponentValueInput[] => [
  v('Trip Purpose 出差目的', 'Supplier audit 供應商審核'),
  v('Destination 目的地', destination),
  v(JSON.stringify(['Departure 出發日期', 'Return 返回日期']), ['2026-12-01', '2026-12-04']),
  v('Estimated Cost (HKD) 預計費用', '9000'),
];

const purchaseItems = (quantity: number, unitPrice: number) =>
  v('Items 採購物品', [[{ name: 'Item 物品', value: 'Label printer 標籤打印機' }, { name: 'Quantity 數量', value: String(quantity) }, { name: 'Unit Price (HKD) 單價', value: String(unitPrice) }]]);

const BUDGET_HOLDER = 'manual_1918_5cd3_7e2a_4f1b';

/** Who has a running task, in task order. */
const runningUsers = (detail: ProcessInstanceDetail) => (detail.tasks ?? []).filter((task) => task.status === 'RUNNING').map((task) => task.userId);

/** Agrees or refuses as `userId`, through ExecuteProcessInstance with that user's running task. */
async function decide(transport: Transport, id: string, userId: string, result: 'agree' | 'refuse', remark?: string) {
  const detail = await getProcessInstance(transport, id);
  const task = detail.tasks?.find((candidate) => candidate.userId === userId && candidate.status === 'RUNNING');
  if (!task) throw new Error(`${userId} has no running task`);
  await executeProcessInstance(transport, { processInstanceId: id, taskId: task.taskId, actionerUserId: userId, result, ...(remark ? { remark } : {}) });
  return getProcessInstance(transport, id);
}

const startWith = (transport: Transport, params: Partial<StartProcessInstanceParams> & Pick<StartProcessInstanceParams, 'processCode' | 'formComponentValues'>) =>
  startProcessInstance(transport, { originatorUserId: people.chan, deptId: 100, ...params });

describe('expense claim in HKD: the manager, and the Director above HK$5,000', () => {
  test('HK$4,999.90 needs the manager only: agree → COMPLETED + agree, Accounts copied', async () => {
    const { transport } = await start();
    const id = await startWith(transport, { processCode: codes.expense, formComponentValues: expenseForm('4999.90') });
    const started = await getProcessInstance(transport, id);
    expect(started).toMatchObject({ status: 'RUNNING', result: '', originatorUserId: people.chan, originatorDeptId: '100', title: '陳嘉欣提交的費用報銷' });
    expect(runningUsers(started)).toEqual([people.salesManager]);
    expect(started.approverUserIds).toEqual([people.salesManager]);

    const done = await decide(transport, id, people.salesManager, 'agree', 'Fine.');
    expect(done).toMatchObject({ status: 'COMPLETED', result: 'agree', ccUserIds: [people.accounts] });
    expect(done.finishTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
    expect(done.operationRecords?.map((r) => [r.type, r.result, r.userId])).toEqual([
      ['START_PROCESS_INSTANCE', 'NONE', people.chan],
      ['EXECUTE_TASK_NORMAL', 'AGREE', people.salesManager],
      ['PROCESS_CC', 'NONE', people.salesManager],
    ]);
    expect(done.operationRecords?.[1]).toMatchObject({ remark: 'Fine.', showName: 'Department Manager 部門主管' });
    expect(done.tasks).toEqual([expect.objectContaining({ taskId: expect.any(Number), status: 'COMPLETED', result: 'AGREE' })]);
  });

  test('HK$5,000.01 adds the Director; her refusal ends it as COMPLETED + refuse', async () => {
    const { transport } = await start();
    const id = await startWith(transport, { processCode: codes.expense, formComponentValues: expenseForm('5000.01') });
    const second = await decide(transport, id, people.salesManager, 'agree');
    expect(runningUsers(second)).toEqual([people.director]);
    const refused = await decide(transport, id, people.director, 'refuse', 'Split into two claims, please.');
    expect(refused).toMatchObject({ status: 'COMPLETED', result: 'refuse', ccUserIds: [] });
    expect(refused.tasks?.map((task) => [task.userId, task.status, task.result])).toEqual([
      [people.salesManager, 'COMPLETED', 'AGREE'],
      [people.director, 'COMPLETED', 'REFUSE'],
    ]);
  });

  test('ProcessForecast shows the Director node only when the amount calls for it', async () => {
    const { transport } = await start();
    const nodes = async (total?: string) =>
      (await processForecast(transport, { processCode: codes.expense, deptId: 100, userId: people.chan, formComponentValues: total ? expenseForm(total) : [] }))
        .workflowActivityRules?.map((rule) => rule.activityName);
    expect(await nodes()).toEqual(['Department Manager 部門主管', 'CC Accounts 抄送會計']);
    expect(await nodes('6000')).toEqual(['Department Manager 部門主管', 'Director 董事', 'CC Accounts 抄送會計']);
  });
});

describe('business travel: Compliance for high-risk destinations', () => {
  test.each([
    ['Japan 日本', [people.salesManager]],
    ['Myanmar 緬甸', [people.salesManager, people.compliance]],
    ['Other 其他', [people.salesManager, people.compliance]],
  ])('%s', async (destination, approvers) => {
    const { transport } = await start();
    const id = await startWith(transport, { processCode: codes.travel, formComponentValues: tripForm(destination) });
    const seen: string[] = [];
    let detail = await getProcessInstance(transport, id);
    while (detail.status === 'RUNNING') {
      const [next] = runningUsers(detail);
      seen.push(next ?? '');
      detail = await decide(transport, id, next ?? '', 'agree');
    }
    expect(seen).toEqual(approvers);
    expect(detail).toMatchObject({ status: 'COMPLETED', result: 'agree', ccUserIds: [people.hr] });
  });
});

test('new-hire onboarding goes to HR, then IT', async () => {
  const { transport } = await start();
  const id = await startWith(transport, {
    processCode: codes.onboarding,
    originatorUserId: people.salesManager,
    formComponentValues: [
      v('New Hire Name 新員工姓名', '蔡詠詩 Choi Wing Sze'),
      v('Position 職位', 'Sales Representative 銷售代表'),
      v('Department 部門', '100,110'),
      v('Start Date 入職日期', '2027-01-04'),
      v('Employment Type 僱傭類別', 'Full-time 全職'),
      v('IT Equipment 資訊科技設備', ['Laptop 手提電腦']),
    ],
  });
  expect(runningUsers(await getProcessInstance(transport, id))).toEqual([people.hr]);
  expect(runningUsers(await decide(transport, id, people.hr, 'agree'))).toEqual([people.it]);
  expect(await decide(transport, id, people.it, 'agree')).toMatchObject({ status: 'COMPLETED', result: 'agree' });
});

describe('purchase request: an originator-chosen Budget Holder, and Finance above HK$20,000', () => {
  test('ProcessForecast names the chosen node with isTargetSelect and its actorKey', async () => {
    const { transport } = await start();
    const forecast = await processForecast(transport, { processCode: codes.purchase, deptId: 100, userId: people.chan, formComponentValues: [] });
    const chosen = forecast.workflowActivityRules?.filter((rule) => rule.isTargetSelect);
    expect(chosen).toEqual([
      expect.objectContaining({ activityName: 'Budget Holder 預算負責人', workflowActor: expect.objectContaining({ actorKey: BUDGET_HOLDER, allowedMulti: true }) }),
    ]);
    expect(forecast).toMatchObject({ isForecastSuccess: true, isStaticWorkflow: false });
  });

  test('without a chosen Budget Holder the start is refused; outside the allowed range too', async () => {
    const { transport } = await start();
    const form = [v('Purpose 採購用途', 'Labels'), v('Supplier 供應商', 'Shop'), purchaseItems(1, 900)];
    expect((await dingTalkError(startWith(transport, { processCode: codes.purchase, formComponentValues: form }))).problem.code).toBe('targetSelectApproverMissing');
    const outside = startWith(transport, { processCode: codes.purchase, formComponentValues: form, targetSelectActioners: [{ actionerKey: BUDGET_HOLDER, actionerUserIds: [people.it] }] });
    expect((await dingTalkError(outside)).problem.code).toBe('targetSelectApproverScopeError');
  });

  test.each([
    [10, 2000, [people.salesManager, people.director]],
    [10, 2000.01, [people.salesManager, people.director, people.finance]],
  ])('%i × HK$%d', async (quantity, unitPrice, approvers) => {
    const { transport } = await start();
    const id = await startWith(transport, {
      processCode: codes.purchase,
      targetSelectActioners: [{ actionerKey: BUDGET_HOLDER, actionerUserIds: [people.director] }],
      formComponentValues: [v('Purpose 採購用途', 'Labels'), v('Supplier 供應商', 'Shop'), purchaseItems(quantity, unitPrice)],
    });
    const seen: string[] = [];
    let detail = await getProcessInstance(transport, id);
    while (detail.status === 'RUNNING') {
      const [next] = runningUsers(detail);
      seen.push(next ?? '');
      detail = await decide(transport, id, next ?? '', 'agree');
    }
    expect(seen).toEqual(approvers);
    expect(detail.ccUserIds).toEqual([people.warehouse]);
  });
});

describe('custom approvers replace the template flow', () => {
  test('AND needs everyone, OR the first, NONE one person; CC at START_FINISH', async () => {
    const { transport } = await start();
    const id = await startWith(transport, {
      processCode: codes.purchase, // its chosen node is ignored with approvers, as DingTalk documents
      approvers: [
        { actionType: 'AND', userIds: [people.finance, people.salesManager] },
        { actionType: 'OR', userIds: [people.director, people.compliance] },
        { actionType: 'NONE', userIds: [people.it] },
      ],
      ccList: [people.accounts],
      ccPosition: 'START_FINISH',
      formComponentValues: [v('Purpose 採購用途', 'Labels'), v('Supplier 供應商', 'Shop'), purchaseItems(1, 50000)],
    });
    const started = await getProcessInstance(transport, id);
    expect(runningUsers(started)).toEqual([people.finance, people.salesManager]);
    expect(started.ccUserIds).toEqual([people.accounts]);
    expect(runningUsers(await decide(transport, id, people.finance, 'agree'))).toEqual([people.salesManager]);
    expect(runningUsers(await decide(transport, id, people.salesManager, 'agree'))).toEqual([people.director, people.compliance]);
    const afterOr = await decide(transport, id, people.compliance, 'agree');
    expect(afterOr.tasks?.find((task) => task.userId === people.director)).toMatchObject({ status: 'CANCELED', result: 'NONE' });
    expect(runningUsers(afterOr)).toEqual([people.it]);
    const done = await decide(transport, id, people.it, 'agree');
    expect(done).toMatchObject({ status: 'COMPLETED', result: 'agree' });
    expect(done.operationRecords?.filter((r) => r.type === 'PROCESS_CC')).toHaveLength(2);
  });

  test('CC without approvers is ignored, as DingTalk documents', async () => {
    const { transport } = await start();
    const id = await startWith(transport, { processCode: codes.expense, ccList: [people.it], ccPosition: 'START', formComponentValues: expenseForm('100') });
    expect((await getProcessInstance(transport, id)).ccUserIds).toEqual([]);
  });
});
