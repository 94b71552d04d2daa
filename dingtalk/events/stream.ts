/**
 * The Stream protocol's frames and acks (../shared/dingtalk-events.md §3; open-dingtalk/developerpedia
 * docs/learn/stream/protocol.md @211653f). Headers are typed as numbers in the docs but sent as strings in every
 * example, so numeric headers accept both and come out as numbers. Schemas are loose: DingTalk may add fields.
 */
import { z } from 'zod';

/** A millisecond time that may arrive as a number or a string of digits. */
export const MillisSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'expected milliseconds as digits').transform(Number)]);

const headerText = z.union([z.string(), z.number().transform(String)]);

export const FrameHeadersSchema = z.looseObject({
  messageId: headerText.optional(),
  topic: headerText.optional(),
  contentType: z.string().optional(),
  time: MillisSchema.optional(),
  /** EVENT frames: the event's envelope travels in the headers. */
  eventType: z.string().optional(),
  eventId: headerText.optional(),
  eventCorpId: z.string().optional(),
  eventBornTime: MillisSchema.optional(),
  eventUnifiedAppId: z.string().optional(),
  /** Seen in dingtalk-stream-sdk-nodejs's types. */
  appId: z.string().optional(),
  connectionId: z.string().optional(),
});

/** `data` is a JSON string on the wire; an already-parsed object (as SDKs hand it to handlers) is accepted too. */
const FrameData = z.union([z.string(), z.record(z.string(), z.unknown())]);

export const SystemFrameSchema = z.looseObject({
  specVersion: z.string().optional(),
  type: z.literal('SYSTEM'),
  headers: FrameHeadersSchema.extend({ topic: z.string() }),
  data: FrameData.optional(),
});

export const EventFrameSchema = z.looseObject({
  specVersion: z.string().optional(),
  type: z.literal('EVENT'),
  headers: FrameHeadersSchema.extend({ messageId: headerText, eventType: z.string(), eventId: headerText }),
  data: FrameData,
});

export const CallbackFrameSchema = z.looseObject({
  specVersion: z.string().optional(),
  type: z.literal('CALLBACK'),
  headers: FrameHeadersSchema.extend({ messageId: headerText, topic: z.string() }),
  data: FrameData,
});

export const FrameSchema = z.discriminatedUnion('type', [SystemFrameSchema, EventFrameSchema, CallbackFrameSchema]);

export type SystemFrame = z.output<typeof SystemFrameSchema>;
export type EventFrame = z.output<typeof EventFrameSchema>;
export type CallbackFrame = z.output<typeof CallbackFrameSchema>;
export type Frame = z.output<typeof FrameSchema>;
/** What the wire carries (numbers may be strings); what `parseFrame` returns is `Frame`. */
export type FrameInput = z.input<typeof FrameSchema>;

/** The client's reply to a frame. */
export const AckSchema = z.looseObject({
  code: z.number().int(),
  headers: z.looseObject({ contentType: z.string(), messageId: z.string() }),
  message: z.string(),
  data: z.string(),
});
export type Ack = z.output<typeof AckSchema>;

/** SUCCESS = consumed; LATER = consumption failed, push again later. */
export type EventStatus = 'SUCCESS' | 'LATER';
export const EventAckDataSchema = z.looseObject({ status: z.enum(['SUCCESS', 'LATER']), message: z.string().optional() });

export class FrameError extends Error {
  constructor(readonly problems: string[]) {
    super(`Not a DingTalk Stream frame: ${problems.join('; ')}`);
    this.name = 'FrameError';
  }
}

const issuesOf = (error: z.ZodError): string[] =>
  error.issues.map((issue) => `${issue.path.join('.') || '(frame)'}: ${issue.message}`);

/** Parses one WebSocket message (text or already-parsed JSON); lists every problem at once. */
export function parseFrame(message: string | Buffer | unknown): Frame {
  let value: unknown = message;
  if (typeof message === 'string' || Buffer.isBuffer(message)) {
    try {
      value = JSON.parse(message.toString());
    } catch {
      throw new FrameError(['the message is not JSON']);
    }
  }
  const parsed = FrameSchema.safeParse(value);
  if (!parsed.success) throw new FrameError(issuesOf(parsed.error));
  return parsed.data;
}

/** The frame's `data` as an object: parsed from its JSON string, or as given. */
export function frameData(frame: { data?: string | Record<string, unknown> | undefined }): Record<string, unknown> {
  if (frame.data === undefined || frame.data === '') return {};
  if (typeof frame.data !== 'string') return frame.data;
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame.data);
  } catch {
    throw new FrameError(['data: not a JSON string']);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new FrameError(['data: not a JSON object']);
  return parsed as Record<string, unknown>;
}

const ack = (messageId: string, data: unknown, code = 200, message = 'OK'): Ack => ({
  code,
  headers: { contentType: 'application/json', messageId },
  message,
  data: JSON.stringify(data),
});

/** The ack for an EVENT: SUCCESS only once the event is stored; LATER asks DingTalk to push it again. */
export const eventAck = (messageId: string, status: EventStatus, message?: string): Ack =>
  ack(messageId, { status, ...(message ? { message } : {}) });

/** The reply to SYSTEM ping: the same messageId, echoing the opaque value. */
export const pingAck = (messageId: string, opaque: unknown): Ack => ack(messageId, { opaque });

/** The ack for a CALLBACK (bot messages, cards): `{"response": …}`. */
export const callbackAck = (messageId: string, response: unknown = null): Ack => ack(messageId, { response });

/** SYSTEM topics the docs define; dingtalk-stream-sdk-nodejs also handles CONNECTED, REGISTERED, KEEPALIVE (⚠ undocumented). */
export const SYSTEM_TOPICS = { ping: 'ping', disconnect: 'disconnect' } as const;
