/**
 * workflow_1_0 through the Zapier adapter: for each client function, the exact request DingTalk receives
 * and the value the function returns. Fixtures are raw DingTalk bodies shaped like the SDK response models,
 * which the first block checks against `@alicloud/dingtalk` 2.2.27 itself.
 */
import * as workflow_1_0 from '@alicloud/dingtalk/dist/workflow_1_0/client';
import {
  addProcessInstanceComment,
  executeProcessInstance,
  getProcessCodeByName,
  getProcessInstance,
  grantProcessInstanceForDownloadFile,
  INSTANCE_PAGE_SIZE,
  listAllProcessInstanceIds,
  listAllTemplates,
  listProcessInstanceIds,
  listUserVisibleBpmsProcesses,
  processForecast,
  querySchemaByProcessCode,
  startProcessInstance,
  TEMPLATE_PAGE_SIZE,
  terminateProcessInstance,
  type StartProcessInstanceParams,
} from '../../dingtalk/workflow';
import { answer, type Received, api, runWithClient, TOKEN } from '../helpers';
import completed from '../fixtures/get-process-instance.json';
import running from '../fixtures/get-process-instance-running.json';
import schema from '../fixtures/query-schema.json';
import templatesPage1 from '../fixtures/list-templates-page1.json';
import templatesPage2 from '../fixtures/list-templates-page2.json';
import forecast from '../fixtures/process-forecast.json';


/** api.dingtalk.com wants the token in this header, and only there. */
const withTokenHeader = expect.objectContaining({ 'x-acs-dingtalk-access-token': TOKEN, 'content-type': 'application/json' });

const run = runWithClient;

describe('fixtures are shaped like the SDK response models', () => {
  interface TeaModel {
    names(): Record<string, string>;
    types(): Record<string, unknown>;
  }

  const isModel = (type: unknown): type is TeaModel => typeof type === 'function' && 'names' in type;

  /** Every field the fixture holds must exist in the SDK model with the SDK's JSON type. */
  function mismatches(type: unknown, value: unknown, at: string): string[] {
    if (value === null || value === undefined) return [];
    if (isModel(type)) {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected an object`];
      const jsonToProp = Object.fromEntries(Object.entries(type.names()).map(([prop, json]) => [json, prop]));
      const types = type.types();
      return Object.entries(value).flatMap(([key, child]) => {
        const prop = jsonToProp[key];
        return prop === undefined ? [`${at}.${key}: not in the SDK model`] : mismatches(types[prop], child, `${at}.${key}`);
      });
    }
    if (typeof type === 'string') {
      if (type === 'any') return [];
      return typeof value === type ? [] : [`${at}: expected ${type}, got ${typeof value}`];
    }
    const spec = type as { type: string; itemType?: unknown; valueType?: unknown };
    if (spec.type === 'array') {
      if (!Array.isArray(value)) return [`${at}: expected an array`];
      return value.flatMap((item, i) => mismatches(spec.itemType, item, `${at}[${i}]`));
    }
    if (spec.type === 'map') {
      if (typeof value !== 'object') return [`${at}: expected a map`];
      return Object.entries(value).flatMap(([key, item]) => mismatches(spec.valueType, item, `${at}.${key}`));
    }
    return [`${at}: unknown SDK type ${JSON.stringify(type)}`];
  }

  const { GetProcessInstanceResponseBody, QuerySchemaByProcessCodeResponseBody, ListUserVisibleBpmsProcessesResponseBody, ProcessForecastResponseBody } =
    workflow_1_0;

  test.each([
    ['get-process-instance.json', GetProcessInstanceResponseBody, completed],
    ['get-process-instance-running.json', GetProcessInstanceResponseBody, running],
    ['query-schema.json', QuerySchemaByProcessCodeResponseBody, schema],
    ['list-templates-page1.json', ListUserVisibleBpmsProcessesResponseBody, templatesPage1],
    ['list-templates-page2.json', ListUserVisibleBpmsProcessesResponseBody, templatesPage2],
    ['process-forecast.json', ProcessForecastResponseBody, forecast],
  ])('%s matches the SDK model', (_file, model: TeaModel, body) => {
    expect(mismatches(model, body, '$')).toEqual([]);
  });

  test('the checker catches a misspelt field and a wrong type', () => {
    const body = { result: { status: 'RUNNING', originatorUserid: 'u1', tasks: [{ taskId: '1' }] } };
    expect(mismatches(GetProcessInstanceResponseBody, body, '$')).toEqual([
      '$.result.originatorUserid: not in the SDK model',
      '$.result.tasks[0].taskId: expected number, got string',
    ]);
  });

  const formTypes = [
    'TextField',
    'MoneyField',
    'NumberField',
    'DDSelectField',
    'DDMultiSelectField',
    'DDDateField',
    'DDDateRangeField',
    'TableField',
    'DDAttachment',
    'InnerContactField',
    'DepartmentField',
    'TextareaField',
  ];

  test('the completed expense claim holds a value of every component type, and the schema every type plus TextNote', () => {
    expect(completed.result.formComponentValues.map((value) => value.componentType).sort()).toEqual([...formTypes].sort());
    expect(schema.result.schemaContent.items.map((item) => item.componentName).sort()).toEqual([...formTypes, 'TextNote'].sort());
  });

  test('form values and schema quirks the parsers must handle are present', () => {
    const value = (type: string) => completed.result.formComponentValues.find((v) => v.componentType === type)!;
    expect(JSON.parse(value('DDDateRangeField').name)).toEqual(['Trip Start 出差開始', 'Trip End 出差結束']);
    expect(JSON.parse(value('DDDateRangeField').value)).toEqual(['2026-11-16', '2026-11-18']);
    expect(JSON.parse(value('DDAttachment').value).map((file: { fileName: string }) => file.fileName)).toContain('#a1b2.file');
    const rows = JSON.parse(value('TableField').value) as { rowValue: { label: string; value: string }[] }[];
    const amounts = rows.map((row) => Number(row.rowValue.find((cell) => cell.label === 'Amount (HKD) 金額')!.value));
    expect(amounts.reduce((sum, amount) => sum + amount, 0)).toBe(Number(value('MoneyField').value));
    const select = schema.result.schemaContent.items.find((item) => item.componentName === 'DDSelectField')!;
    expect(select.props.options).toContain('{"value":"Travel","key":"option_1"}');
    const table = schema.result.schemaContent.items.find((item) => item.componentName === 'TableField')!;
    expect(table.children!.map((child) => child.componentName)).toEqual(['TextField', 'DDDateField', 'MoneyField']);
    expect(running.result.tasks.filter((task) => task.status === 'RUNNING')).toHaveLength(1);
    const chosen = forecast.result.workflowActivityRules.filter((rule) => rule.isTargetSelect);
    expect(chosen.map((rule) => rule.workflowActor.actorKey)).toEqual(['manual_1918_5cd3_7e2a_4f1b']);
  });
});

describe('startProcessInstance', () => {
  const full: StartProcessInstanceParams = {
    processCode: 'PROC-FAKE-EXPENSE-0001',
    originatorUserId: 'user-chan-0001',
    deptId: 900000101,
    microappAgentId: 3000000001,
    approvers: [{ actionType: 'OR', userIds: ['user-lee-0002', 'user-ho-0004'] }],
    ccList: ['user-tam-0005'],
    ccPosition: 'FINISH',
    targetSelectActioners: [{ actionerKey: 'manual_1918_5cd3_7e2a_4f1b', actionerUserIds: ['user-ho-0004'] }],
    formComponentValues: [
      { name: 'Claim Title 報銷事由', value: 'Client visit to Shenzhen 深圳客戶拜訪' },
      { name: 'Total Amount (HKD) 總金額', value: '2380.50', id: 'MoneyField_FAKE07', bizAlias: 'totalAmount' },
      { name: '["Trip Start 出差開始","Trip End 出差結束"]', value: '["2026-11-16","2026-11-18"]' },
      {
        name: 'Expense Details 費用明細',
        value: '[[{"name":"Description 說明","value":"Hotel, 2 nights 酒店住宿兩晚"},{"name":"Amount (HKD) 金額","value":"1680.00"}]]',
        componentType: 'TableField',
        details: [{ name: 'Description 說明', value: 'Hotel, 2 nights 酒店住宿兩晚', extValue: '' }],
      },
    ],
  };

  test('POSTs every field under its SDK name, unchanged, and returns the new instance id', async () => {
    const received = answer(api().post('/v1.0/workflow/processInstances'), { instanceId: 'pi-fake-expense-0003' });
    await expect(run((t) => startProcessInstance(t, full))).resolves.toBe('pi-fake-expense-0003');
    expect(received).toEqual([
      { method: 'POST', path: '/v1.0/workflow/processInstances', query: {}, headers: withTokenHeader, body: full },
    ]);
  });

  test('optional fields left out, or undefined, are not sent at all', async () => {
    const received = answer(api().post('/v1.0/workflow/processInstances'), { instanceId: 'pi-fake-expense-0004' });
    const minimal = { processCode: 'PROC-FAKE-EXPENSE-0001', originatorUserId: 'user-chan-0001', formComponentValues: [{ name: 'Claim Title 報銷事由', value: 'Taxi' }] };
    await run((t) => startProcessInstance(t, { ...minimal, deptId: undefined, approvers: undefined, ccList: undefined }));
    expect(received[0]!.body).toStrictEqual(minimal);
  });

  test('a response without an instance id is an error naming the endpoint', async () => {
    answer(api().post('/v1.0/workflow/processInstances'), { instanceId: '' });
    await expect(run((t) => startProcessInstance(t, full))).rejects.toThrow(
      /StartProcessInstance \(POST \/v1.0\/workflow\/processInstances\) returned a response this integration does not understand: instanceId/,
    );
  });
});

describe('getProcessInstance', () => {
  test('GETs the instance by id with the token header and returns the result with every field', async () => {
    const received = answer(api().get('/v1.0/workflow/processInstances'), completed);
    const instance = await run((t) => getProcessInstance(t, 'pi-fake-expense-0001'));
    expect(received).toEqual([
      { method: 'GET', path: '/v1.0/workflow/processInstances', query: { processInstanceId: 'pi-fake-expense-0001' }, headers: withTokenHeader, body: '' },
    ]);
    expect(instance).toEqual(completed.result);
    expect(instance).toMatchObject({ status: 'COMPLETED', result: 'agree', finishTime: '2026-11-21T06:42Z' });
    expect(instance.tasks?.map((task) => task.taskId)).toEqual([70000000001, 70000000002]);
    expect(instance.operationRecords?.map((record) => record.type)).toEqual([
      'START_PROCESS_INSTANCE',
      'EXECUTE_TASK_NORMAL',
      'ADD_REMARK',
      'EXECUTE_TASK_NORMAL',
      'PROCESS_CC',
    ]);
    expect(instance.operationRecords?.[1]?.attachments?.[0]).toEqual({
      fileId: 'fake-file-0003',
      fileName: 'itinerary-check.pdf',
      fileSize: '35120',
      fileType: 'pdf',
      spaceId: '1000000002',
    });
  });

  test('a running instance exposes its one running task', async () => {
    answer(api().get('/v1.0/workflow/processInstances'), running);
    const instance = await run((t) => getProcessInstance(t, 'pi-fake-expense-0002'));
    expect(instance.status).toBe('RUNNING');
    expect(instance.finishTime).toBeUndefined();
    expect(instance.tasks?.filter((task) => task.status === 'RUNNING')).toEqual([
      expect.objectContaining({ taskId: 70000000003, userId: 'user-lee-0002', result: 'NONE' }),
    ]);
  });

  test('an id with URL-special characters reaches DingTalk intact', async () => {
    const received = answer(api().get('/v1.0/workflow/processInstances'), running);
    await run((t) => getProcessInstance(t, 'a+b/c=d&e'));
    expect(received[0]!.query).toEqual({ processInstanceId: 'a+b/c=d&e' });
  });
});

describe('listProcessInstanceIds (one page)', () => {
  const params = {
    processCode: 'PROC-FAKE-EXPENSE-0001',
    startTime: 1792800000000,
    endTime: 1795392000000,
    userIds: ['user-chan-0001', 'user-wong-0003'],
    statuses: ['COMPLETED' as const, 'TERMINATED' as const],
  };

  test('POSTs the filters with a numeric cursor and the page size of 20; the string cursor comes back as a number', async () => {
    const received = answer(api().post('/v1.0/workflow/processes/instanceIds/query'), {
      success: true,
      result: { list: ['pi-fake-expense-0001', 'pi-fake-expense-0002'], nextToken: '20' },
    });
    const page = await run((t) => listProcessInstanceIds(t, params));
    expect(INSTANCE_PAGE_SIZE).toBe(20);
    expect(received).toEqual([
      {
        method: 'POST',
        path: '/v1.0/workflow/processes/instanceIds/query',
        query: {},
        headers: withTokenHeader,
        body: { ...params, nextToken: 0, maxResults: 20 },
      },
    ]);
    expect(page).toEqual({ items: ['pi-fake-expense-0001', 'pi-fake-expense-0002'], next: 20 });
  });

  test('only the required filters are sent when the optional ones are omitted or undefined', async () => {
    const received = answer(api().post('/v1.0/workflow/processes/instanceIds/query'), { result: { list: [] } });
    await run((t) =>
      listProcessInstanceIds(t, { processCode: 'PROC-FAKE-EXPENSE-0001', startTime: 1792800000000, userIds: undefined, statuses: undefined }, 40),
    );
    expect(received[0]!.body).toStrictEqual({ processCode: 'PROC-FAKE-EXPENSE-0001', startTime: 1792800000000, nextToken: 40, maxResults: 20 });
  });

  test.each([
    ['an empty string', ''],
    ['null', null],
    ['a non-numeric string', 'end'],
  ])('a cursor of %s means no more pages', async (_name, nextToken) => {
    answer(api().post('/v1.0/workflow/processes/instanceIds/query'), { result: { list: ['pi-1'], nextToken } });
    await expect(run((t) => listProcessInstanceIds(t, params))).resolves.toEqual({ items: ['pi-1'], next: undefined });
  });

  test('a missing cursor, or an empty page with a cursor, ends the walk', async () => {
    answer(api().post('/v1.0/workflow/processes/instanceIds/query'), { result: { list: ['pi-1'] } });
    answer(api().post('/v1.0/workflow/processes/instanceIds/query'), { result: { list: [], nextToken: '60' } });
    await expect(run((t) => listProcessInstanceIds(t, params))).resolves.toEqual({ items: ['pi-1'], next: undefined });
    await expect(run((t) => listProcessInstanceIds(t, params))).resolves.toEqual({ items: [], next: undefined });
  });

  test('a numeric cursor in the response is accepted too', async () => {
    answer(api().post('/v1.0/workflow/processes/instanceIds/query'), { result: { list: ['pi-1'], nextToken: 20 } });
    await expect(run((t) => listProcessInstanceIds(t, params))).resolves.toEqual({ items: ['pi-1'], next: 20 });
  });
});

describe('listAllProcessInstanceIds (paging)', () => {
  const params = { processCode: 'PROC-FAKE-EXPENSE-0001', startTime: 1792800000000 };
  const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `pi-fake-${String(from + i).padStart(4, '0')}`);
  const path = '/v1.0/workflow/processes/instanceIds/query';

  test('follows three pages: cursor 0 first, then Number(nextToken), until the cursor is empty', async () => {
    const log: Received[] = [];
    answer(api().post(path), { success: true, result: { list: ids(1, 20), nextToken: '20' } }, 200, log);
    answer(api().post(path), { success: true, result: { list: ids(21, 20), nextToken: '40' } }, 200, log);
    answer(api().post(path), { success: true, result: { list: ids(41, 5), nextToken: '' } }, 200, log);
    const all = await run((t) => listAllProcessInstanceIds(t, params));
    expect(log.map((call) => call.body)).toEqual([
      { ...params, nextToken: 0, maxResults: 20 },
      { ...params, nextToken: 20, maxResults: 20 },
      { ...params, nextToken: 40, maxResults: 20 },
    ]);
    expect(all).toEqual({ items: ids(1, 45), complete: true, pages: 3 });
  });

  test('a limit stops the walk early, trims to the limit and reports complete=false', async () => {
    const log: Received[] = [];
    answer(api().post(path), { result: { list: ids(1, 20), nextToken: '20' } }, 200, log);
    answer(api().post(path), { result: { list: ids(21, 20), nextToken: '40' } }, 200, log);
    // No third interceptor: a third request would fail the test.
    const some = await run((t) => listAllProcessInstanceIds(t, params, 25));
    expect(log.map((call) => (call.body as { nextToken: number }).nextToken)).toEqual([0, 20]);
    expect(some).toEqual({ items: ids(1, 25), complete: false, pages: 2 });
  });

  test('a limit that lands on a page boundary with more pages left is still incomplete', async () => {
    answer(api().post(path), { result: { list: ids(1, 20), nextToken: '20' } });
    await expect(run((t) => listAllProcessInstanceIds(t, params, 20))).resolves.toEqual({ items: ids(1, 20), complete: false, pages: 1 });
  });

  test('a limit equal to everything DingTalk has is complete', async () => {
    answer(api().post(path), { result: { list: ids(1, 20), nextToken: '20' } });
    answer(api().post(path), { result: { list: ids(21, 20) } });
    await expect(run((t) => listAllProcessInstanceIds(t, params, 40))).resolves.toEqual({ items: ids(1, 40), complete: true, pages: 2 });
  });
});

describe('comment, execute, terminate', () => {
  test('addProcessInstanceComment POSTs the comment with its files and returns DingTalk\'s result', async () => {
    const body = {
      processInstanceId: 'pi-fake-expense-0002',
      text: 'Please attach the taxi receipts. 請附上的士收據。',
      commentUserId: 'user-ho-0004',
      file: {
        photos: ['https://static.dingtalk.com/media/fake-photo-0001.jpg'],
        attachments: [{ spaceId: '1000000001', fileSize: '1024', fileId: 'fake-file-0009', fileName: 'policy.pdf', fileType: 'pdf' }],
      },
    };
    const received = answer(api().post('/v1.0/workflow/processInstances/comments'), { success: true, result: true });
    await expect(run((t) => addProcessInstanceComment(t, body))).resolves.toBe(true);
    expect(received).toEqual([{ method: 'POST', path: '/v1.0/workflow/processInstances/comments', query: {}, headers: withTokenHeader, body }]);
  });

  test('addProcessInstanceComment without a file sends no file key; a missing result reads as false', async () => {
    const received = answer(api().post('/v1.0/workflow/processInstances/comments'), { success: true });
    const body = { processInstanceId: 'pi-fake-expense-0002', text: 'OK', commentUserId: 'user-ho-0004' };
    await expect(run((t) => addProcessInstanceComment(t, body))).resolves.toBe(false);
    expect(received[0]!.body).toStrictEqual(body);
  });

  test('executeProcessInstance approves the running task with a numeric taskId', async () => {
    const task = running.result.tasks.find((candidate) => candidate.status === 'RUNNING')!;
    const body = {
      processInstanceId: 'pi-fake-expense-0002',
      taskId: task.taskId,
      actionerUserId: task.userId,
      result: 'agree' as const,
      remark: 'Approved via Zapier',
    };
    const received = answer(api().post('/v1.0/workflow/processInstances/execute'), { success: true, result: true });
    await expect(run((t) => executeProcessInstance(t, body))).resolves.toBe(true);
    expect(received).toEqual([{ method: 'POST', path: '/v1.0/workflow/processInstances/execute', query: {}, headers: withTokenHeader, body }]);
    expect(received[0]!.body).toMatchObject({ taskId: 70000000003 });
  });

  test('executeProcessInstance rejects without a remark and reports DingTalk\'s false', async () => {
    const received = answer(api().post('/v1.0/workflow/processInstances/execute'), { success: true, result: false });
    const body = { processInstanceId: 'pi-fake-expense-0002', taskId: 70000000003, actionerUserId: 'user-lee-0002', result: 'refuse' as const };
    await expect(run((t) => executeProcessInstance(t, { ...body, remark: undefined }))).resolves.toBe(false);
    expect(received[0]!.body).toStrictEqual(body);
  });

  test('terminateProcessInstance sends isSystem=false as false, not as a missing value', async () => {
    const body = { processInstanceId: 'pi-fake-expense-0002', isSystem: false, operatingUserId: 'user-wong-0003', remark: 'Submitted twice 重複提交' };
    const received = answer(api().post('/v1.0/workflow/processInstances/terminate'), { success: true, result: true });
    await expect(run((t) => terminateProcessInstance(t, body))).resolves.toBe(true);
    expect(received).toEqual([{ method: 'POST', path: '/v1.0/workflow/processInstances/terminate', query: {}, headers: withTokenHeader, body }]);
  });

  test('terminateProcessInstance as the system sends only the id and the flag', async () => {
    const received = answer(api().post('/v1.0/workflow/processInstances/terminate'), { success: true, result: true });
    await run((t) => terminateProcessInstance(t, { processInstanceId: 'pi-fake-expense-0002', isSystem: true }));
    expect(received[0]!.body).toStrictEqual({ processInstanceId: 'pi-fake-expense-0002', isSystem: true });
  });
});

describe('querySchemaByProcessCode', () => {
  test('GETs the schema by process code and returns its name, status and components', async () => {
    const received = answer(api().get('/v1.0/workflow/forms/schemas/processCodes'), schema);
    const form = await run((t) => querySchemaByProcessCode(t, 'PROC-FAKE-EXPENSE-0001'));
    expect(received).toEqual([
      { method: 'GET', path: '/v1.0/workflow/forms/schemas/processCodes', query: { processCode: 'PROC-FAKE-EXPENSE-0001' }, headers: withTokenHeader, body: '' },
    ]);
    expect(form.name).toBe('Expense Claim 費用報銷');
    expect(form.status).toBe('PUBLISHED');
    expect(form.components).toEqual(schema.result.schemaContent.items);
    expect(Object.keys(form).sort()).toEqual(['components', 'name', 'status']);
  });

  test('a template without schema content has no components rather than failing', async () => {
    answer(api().get('/v1.0/workflow/forms/schemas/processCodes'), { result: { name: 'Empty', status: 'SAVED' } });
    await expect(run((t) => querySchemaByProcessCode(t, 'PROC-FAKE-EMPTY-0009'))).resolves.toEqual({ name: 'Empty', status: 'SAVED', components: [] });
  });

  test('a component without componentName is a schema error', async () => {
    answer(api().get('/v1.0/workflow/forms/schemas/processCodes'), { result: { schemaContent: { items: [{ props: { id: 'x' } }] } } });
    await expect(run((t) => querySchemaByProcessCode(t, 'PROC-FAKE-EXPENSE-0001'))).rejects.toThrow(
      /QuerySchemaByProcessCode .*result\.schemaContent\.items\.0\.componentName/,
    );
  });
});

describe('template lists', () => {
  const path = '/v1.0/workflow/processes/userVisibilities/templates';
  const mapped = (list: { processCode: string; name: string; dirName: string; iconUrl: string }[]) =>
    list.map(({ processCode, name, dirName, iconUrl }) => ({ processCode, name, dirName, iconUrl }));

  test('listUserVisibleBpmsProcesses GETs with userId, page size 100 and cursor 0, and maps each template', async () => {
    const received = answer(api().get(path), templatesPage1);
    const page = await run((t) => listUserVisibleBpmsProcesses(t, { userId: 'user-chan-0001' }));
    expect(TEMPLATE_PAGE_SIZE).toBe(100);
    expect(received).toEqual([
      { method: 'GET', path, query: { userId: 'user-chan-0001', maxResults: '100', nextToken: '0' }, headers: withTokenHeader, body: '' },
    ]);
    expect(page).toEqual({ items: mapped(templatesPage1.result.processList), next: 100 });
    expect(page.items[0]).toStrictEqual({
      processCode: 'PROC-FAKE-EXPENSE-0001',
      name: 'Expense Claim 費用報銷',
      dirName: 'Finance 財務',
      iconUrl: 'https://static.dingtalk.com/media/fake-template-icon-expense.png',
    });
  });

  test('without a userId no userId parameter is sent, not even an empty one', async () => {
    const received = answer(api().get(path), templatesPage2);
    await run((t) => listUserVisibleBpmsProcesses(t));
    expect(received[0]!.query).toStrictEqual({ maxResults: '100', nextToken: '0' });
  });

  test('listAllTemplates follows two pages with the numeric cursor DingTalk returned', async () => {
    const log: Received[] = [];
    answer(api().get(path), templatesPage1, 200, log);
    answer(api().get(path), templatesPage2, 200, log);
    const all = await run((t) => listAllTemplates(t));
    expect(log.map((call) => call.query)).toEqual([
      { maxResults: '100', nextToken: '0' },
      { maxResults: '100', nextToken: '100' },
    ]);
    expect(all).toEqual({
      items: mapped([...templatesPage1.result.processList, ...templatesPage2.result.processList]),
      complete: true,
      pages: 2,
    });
  });

  test('listAllTemplates passes the userId on every page and honours a limit', async () => {
    const log: Received[] = [];
    answer(api().get(path), templatesPage1, 200, log);
    const some = await run((t) => listAllTemplates(t, { userId: 'user-chan-0001' }, 3));
    expect(log.map((call) => call.query)).toEqual([{ userId: 'user-chan-0001', maxResults: '100', nextToken: '0' }]);
    expect(some).toEqual({ items: mapped(templatesPage1.result.processList).slice(0, 3), complete: false, pages: 1 });
  });

  test('optional template fields DingTalk leaves out stay undefined', async () => {
    answer(api().get(path), { result: { processList: [{ name: 'Bare', processCode: 'PROC-FAKE-BARE-0007', dirName: null }] } });
    await expect(run((t) => listUserVisibleBpmsProcesses(t))).resolves.toEqual({
      items: [{ processCode: 'PROC-FAKE-BARE-0007', name: 'Bare', dirName: undefined, iconUrl: undefined }],
      next: undefined,
    });
  });
});

describe('getProcessCodeByName', () => {
  const path = '/v1.0/workflow/processCentres/schemaNames/processCodes';

  test('GETs by exact name (Chinese characters included) and returns the code', async () => {
    const received = answer(api().get(path), { result: { processCode: 'PROC-FAKE-EXPENSE-0001', gmtModified: '2026-09-15T07:30Z' } });
    await expect(run((t) => getProcessCodeByName(t, 'Expense Claim 費用報銷'))).resolves.toBe('PROC-FAKE-EXPENSE-0001');
    expect(received).toEqual([{ method: 'GET', path, query: { name: 'Expense Claim 費用報銷' }, headers: withTokenHeader, body: '' }]);
  });

  test.each([
    ['an empty result', { result: {} }],
    ['an empty code', { result: { processCode: '' } }],
    ['a null result', { result: null }],
    ['no result at all', {}],
  ])('a miss (%s) is undefined', async (_name, body) => {
    answer(api().get(path), body);
    await expect(run((t) => getProcessCodeByName(t, 'No Such Template'))).resolves.toBeUndefined();
  });
});

describe('grantProcessInstanceForDownloadFile', () => {
  const path = '/v1.0/workflow/processInstances/spaces/files/urls/download';
  const downloadUri = 'https://down.dingtalk.example/fake-file-0001?Expires=1795500000&Signature=fake';

  test('POSTs the instance and file id and returns the download link', async () => {
    const body = { processInstanceId: 'pi-fake-expense-0001', fileId: 'fake-file-0003', withCommentAttatchment: true };
    const received = answer(api().post(path), { success: true, result: { downloadUri, fileId: 'fake-file-0003', spaceId: 1000000002 } });
    await expect(run((t) => grantProcessInstanceForDownloadFile(t, body))).resolves.toStrictEqual({
      downloadUri,
      fileId: 'fake-file-0003',
      spaceId: 1000000002,
    });
    expect(received).toEqual([{ method: 'POST', path, query: {}, headers: withTokenHeader, body }]);
  });

  test('without the comment flag the (misspelt) key is not sent; a missing fileId falls back to the request', async () => {
    const received = answer(api().post(path), { success: true, result: { downloadUri } });
    await expect(
      run((t) => grantProcessInstanceForDownloadFile(t, { processInstanceId: 'pi-fake-expense-0001', fileId: 'fake-file-0001' })),
    ).resolves.toStrictEqual({ downloadUri, fileId: 'fake-file-0001', spaceId: undefined });
    expect(received[0]!.body).toStrictEqual({ processInstanceId: 'pi-fake-expense-0001', fileId: 'fake-file-0001' });
  });
});

describe('processForecast', () => {
  test('POSTs the would-be submission and returns the predicted rules, with the originator-chosen node', async () => {
    const body = {
      processCode: 'PROC-FAKE-EXPENSE-0001',
      deptId: 900000101,
      userId: 'user-chan-0001',
      formComponentValues: [
        { name: 'Expense Type 費用類型', value: 'Travel' },
        { name: 'Total Amount (HKD) 總金額', value: '2380.50' },
      ],
    };
    const received = answer(api().post('/v1.0/workflow/processes/forecast'), forecast);
    const result = await run((t) => processForecast(t, body));
    expect(received).toEqual([{ method: 'POST', path: '/v1.0/workflow/processes/forecast', query: {}, headers: withTokenHeader, body }]);
    expect(result).toEqual(forecast.result);
    expect(result.workflowActivityRules?.find((rule) => rule.isTargetSelect)?.workflowActor).toMatchObject({
      actorKey: 'manual_1918_5cd3_7e2a_4f1b',
      allowedMulti: true,
      required: true,
    });
  });
});
