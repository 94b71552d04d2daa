/**
 * Stream frames and acks, on the examples in open-dingtalk/developerpedia docs/learn/stream/protocol.md
 * (../shared/dingtalk-events.md §3): headers arrive as strings though typed as numbers; acks have one shape.
 */
import { AckSchema, callbackAck, eventAck, frameData, FrameError, parseFrame, pingAck } from '../../../dingtalk/events/stream';

// developerpedia protocol.md, 通用字段说明 示例 (an EVENT frame, headers as strings).
const documentedEvent = {
  specVersion: '1.0',
  type: 'EVENT',
  headers: {
    topic: 'dingTalk',
    messageId: '213d841d_972_1898bb26334_70a7',
    contentType: 'application/json',
    time: '167123345',
    eventType: 'user_add_org',
    eventId: 'c7c7120f2c07419***ebdba0318c8',
    eventCorpId: 'ding9f50b15b***16741',
    eventBornTime: '1683533823336',
    eventUnifiedAppId: 'bbb381b6-f01xxxxx58daac',
  },
  data: '{"timestamp" : "1685501863357", "userId" : ["015xxxx227"]}',
};

test('the documented EVENT frame parses; time headers become numbers; data parses from its JSON string', () => {
  const frame = parseFrame(JSON.stringify(documentedEvent));
  expect(frame.type).toBe('EVENT');
  expect(frame.headers).toMatchObject({ messageId: '213d841d_972_1898bb26334_70a7', time: 167123345, eventBornTime: 1683533823336, eventType: 'user_add_org' });
  expect(frameData(frame)).toEqual({ timestamp: '1685501863357', userId: ['015xxxx227'] });
});

test('numeric headers are accepted as numbers too', () => {
  const frame = parseFrame({ ...documentedEvent, headers: { ...documentedEvent.headers, time: 167123345, eventBornTime: 1683533823336 } });
  expect(frame.headers).toMatchObject({ time: 167123345, eventBornTime: 1683533823336 });
});

test('SYSTEM ping and disconnect (documented without specVersion) parse', () => {
  const ping = parseFrame({ type: 'SYSTEM', headers: { topic: 'ping', messageId: '213d841d_972_1898bb26334_70a7', contentType: 'application/json' }, data: '{"opaque" : "123-dsfs"}' });
  expect(frameData(ping)).toEqual({ opaque: '123-dsfs' });
  const disconnect = parseFrame({ type: 'SYSTEM', headers: { topic: 'disconnect', contentType: 'application/json' }, data: '{"reason" : "connection is expired"}' });
  expect(disconnect.headers.topic).toBe('disconnect');
});

test('a broken frame lists every problem at once', () => {
  let error: unknown;
  try {
    parseFrame({ type: 'EVENT', headers: { time: 'yesterday' } });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(FrameError);
  const problems = (error as FrameError).problems.join('\n');
  for (const field of ['headers.messageId', 'headers.eventType', 'headers.eventId', 'headers.time', 'data']) expect(problems).toContain(field);
  expect(() => parseFrame('{not json')).toThrow('the message is not JSON');
  expect(() => parseFrame({ type: 'HELLO', headers: {} })).toThrow(FrameError);
  expect(() => frameData({ data: '[1,2]' })).toThrow('data: not a JSON object');
});

test('acks: the documented shape, data a JSON string', () => {
  expect(eventAck('m1', 'SUCCESS')).toEqual({ code: 200, headers: { contentType: 'application/json', messageId: 'm1' }, message: 'OK', data: '{"status":"SUCCESS"}' });
  expect(JSON.parse(eventAck('m1', 'LATER', 'database unavailable').data)).toEqual({ status: 'LATER', message: 'database unavailable' });
  expect(JSON.parse(pingAck('m2', '123-dsfs').data)).toEqual({ opaque: '123-dsfs' });
  expect(JSON.parse(callbackAck('m3').data)).toEqual({ response: null });
  for (const ack of [eventAck('m1', 'SUCCESS'), pingAck('m2', 'x'), callbackAck('m3')]) expect(AckSchema.safeParse(ack).success).toBe(true);
});
