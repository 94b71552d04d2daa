/**
 * Faults on demand, each seen through the client's own error classification (dingtalk/errors.ts): a missing
 * permission, QPS throttling per API at 20/s, an exhausted monthly quota, 5xx errors and slow responses.
 */
import { getUser } from '../../dingtalk/contact';
import { sendWorkNotification } from '../../dingtalk/message';
import { getProcessInstance, listUserVisibleBpmsProcesses } from '../../dingtalk/workflow';
import { dingTalkError, people, sandboxSuite } from './helpers';

const start = sandboxSuite();

const notify = (agentId: string) => ({ agentId: Number(agentId), userIds: [people.chan], msg: { msgtype: 'text' as const, text: { content: 'Hello' } } });

test('a denied permission is 403 AccessTokenPermissionDenied naming the scope (api) or 60011 (oapi)', async () => {
  const { sandbox, transport } = await start();
  sandbox.faults.denyPermission('ListUserVisibleBpmsProcesses');
  sandbox.faults.denyPermission('GetUser');
  const api = await dingTalkError(listUserVisibleBpmsProcesses(transport));
  expect(api.problem).toMatchObject({ kind: 'missing-permission', status: 403, code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied', permission: 'Workflow.Form.Read' });
  expect(api.message).toContain('Workflow.Form.Read');
  const oapi = await dingTalkError(getUser(transport, people.chan));
  expect(oapi.problem).toMatchObject({ kind: 'missing-permission', code: '60011', permission: 'qyapi_get_member' });

  sandbox.faults.denyPermission('GetUser', false);
  await expect(getUser(transport, people.chan)).resolves.toMatchObject({ userid: people.chan });
  expect(() => sandbox.faults.denyPermission('GetAccessToken')).toThrow();
  expect(() => sandbox.faults.denyPermission('NoSuchEndpoint')).toThrow();
});

test('more than 20 calls to one API in one second are throttled, unmetered; other APIs and the next second are fine', async () => {
  let clock = Date.parse('2026-11-20T02:00:00.000Z');
  const { sandbox, transport } = await start({ now: () => clock });
  await listUserVisibleBpmsProcesses(transport); // also fetches the token
  const results = await Promise.allSettled(Array.from({ length: 22 }, () => listUserVisibleBpmsProcesses(transport)));
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(19);
  const throttled = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  expect(throttled).toHaveLength(3);
  const error = await dingTalkError(Promise.reject(throttled[0]));
  expect(error.problem).toMatchObject({ kind: 'throttled', status: 403, code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi' });
  expect(sandbox.meter.byEndpoint.ListUserVisibleBpmsProcesses).toBe(20);
  expect(sandbox.meter.metered).toBe(20);

  await expect(getUser(transport, people.chan)).resolves.toBeDefined(); // a different API has its own budget
  clock += 1000;
  await expect(listUserVisibleBpmsProcesses(transport)).resolves.toBeDefined();
});

test('oapi throttling is errcode 90018; setQpsLimit changes the limit', async () => {
  const clock = Date.parse('2026-11-20T02:00:00.000Z');
  const { sandbox, transport } = await start({ now: () => clock });
  sandbox.faults.setQpsLimit(2);
  await getUser(transport, people.chan);
  await getUser(transport, people.chan);
  expect((await dingTalkError(getUser(transport, people.chan))).problem).toMatchObject({ kind: 'throttled', code: '90018' });
});

test('after N metered calls the monthly quota refuses metered APIs only', async () => {
  const { sandbox, transport } = await start({ monthlyQuota: 2 });
  await listUserVisibleBpmsProcesses(transport);
  await sendWorkNotification(transport, notify(sandbox.credentials.agentId));
  const api = await dingTalkError(listUserVisibleBpmsProcesses(transport));
  expect(api.problem).toMatchObject({ kind: 'quota-exhausted', status: 403, code: 'Forbidden.AccessDenied.ApiCountLimitForOrg' });
  const oapi = await dingTalkError(sendWorkNotification(transport, notify(sandbox.credentials.agentId)));
  expect(oapi.problem).toMatchObject({ kind: 'quota-exhausted', code: '90020' });
  await expect(getUser(transport, people.chan)).resolves.toBeDefined(); // contacts calls are free
  expect(sandbox.meter.metered).toBe(2);

  sandbox.faults.setMonthlyQuota(undefined);
  await expect(listUserVisibleBpmsProcesses(transport)).resolves.toBeDefined();
});

test('failNext answers the next N calls of one endpoint with a 5xx', async () => {
  const { sandbox, transport } = await start();
  sandbox.faults.failNext('GetProcessInstance', 503, 2);
  sandbox.faults.failNext('GetUser');
  const get = () => getProcessInstance(transport, 'nope');
  expect((await dingTalkError(get())).problem).toMatchObject({ kind: 'server', status: 503, code: 'systemError' });
  expect((await dingTalkError(get())).problem).toMatchObject({ kind: 'server', status: 503 });
  expect((await dingTalkError(get())).problem.code).toBe('processInstanceNotExist');
  expect((await dingTalkError(getUser(transport, people.chan))).problem).toMatchObject({ kind: 'server', status: 500, code: 'HTTP 500' });
  await expect(getUser(transport, people.chan)).resolves.toBeDefined();
  expect(() => sandbox.faults.failNext('GetUser', 404)).toThrow(/5xx/);
});

test('latency slows every response', async () => {
  const { sandbox, transport } = await start({ latencyMs: 120 });
  await getUser(transport, people.chan); // token + user
  sandbox.faults.setLatency(200);
  const began = performance.now();
  await getUser(transport, people.chan);
  expect(performance.now() - began).toBeGreaterThanOrEqual(195);
  sandbox.faults.setLatency(0);
  const fast = performance.now();
  await getUser(transport, people.chan);
  expect(performance.now() - fast).toBeLessThan(150);
});
