/**
 * How the sandbox's Stream gateway delivers events: to one open connection at random, again after a timeout until
 * acked SUCCESS, sometimes twice after an ack (a fault switch), late when acks are slow, and only as 20001 notices
 * once the month's push quota is spent. Real WebSocket clients on loopback.
 */
import { normaliseEvent } from '../../dingtalk/events/normalise';
import { frameData } from '../../dingtalk/events/stream';
import { expenseClaim, sandboxSuite } from './helpers';
import { eventually, settle, StreamTestClient } from './stream-client';

const start = sandboxSuite();


test('each event goes to exactly one of the app\'s connections, picked at random', async () => {
  const { sandbox, transport } = await start();
  const clients = await Promise.all([1, 2, 3].map(() => StreamTestClient.connect(sandbox, transport)));
  for (let i = 0; i < 20; i += 1) await expenseClaim(transport);
  const all = await eventually('40 events', () => {
    const ids = clients.flatMap((client) => client.eventIds());
    return ids.length >= 40 ? ids : undefined;
  });
  await settle();
  expect(new Set(all).size).toBe(40);
  expect(clients.flatMap((client) => client.eventIds())).toHaveLength(40);
  // With three connections and 40 events, each gets some (a uniform pick leaves one out with p ≈ 3·(2/3)^40 ≈ 3e-7).
  for (const client of clients) expect(client.events().length).toBeGreaterThan(0);
  expect(sandbox.events.unsettled()).toBe(0);
});

test('un-acked events are pushed again after the timeout, with the same messageId, until acked', async () => {
  const { sandbox, transport } = await start({ events: { redeliverAfterMs: 150 } });
  const client = await StreamTestClient.connect(sandbox, transport, { ack: 'none' });
  await expenseClaim(transport);
  await eventually('a redelivery', () => client.events().length >= 4, 2000);
  const [first, second, third, fourth] = client.events();
  expect([third?.headers.eventId, fourth?.headers.eventId]).toEqual([first?.headers.eventId, second?.headers.eventId]);
  expect([third?.headers.messageId, fourth?.headers.messageId]).toEqual([first?.headers.messageId, second?.headers.messageId]);
  expect(sandbox.events.unsettled()).toBe(2);

  client.ackMode = 'SUCCESS';
  await eventually('both acked', () => sandbox.events.unsettled() === 0, 2000);
  const seen = client.events().length;
  await settle(400);
  expect(client.events()).toHaveLength(seen);
  expect(sandbox.events.deliveries().filter((d) => d.kind === 'redelivery').length).toBeGreaterThanOrEqual(2);
  await client.close();
});

test('LATER is not an ack: the event comes again', async () => {
  const { sandbox, transport } = await start({ events: { redeliverAfterMs: 100 } });
  const client = await StreamTestClient.connect(sandbox, transport, { ack: 'LATER' });
  await expenseClaim(transport);
  await eventually('a second push of each', () => client.events().length >= 4, 2000);
  expect(sandbox.events.unsettled()).toBe(2);
  await client.close();
});

test('events left un-acked on a dead socket go to another connection; events with none open wait for one', async () => {
  const { sandbox, transport } = await start({ events: { redeliverAfterMs: 150 } });
  const dying = await StreamTestClient.connect(sandbox, transport, { ack: 'none' });
  await expenseClaim(transport);
  await eventually('two events on the first socket', () => dying.events().length >= 2);
  sandbox.faults.dropSockets();
  await eventually('the socket gone', () => sandbox.events.connections().length === 0);
  await expenseClaim(transport); // no connection open: these wait
  const survivor = await StreamTestClient.connect(sandbox, transport);
  await eventually('all four events', () => new Set(survivor.eventIds()).size >= 4, 2000);
  expect(new Set(survivor.eventIds())).toEqual(new Set(sandbox.events.emitted().map((event) => event.eventId)));
  await eventually('settled', () => sandbox.events.unsettled() === 0);
  await survivor.close();
});

test('duplicate injection: an acked event is pushed once more, with a new messageId and the same eventId', async () => {
  const { sandbox, transport } = await start({ events: { duplicateRate: 1 } });
  const client = await StreamTestClient.connect(sandbox, transport);
  await expenseClaim(transport);
  await eventually('four frames', () => client.events().length >= 4);
  await settle(100);
  const frames = client.events();
  expect(frames).toHaveLength(4); // duplicates are not duplicated again
  const byEvent = new Map<string, string[]>();
  for (const frame of frames) byEvent.set(String(frame.headers.eventId), [...(byEvent.get(String(frame.headers.eventId)) ?? []), String(frame.headers.messageId)]);
  expect([...byEvent.values()].map((ids) => new Set(ids).size)).toEqual([2, 2]);
  expect(sandbox.events.deliveries().map((d) => d.kind).sort()).toEqual(['duplicate', 'duplicate', 'push', 'push']);

  sandbox.faults.setDuplicateRate(0);
  await expenseClaim(transport);
  await eventually('two more frames', () => client.events().length >= 6);
  await settle(100);
  expect(client.events()).toHaveLength(6);
  await client.close();
});

test('slow acks: an ack that takes effect after the redelivery timeout lets the event through twice', async () => {
  const { sandbox, transport } = await start({ events: { redeliverAfterMs: 100, ackDelayMs: 250 } });
  const client = await StreamTestClient.connect(sandbox, transport);
  await expenseClaim(transport);
  await eventually('settled', () => sandbox.events.unsettled() === 0, 2000);
  const ids = client.eventIds();
  expect(ids.length).toBeGreaterThanOrEqual(4);
  expect(new Set(ids).size).toBe(2);
  await client.close();
});

test('push quota: once the month\'s pushes are spent, events arrive as 20001 notices with no business data', async () => {
  const { sandbox, transport } = await start({ events: { pushQuota: 3 } });
  const client = await StreamTestClient.connect(sandbox, transport);
  await expenseClaim(transport);
  await expenseClaim(transport);
  await eventually('four frames', () => client.events().length >= 4);
  expect(sandbox.events.pushes()).toEqual({ used: 3, quota: 3 });
  expect(sandbox.events.emitted().map((event) => event.status)).toEqual(['pushed', 'pushed', 'pushed', 'paused']);
  const notice = client.events()[3]!;
  expect(frameData(notice)).toEqual({ errCode: 20001, errMsg: expect.stringContaining('受调用量超量影响') });
  expect(normaliseEvent(notice)).toMatchObject({ kind: 'paused', errCode: 20001, eventType: 'bpms_task_change' });
  expect(sandbox.events.deliveries().at(-1)?.kind).toBe('notice');

  sandbox.faults.setPushQuota(50_000); // Professional edition
  await expenseClaim(transport);
  await eventually('two more events', () => client.events().length >= 6);
  expect(client.events().slice(4).map((frame) => normaliseEvent(frame).kind)).toEqual(['instance', 'task']);
  await client.close();
});

test('a new month (Beijing time) restores the push allowance', async () => {
  const { sandbox, transport } = await start({ events: { pushQuota: 2 } });
  const client = await StreamTestClient.connect(sandbox, transport);
  await expenseClaim(transport);
  expect(sandbox.events.pushes()).toEqual({ used: 2, quota: 2 });
  sandbox.org.advance(32 * 24 * 60 * 60 * 1000);
  expect(sandbox.events.pushes()).toEqual({ used: 0, quota: 2 });
  await expenseClaim(transport);
  await eventually('four events', () => client.events().length >= 4);
  expect(client.events().map((frame) => normaliseEvent(frame).kind)).toEqual(['instance', 'task', 'instance', 'task']);
  await client.close();
});
