/**
 * normaliseEvent against every event file in test/fixtures/events/ (copied verbatim from ../shared/dingtalk-payloads/, from DingTalk's docs and
 * public code; its README says where each came from). Per the README, the official examples' createTime >
 * finishTime and their shared masked eventId are doc quirks, and zhaoyunxing92's `processCod` is an author typo:
 * nothing below asserts on them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventShapeError, normaliseEvent, type NormalisedEvent } from '../../../dingtalk/events/normalise';
import { parseFrame } from '../../../dingtalk/events/stream';

const PAYLOADS = join(__dirname, '../../fixtures/events');
const load = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(PAYLOADS, name), 'utf8')) as Record<string, unknown>;
const eventFiles = readdirSync(PAYLOADS).filter((name) => name.startsWith('event-') && name.endsWith('.json'));

/** The Stream example as it travels on the wire: envelope in string headers, data as a JSON string. */
function asWireFrame(example: Record<string, unknown>) {
  return {
    specVersion: '1.0',
    type: 'EVENT',
    headers: {
      topic: '*',
      messageId: '213d841d_972_1898bb26334_70a7',
      contentType: 'application/json',
      time: '1683533823400',
      eventType: example.eventType,
      eventId: example.eventId,
      eventCorpId: example.eventCorpId,
      eventBornTime: String(example.eventBornTime),
      eventUnifiedAppId: example.eventUnifiedAppId,
    },
    data: JSON.stringify(example.data),
  };
}

const approval = (event: NormalisedEvent) => {
  if (event.kind !== 'instance' && event.kind !== 'task') throw new Error(`expected an approval event, got ${event.kind}`);
  return event;
};

test('the fixture folder holds the eight event files this suite covers', () => {
  expect(eventFiles).toHaveLength(8);
});

describe.each(eventFiles)('%s', (name) => {
  const example = load(name);
  const event = approval(normaliseEvent(example));
  const fields = (example.data as Record<string, unknown> | undefined) ?? example;

  test('normalises to the change it describes, with the raw payload kept', () => {
    expect(event.kind).toBe(name.includes('instance') ? 'instance' : 'task');
    expect(event.eventType).toBe(name.includes('instance') ? 'bpms_instance_change' : 'bpms_task_change');
    expect(event.processInstanceId).toBe(fields.processInstanceId);
    expect(event.type).toBe(fields.type);
    expect(event.result).toBe(fields.result);
    expect(event.title).toBe(fields.title);
    expect(event.raw).toBe(example);
    expect(event.via).toBe(name.includes('-stream-') ? 'stream' : 'http');
  });

  test('the staffId becomes the originator (instance) or the approver (task); taskId is a string of digits', () => {
    if (event.kind === 'instance') expect(event.originatorUserId).toBe(fields.staffId);
    else {
      expect(event.approverUserId).toBe(fields.staffId);
      expect(event.taskId).toBe(String(fields.taskId));
      expect(event.taskId).toMatch(/^\d+$/);
    }
  });

  test('an event id: DingTalk\'s when present, else a stable derived one', () => {
    const again = approval(normaliseEvent(JSON.parse(JSON.stringify(example))));
    expect(again.eventId).toBe(event.eventId);
    if (example.eventId !== undefined) expect(event).toMatchObject({ eventId: example.eventId, idSource: 'dingtalk' });
    else expect(event).toMatchObject({ idSource: 'derived', eventId: expect.stringMatching(/^derived-[0-9a-f]{32}$/) });
  });

  test('an order time: the born time when DingTalk sends one, else the change\'s own time', () => {
    const born = example.eventBornTime ?? example.EventTime;
    expect(event.occurredAt).toBe(born ?? fields.finishTime ?? fields.createTime);
  });
});

describe('Stream frames as they travel on the wire', () => {
  test.each(eventFiles.filter((name) => name.includes('-stream-')))('%s: string headers and a JSON-string data give the same event', (name) => {
    const example = load(name);
    const frame = asWireFrame(example);
    const fromFrame = approval(normaliseEvent(frame));
    const fromExample = approval(normaliseEvent(example));
    const { raw: _a, ...left } = fromFrame;
    const { raw: _b, ...right } = fromExample;
    expect(left).toEqual(right);
    expect(fromFrame.bornAt).toBe(1683533823336);
    expect(fromFrame.raw).toBe(frame);
    // The parsed frame (numbers already numbers) normalises the same way.
    const { raw: _c, ...parsed } = approval(normaliseEvent(parseFrame(JSON.stringify(frame))));
    expect(parsed).toEqual(left);
  });

  test('numeric headers and a taskId sent as a string are accepted', () => {
    const example = load('event-bpms_task_change-officialdoc-stream-1.json');
    const frame = asWireFrame({ ...example, eventBornTime: 1683533823336, data: { ...(example.data as object), taskId: '811165' } });
    const event = approval(normaliseEvent({ ...frame, headers: { ...frame.headers, eventBornTime: 1683533823336, time: 1683533823400 } }));
    expect(event).toMatchObject({ kind: 'task', taskId: '811165', bornAt: 1683533823336 });
  });

  test('an HTTP push plaintext given as the decrypted string normalises too', () => {
    const text = readFileSync(join(PAYLOADS, 'event-bpms_instance_change-officialdoc-http-1.json'), 'utf8');
    expect(normaliseEvent(text)).toMatchObject({ kind: 'instance', type: 'finish', result: 'agree', corpId: 'ding9f50b15bxxxx16741', bornAt: 1663143335567 });
  });
});

describe('other shapes', () => {
  test('check_url is recognised, not stored', () => {
    expect(normaliseEvent('{"EventType":"check_url"}')).toEqual({ kind: 'check_url', via: 'http', raw: { EventType: 'check_url' } });
  });

  test('a 20001 push (quota spent) is a paused event with no business data', () => {
    const event = normaliseEvent({
      type: 'EVENT',
      headers: { messageId: 'm1', eventType: 'bpms_task_change', eventId: 'e1', eventBornTime: '1700000000000' },
      data: JSON.stringify({ errCode: 20001, errMsg: '受调用量超量影响，当前我的消息服务已经暂停' }),
    });
    expect(event).toMatchObject({ kind: 'paused', errCode: 20001, eventId: 'e1', bornAt: 1700000000000 });
  });

  test('a non-approval event keeps its data', () => {
    const event = normaliseEvent({ eventType: 'user_add_org', eventId: 'e2', data: { userId: ['u1'] } });
    expect(event).toMatchObject({ kind: 'other', eventType: 'user_add_org', data: { userId: ['u1'] } });
  });

  test('a malformed approval event lists every problem at once', () => {
    let error: unknown;
    try {
      normaliseEvent({ EventType: 'bpms_task_change', type: 'approve', result: 'maybe', taskId: 'abc', createTime: 'yesterday' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EventShapeError);
    const problems = (error as EventShapeError).problems.join('\n');
    expect(problems).toMatch(/processInstanceId/);
    expect(problems).toMatch(/taskId/);
    expect(problems).toMatch(/createTime/);
    expect(problems).toMatch(/"approve" is not a bpms_task_change type/);
    expect(problems).toMatch(/"maybe" is not one DingTalk documents/);
  });

  test('something that is no event at all says what was expected', () => {
    expect(() => normaliseEvent({ hello: 'world' })).toThrow(/neither a Stream EVENT frame/);
    expect(() => normaliseEvent('not json')).toThrow(/not JSON/);
    const frame = { type: 'EVENT', headers: { messageId: 'm', eventType: 'bpms_task_change', eventId: 'e' }, data: '[1]' };
    expect(() => normaliseEvent(frame)).toThrow(EventShapeError);
  });
});
