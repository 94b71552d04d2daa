/**
 * The sandbox's HTTP push: each event POSTed to a local receiver, encrypted and signed as DingTalk does, which the
 * receiver opens with the project's crypto module and answers with an encrypted "success"; the console's check_url;
 * failed pushes retried; the 20001 notice once the quota is spent.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { envelopeOf, openPush, sealPush, type PushCredentials } from '../../dingtalk/events/crypto';
import { normaliseEvent, type NormalisedEvent } from '../../dingtalk/events/normalise';
import { expenseClaim, people, sandboxSuite } from './helpers';
import { eventually, settle } from './stream-client';

const start = sandboxSuite();

const TOKEN = 'sandboxToken42';
const AES_KEY = 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7';

type Behaviour = 'ok' | 'http500' | 'plain-success' | 'wrong-token' | 'slow';

interface Receiver {
  url: string;
  /** Every push received, decrypted and normalised; `query` as sent. */
  received: { query: Record<string, string>; plaintext: string; event: NormalisedEvent }[];
  behaviour: Behaviour;
  server: Server;
}

const receivers: Server[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const bodyOf = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
};

/** A stand-in for the relay's HTTP push endpoint, built only from the project's crypto module. */
async function receiver(ownerKey: string): Promise<Receiver> {
  const credentials: PushCredentials = { token: TOKEN, aesKey: AES_KEY, ownerKey };
  const state: Receiver = { url: '', received: [], behaviour: 'ok', server: createServer() };
  state.server.on('request', (request, response) => {
    void bodyOf(request).then(async (body) => {
      const query = Object.fromEntries(new URL(request.url ?? '/', 'http://x').searchParams);
      const envelope = envelopeOf(query, body);
      if ('missing' in envelope) return response.writeHead(400).end(`push without ${envelope.missing.join(', ')}`);
      const plaintext = openPush(credentials, envelope);
      state.received.push({ query, plaintext, event: normaliseEvent(plaintext) });
      if (state.behaviour === 'http500') return response.writeHead(500).end();
      if (state.behaviour === 'slow') await new Promise((resolve) => setTimeout(resolve, 400));
      const reply = state.behaviour === 'plain-success' ? 'success' : JSON.stringify(sealPush(state.behaviour === 'wrong-token' ? { ...credentials, token: 'otherToken' } : credentials, 'success'));
      response.writeHead(200, { 'content-type': 'application/json' }).end(reply);
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  receivers.push(state.server);
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/dingtalk/events/app`;
  return state;
}


async function withReceiver(events: { redeliverAfterMs?: number; pushQuota?: number } = {}) {
  const running = await start();
  const target = await receiver(running.sandbox.credentials.appKey);
  running.sandbox.events.useHttpPush({ url: target.url, token: TOKEN, aesKey: AES_KEY });
  running.sandbox.faults.setRedeliverAfter(events.redeliverAfterMs ?? 100);
  if (events.pushQuota !== undefined) running.sandbox.faults.setPushQuota(events.pushQuota);
  return { ...running, target };
}

test('check_url: the console\'s check decrypts to {"EventType":"check_url"} and needs an encrypted success back', async () => {
  const { sandbox, target } = await withReceiver();
  expect(await sandbox.events.checkUrl()).toMatchObject({ ok: true, status: 200 });
  expect(target.received.map((push) => push.plaintext)).toEqual(['{"EventType":"check_url"}']);
  expect(target.received[0]?.event.kind).toBe('check_url');

  target.behaviour = 'plain-success';
  expect(await sandbox.events.checkUrl()).toMatchObject({ ok: false, problem: expect.stringContaining('not JSON') });
  target.behaviour = 'wrong-token';
  expect(await sandbox.events.checkUrl()).toMatchObject({ ok: false, problem: expect.stringContaining('signature') });
  expect(sandbox.events.pushes().used).toBe(0); // URL checks are not event pushes
});

test('each event is pushed flat, encrypted for the app\'s Client ID, and settles on an encrypted success', async () => {
  const { sandbox, transport, target } = await withReceiver();
  const id = await expenseClaim(transport);
  await eventually('two pushes', () => target.received.length >= 2);
  const [instance, task] = target.received;
  expect(instance?.event).toMatchObject({ kind: 'instance', type: 'start', via: 'http', processInstanceId: id, originatorUserId: people.chan });
  expect(task?.event).toMatchObject({ kind: 'task', type: 'start', via: 'http', approverUserId: people.salesManager, taskId: expect.stringMatching(/^\d+$/) });
  const flat = JSON.parse(instance!.plaintext) as Record<string, unknown>;
  expect(flat).toMatchObject({ EventType: 'bpms_instance_change', CorpId: expect.stringMatching(/^ding/), eventId: expect.stringMatching(/^[0-9a-f]{32}$/), processInstanceId: id });
  expect(typeof flat.EventTime).toBe('number');
  expect(Object.keys(instance!.query).sort()).toEqual(['nonce', 'signature', 'timestamp']);
  await eventually('settled', () => sandbox.events.unsettled() === 0);
  expect(sandbox.events.httpPushes().map((push) => push.ok)).toEqual([true, true]);
  expect(sandbox.events.pushes().used).toBe(2);
});

test('a push answered with HTTP 500 is pushed again until it succeeds', async () => {
  const { sandbox, transport, target } = await withReceiver({ redeliverAfterMs: 100 });
  target.behaviour = 'http500';
  await expenseClaim(transport);
  await eventually('retries', () => target.received.length >= 4, 2000);
  expect(sandbox.events.unsettled()).toBe(2);
  target.behaviour = 'ok';
  await eventually('settled', () => sandbox.events.unsettled() === 0, 2000);
  const pushes = sandbox.events.httpPushes();
  expect(pushes.filter((push) => !push.ok).every((push) => push.problem === 'the receiver answered HTTP 500')).toBe(true);
  expect(new Set(target.received.map((push) => (push.event.kind === 'check_url' ? '' : push.event.eventId))).size).toBe(2);
});

test('a reply slower than the deadline counts as a failure', async () => {
  const { sandbox, target } = await withReceiver();
  target.behaviour = 'slow';
  sandbox.events.setPushTimeout(200);
  expect(await sandbox.events.checkUrl()).toMatchObject({ ok: false, problem: 'no reply within 200 ms' });
});

test('once the push quota is spent, the push carries only the 20001 notice', async () => {
  const { sandbox, transport, target } = await withReceiver({ pushQuota: 1 });
  await expenseClaim(transport);
  await eventually('two pushes', () => target.received.length >= 2);
  await settle(50);
  expect(sandbox.events.pushes()).toEqual({ used: 1, quota: 1 });
  expect(target.received.map((push) => push.event.kind)).toEqual(['instance', 'paused']);
  expect(JSON.parse(target.received[1]!.plaintext)).toMatchObject({ EventType: 'bpms_task_change', errCode: 20001 });
  expect(JSON.parse(target.received[1]!.plaintext)).not.toHaveProperty('processInstanceId');
});
