/**
 * DingTalk's own example events, through the client's normaliser into the store: one row per event, whichever
 * way it came, with the fields the relay filters and orders by.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseEvent, type InstanceEvent, type TaskEvent } from '../../dingtalk/events/normalise';
import { toNewEvent } from '../../relay/events';
import { openStore, type Store } from '../../relay/store';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', `${name}.json`), 'utf8'));
const approvalEvent = (name: string) => normaliseEvent(fixture(name)) as InstanceEvent | TaskEvent;
const T0 = Date.parse('2026-11-20T10:00:00+08:00');

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relay-events-'));
  store = await openStore(`sqlite:${join(dir, 'relay.db')}`);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the official task event, over Stream and then over HTTP push, is stored once with its normalised fields', async () => {
  const stream = toNewEvent('dingA', approvalEvent('event-bpms_task_change-officialdoc-stream-1'));
  const http = toNewEvent('dingA', approvalEvent('event-bpms_task_change-officialdoc-http-1'));
  expect(stream).toMatchObject({
    eventType: 'bpms_task_change', changeType: 'finish', result: 'agree', processInstanceId: 'ce133dd0-5b22-9516-xxxxxxxxxxxx',
    processCode: 'PROC-27BBC5E6-DFFA-4EC3-A1F1-xxx', taskId: '811165', staffId: '08058646137', occurredAt: 1670983893000, via: 'stream',
  });
  expect(http.via).toBe('http');
  expect((await store.events.record([stream, http], T0)).map((r) => r.stored)).toEqual([true, false]);
  const [row] = await store.events.latest('dingA', 5);
  expect(JSON.parse(row!.raw)).toEqual(stream.raw);
});

test('an instance event keeps its originator; older events without eventId or EventTime dedupe on their derived id', async () => {
  const instance = toNewEvent('dingA', approvalEvent('event-bpms_instance_change-officialdoc-stream-1'));
  expect(instance).toMatchObject({ changeType: 'finish', result: 'agree', staffId: 'manager75', taskId: null, processCode: 'Pro-xxx' });
  const older = toNewEvent('dingA', approvalEvent('event-bpms_task_change-zhaoyunxing92-start'));
  expect(older.eventId).toMatch(/^derived-/);
  const again = toNewEvent('dingA', approvalEvent('event-bpms_task_change-zhaoyunxing92-start'));
  expect((await store.events.record([instance, older, again], T0)).map((r) => r.stored)).toEqual([true, true, false]);
});
