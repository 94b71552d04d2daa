/**
 * The in-process DingTalk of bench/simulated-dingtalk.ts behind nock, for trigger tests: the trigger runs inside
 * createAppTester, so every call goes through z.request and the app's middleware, and the simulation answers it
 * from its in-memory approvals and records it (path parameters, query and body as DingTalk received them), so
 * tests can change state between polls and count what a poll spent. Its clock is the test's (jest's Date).
 *
 * Why not the sandbox: see the simulation's header. The same triggers run end to end against the sandbox in test/e2e/.
 */
import nock from 'nock';
import { SimulatedDingTalk, type SimApproval, type SimCall } from '../../bench/simulated-dingtalk';
import { endpointFor, type EndpointName } from '../../dingtalk/endpoints';
import { allowUnusedMocks, TOKEN } from '../helpers';

/** An approval as a test states it: running (no finishedAt), or finished with a status and result. */
export interface FakeApproval {
  id: string;
  status: 'RUNNING' | 'COMPLETED' | 'TERMINATED';
  result?: 'agree' | 'refuse';
  createdAt: number;
  finishedAt?: number;
  originator?: string;
}

const outcomeOf = (status: FakeApproval['status'], result: FakeApproval['result']): SimApproval['outcome'] =>
  status === 'TERMINATED' ? 'revoke' : (result ?? 'agree');

export function fakeDingTalk(processCode = 'PROC-EXPENSE') {
  allowUnusedMocks();
  const dingtalk = new SimulatedDingTalk(processCode, { log: true });

  const reply = (method: string) =>
    function (this: nock.ReplyFnContext, uri: string, body: nock.Body): [number, nock.Body] {
      const url = new URL(uri, 'https://api.dingtalk.com');
      const endpoint = endpointFor(method, url.href);
      if (!endpoint) return [404, { code: 'NotFound', message: `not simulated: ${method} ${url.pathname}` }];
      dingtalk.now = Date.now();
      const query = Object.fromEntries([...url.searchParams].filter(([key]) => key !== 'access_token'));
      const call: SimCall = { name: endpoint.name as EndpointName, ...(method === 'GET' ? { query } : { body: (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown> }) };
      const answer = dingtalk.answer(call);
      return [answer.status, answer.body as nock.Body];
    };
  nock('https://api.dingtalk.com').persist().matchHeader('x-acs-dingtalk-access-token', TOKEN).get(/.*/).query(true).reply(reply('GET')).post(/.*/).query(true).reply(reply('POST'));
  nock('https://oapi.dingtalk.com').persist().post(/.*/).query(true).reply(reply('POST'));

  return {
    add: (...items: FakeApproval[]) =>
      dingtalk.add(
        ...items.map((item) => ({
          id: item.id,
          createdAt: item.createdAt,
          finishedAt: item.status === 'RUNNING' ? Infinity : (item.finishedAt ?? item.createdAt),
          outcome: outcomeOf(item.status, item.result),
          ...(item.originator ? { originator: item.originator } : {}),
        })),
      ),
    finish: (id: string, status: 'COMPLETED' | 'TERMINATED', result: 'agree' | 'refuse' | undefined, at: number) => dingtalk.finish(id, outcomeOf(status, result), at),
    remove: (id: string) => dingtalk.remove(id),
    calls: dingtalk.log,
    count: (name: EndpointName) => dingtalk.log.filter((call) => call.name === name).length,
    /** Calls DingTalk bills against the monthly quota (workflow APIs; contacts are free). */
    metered: () => dingtalk.metered,
    reset: () => {
      dingtalk.log.splice(0, dingtalk.log.length);
      dingtalk.metered = 0;
    },
  };
}
