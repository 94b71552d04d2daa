/**
 * The sandbox emits DingTalk's approval events on every change it makes, in DingTalk's field shapes: instance
 * start, each task start/finish (agree, refuse, redirect), cancel, comment, finish and terminate. Each frame is read
 * by a real WebSocket client and parsed with the project's own normaliseEvent.
 */
import { normaliseEvent, type NormalisedEvent } from '../../dingtalk/events/normalise';
import { frameData } from '../../dingtalk/events/stream';
import { addProcessInstanceComment, getProcessInstance, listProcessInstanceIds } from '../../dingtalk/workflow';
import { codes, expenseClaim, people, sandboxSuite } from './helpers';
import { eventually, settle, StreamTestClient } from './stream-client';

const start = sandboxSuite();


/** "instance:start", "task:finish:agree@user" … for compact order assertions. */
const describeEvent = (event: NormalisedEvent) => {
  if (event.kind !== 'instance' && event.kind !== 'task') return event.kind;
  const who = event.kind === 'instance' ? event.originatorUserId : event.approverUserId;
  return [event.kind, event.type, event.result].filter(Boolean).join(':') + `@${who}`;
};

async function withClient() {
  const running = await start();
  const client = await StreamTestClient.connect(running.sandbox, running.transport);
  const received = (count: number) => eventually(`${count} events`, () => (client.events().length >= count ? client.events().map((frame) => normaliseEvent(frame)) : undefined));
  return { ...running, client, received };
}

test('an expense claim over HK$5,000: start, two approvals, finish, each in DingTalk\'s shape', async () => {
  const { sandbox, transport, client, received } = await withClient();
  const id = await expenseClaim(transport, '6480.50');
  sandbox.org.act(id, people.salesManager, 'agree', 'OK 同意');
  sandbox.org.act(id, people.director, 'agree');

  const events = await received(6);
  expect(events.map(describeEvent)).toEqual([
    `instance:start@${people.chan}`,
    `task:start@${people.salesManager}`,
    `task:finish:agree@${people.salesManager}`,
    `task:start@${people.director}`,
    `task:finish:agree@${people.director}`,
    `instance:finish:agree@${people.chan}`,
  ]);
  for (const event of events) expect(event).toMatchObject({ processInstanceId: id, processCode: codes.expense, via: 'stream', idSource: 'dingtalk', corpId: expect.stringMatching(/^ding/) });
  expect(new Set(events.map((event) => (event.kind === 'check_url' ? '' : event.eventId))).size).toBe(6);

  // The wire shape: every header a string, data a JSON string with DingTalk's field names and types.
  const [frame] = client.events();
  expect(frame?.headers).toMatchObject({ topic: '*', contentType: 'application/json', eventType: 'bpms_instance_change' });
  const third = client.events()[2]!;
  expect(typeof third.data).toBe('string');
  const data = frameData(third);
  expect(data).toMatchObject({ type: 'finish', result: 'agree', remark: 'OK 同意', staffId: people.salesManager, processInstanceId: id });
  expect(typeof data.taskId).toBe('number');
  expect(typeof data.createTime).toBe('number');
  expect(typeof data.finishTime).toBe('number');
  const finish = events[5];
  expect(finish?.kind === 'instance' && finish.url).toContain(id);
});

test('a refusal finishes the instance as refuse; a comment is a task comment event', async () => {
  const { sandbox, transport, received } = await withClient();
  const id = await expenseClaim(transport, '120');
  await addProcessInstanceComment(transport, { processInstanceId: id, text: 'Receipt attached 已附收據', commentUserId: people.chan });
  sandbox.org.act(id, people.salesManager, 'refuse', 'No receipt 沒有收據');
  const events = await received(5);
  expect(events.map(describeEvent)).toEqual([
    `instance:start@${people.chan}`,
    `task:start@${people.salesManager}`,
    `task:comment@${people.chan}`,
    `task:finish:refuse@${people.salesManager}`,
    `instance:finish:refuse@${people.chan}`,
  ]);
  expect(events[2]).toMatchObject({ kind: 'task', type: 'comment', remark: 'Receipt attached 已附收據' });
});

test('a transfer is a task finish with result redirect, then a task start for the new approver', async () => {
  const { sandbox, transport, received } = await withClient();
  const id = await expenseClaim(transport, '80');
  sandbox.org.redirect(id, people.salesManager, people.finance, 'Finance handles this 交財務處理');
  sandbox.org.act(id, people.finance, 'agree');
  const events = await received(6);
  expect(events.map(describeEvent)).toEqual([
    `instance:start@${people.chan}`,
    `task:start@${people.salesManager}`,
    `task:finish:redirect@${people.salesManager}`,
    `task:start@${people.finance}`,
    `task:finish:agree@${people.finance}`,
    `instance:finish:agree@${people.chan}`,
  ]);
  expect(events[2]).toMatchObject({ remark: 'Finance handles this 交財務處理' });
});

test('a revoke cancels the running task and terminates the instance, with no result', async () => {
  const { sandbox, transport, received } = await withClient();
  const id = await expenseClaim(transport, '80');
  sandbox.org.advance(16_000);
  sandbox.org.revoke(id, people.chan);
  const events = await received(4);
  expect(events.map(describeEvent)).toEqual([`instance:start@${people.chan}`, `task:start@${people.salesManager}`, `task:cancel@${people.salesManager}`, `instance:terminate@${people.chan}`]);
  expect(events[3]).not.toHaveProperty('result');
  expect(sandbox.events.emitted().map((event) => event.status)).toEqual(['pushed', 'pushed', 'pushed', 'pushed']);
});

test('seeded approvals emit nothing; reads emit nothing', async () => {
  const { sandbox, transport, client } = await withClient();
  const { items } = await listProcessInstanceIds(transport, { processCode: codes.expense, startTime: Date.now() - 30 * 24 * 3600 * 1000 });
  await getProcessInstance(transport, items[0] ?? '');
  await settle();
  expect(sandbox.events.emitted()).toEqual([]);
  expect(client.events()).toEqual([]);
});

test('event data uses only the fields DingTalk documents for bpms events, and a comment on a finished approval still counts', async () => {
  // KB 0039-event-bpms-instance-change and 0038-event-bpms-task-change field tables.
  const documented = new Set(['processInstanceId', 'processCode', 'bizCategoryId', 'businessId', 'title', 'type', 'createTime', 'finishTime', 'result', 'staffId', 'url', 'businessType', 'remark', 'taskId']);
  const { sandbox, transport, received } = await withClient();
  const id = await expenseClaim(transport, '80');
  sandbox.org.act(id, people.salesManager, 'agree');
  await addProcessInstanceComment(transport, { processInstanceId: id, text: 'Paid 已付款', commentUserId: people.accounts });
  const events = await received(5);
  expect(events.at(-1)).toMatchObject({ kind: 'task', type: 'comment', approverUserId: people.accounts, remark: 'Paid 已付款' });
  const unknown = sandbox.events.emitted().flatMap((event) => Object.keys(event.data).filter((key) => !documented.has(key)));
  expect(unknown).toEqual([]);
});
