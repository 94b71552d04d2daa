/**
 * A stateful DingTalk stand-in for trigger tests, built on nock: it answers the list, detail, schema and
 * template calls from an in-memory set of approvals (so tests can change state between polls) and records every
 * call, so tests can count what a poll spent.
 *
 * Why not the sandbox: these tests set DingTalk's state directly at exact times the sandbox cannot reach through
 * its API (an approval deleted in DingTalk, one submitted 130 days ago, one that finished at a given minute), and
 * they run inside createAppTester, where nock sees exactly what z.request sent after the app's middleware. The
 * same triggers run end to end against the sandbox over HTTP in test/e2e/.
 */
import nock from 'nock';
import { INSTANCE_PAGE_SIZE as PAGE } from '../../dingtalk/workflow';
import { apiTime } from '../../sandbox/http';
import { allowUnusedMocks, TOKEN } from '../helpers';

export interface FakeApproval {
  id: string;
  status: 'RUNNING' | 'COMPLETED' | 'TERMINATED';
  result?: 'agree' | 'refuse';
  createdAt: number;
  finishedAt?: number;
  originator?: string;
}

export interface FakeCall {
  name: 'ListProcessInstanceIds' | 'GetProcessInstance' | 'QuerySchemaByProcessCode' | 'ListUserVisibleBpmsProcesses' | 'GetUser';
  body?: Record<string, unknown>;
  query?: Record<string, string>;
}


export function fakeDingTalk(processCode = 'PROC-EXPENSE') {
  allowUnusedMocks();
  const approvals = new Map<string, FakeApproval>();
  const calls: FakeCall[] = [];

  const add = (...items: FakeApproval[]) => items.forEach((item) => approvals.set(item.id, { ...item }));
  const finish = (id: string, status: 'COMPLETED' | 'TERMINATED', result: 'agree' | 'refuse' | undefined, at: number) => {
    const item = approvals.get(id)!;
    Object.assign(item, { status, result, finishedAt: at });
  };

  nock('https://api.dingtalk.com')
    .persist()
    .matchHeader('x-acs-dingtalk-access-token', TOKEN)
    .post('/v1.0/workflow/processes/instanceIds/query')
    .reply((_uri, requestBody) => {
      const body = requestBody as Record<string, any>;
      calls.push({ name: 'ListProcessInstanceIds', body });
      const matching = [...approvals.values()]
        .filter((a) => body.processCode === processCode)
        .filter((a) => a.createdAt >= body.startTime && (body.endTime === undefined || a.createdAt <= body.endTime))
        .filter((a) => !body.statuses || body.statuses.includes(a.status))
        .filter((a) => !body.userIds || body.userIds.includes(a.originator))
        .sort((a, b) => b.createdAt - a.createdAt);
      const start = Number(body.nextToken);
      const list = matching.slice(start, start + Math.min(Number(body.maxResults), PAGE)).map((a) => a.id);
      const more = start + PAGE < matching.length;
      return [200, { result: { list, nextToken: more ? String(start + PAGE) : undefined }, success: true }];
    })
    .get('/v1.0/workflow/processInstances')
    .query(true)
    .reply((uri) => {
      const id = new URL(uri, 'https://api.dingtalk.com').searchParams.get('processInstanceId')!;
      calls.push({ name: 'GetProcessInstance', query: { processInstanceId: id } });
      const item = approvals.get(id);
      if (!item) return [400, { code: 'processInstanceNotExist', message: 'not found', requestid: 'R' }];
      return [200, { success: 'true', result: detailOf(item) }];
    })
    .get('/v1.0/workflow/forms/schemas/processCodes')
    .query(true)
    .reply((uri) => {
      const code = new URL(uri, 'https://api.dingtalk.com').searchParams.get('processCode');
      calls.push({ name: 'QuerySchemaByProcessCode', query: { processCode: String(code) } });
      if (code !== processCode) return [400, { code: 'formNotExist', message: '表单不存在', requestid: 'R' }];
      return [200, { result: { name: 'Expense Claim', status: 'PUBLISHED', schemaContent: { items: [] } } }];
    })
    .get('/v1.0/workflow/processes/userVisibilities/templates')
    .query(true)
    .reply(() => {
      calls.push({ name: 'ListUserVisibleBpmsProcesses' });
      return [200, { result: { processList: [{ name: 'Expense Claim', processCode }] } }];
    });

  nock('https://oapi.dingtalk.com')
    .persist()
    .post('/topapi/v2/user/get')
    .query(true)
    .reply((_uri, requestBody) => {
      const { userid } = requestBody as { userid: string };
      calls.push({ name: 'GetUser', body: { userid } });
      return [200, { errcode: 0, errmsg: 'ok', result: { userid, name: `Name of ${userid}` } }];
    });

  const count = (name: FakeCall['name']) => calls.filter((call) => call.name === name).length;
  return {
    approvals,
    calls,
    add,
    finish,
    count,
    /** Calls DingTalk bills against the monthly quota (workflow APIs; contacts are free). */
    metered: () => calls.filter((call) => call.name !== 'GetUser').length,
    reset: () => calls.splice(0, calls.length),
  };
}

function detailOf(item: FakeApproval) {
  return {
    title: `Approval ${item.id}`,
    originatorUserId: item.originator ?? 'user-1',
    createTime: apiTime(item.createdAt),
    ...(item.finishedAt ? { finishTime: apiTime(item.finishedAt) } : {}),
    status: item.status,
    ...(item.result ? { result: item.result } : {}),
    formComponentValues: [{ name: 'Amount', value: '6000', componentType: 'MoneyField' }],
    tasks: [],
    operationRecords: [],
  };
}
