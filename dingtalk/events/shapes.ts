/**
 * The three forms a DingTalk event arrives in, split into an envelope and the business object for normalise.ts:
 * - a Stream EVENT frame: envelope in `headers` (strings on the wire), `data` a JSON string (or an object once an
 *   SDK has parsed it);
 * - the SDK-level Stream form in DingTalk's docs (KB 0039/0038 block 1): `eventType`, `eventId`, `eventCorpId`,
 *   `eventBornTime`, `eventUnifiedAppId` beside `data: {…}`;
 * - HTTP push's flat plaintext (KB 0039/0038 block 2): `EventType`, `EventTime`, `CorpId`, `BizId`, `eventId` beside
 *   the fields, or the older flat form with `corpId` and no `eventId`/`EventTime`.
 */
import type { z } from 'zod';
import { EventFrameSchema, frameData, FrameError } from './stream';

export class EventShapeError extends Error {
  constructor(readonly problems: string[]) {
    super(`Not a DingTalk event DingTalk documents: ${problems.join('; ')}`);
    this.name = 'EventShapeError';
  }
}

/** Every zod issue as `path: message`. */
export const issues = (error: z.ZodError, prefix = ''): string[] =>
  error.issues.map((issue) => `${prefix}${issue.path.map(String).join('.') || '(event)'}: ${issue.message}`);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const HTTP_ENVELOPE_KEYS = ['EventType', 'EventTime', 'CorpId', 'BizId', 'eventId', 'corpId'];

export interface Split {
  via: 'stream' | 'http';
  /** eventType, eventId, corpId, unifiedAppId, bornAt: still unparsed. */
  envelope: Record<string, unknown>;
  data: Record<string, unknown>;
}

/** A frame's `data` as an object; a bad one is an EventShapeError like every other shape problem. */
function dataOf(data: string | Record<string, unknown>): Record<string, unknown> {
  try {
    return frameData({ data });
  } catch (error) {
    if (error instanceof FrameError) throw new EventShapeError(error.problems);
    throw error;
  }
}

export function split(input: unknown): Split {
  if (typeof input === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new EventShapeError(['the event is not JSON']);
    }
    return split(parsed);
  }
  if (!isRecord(input)) throw new EventShapeError(['the event is not a JSON object']);
  if (input.type === 'EVENT' && isRecord(input.headers)) {
    const frame = EventFrameSchema.safeParse(input);
    if (!frame.success) throw new EventShapeError(issues(frame.error));
    const { headers } = frame.data;
    return {
      via: 'stream',
      envelope: { eventType: headers.eventType, eventId: headers.eventId, corpId: headers.eventCorpId, unifiedAppId: headers.eventUnifiedAppId, bornAt: headers.eventBornTime },
      data: dataOf(frame.data.data),
    };
  }
  if (typeof input.eventType === 'string' && 'data' in input) {
    if (typeof input.data !== 'string' && !isRecord(input.data)) throw new EventShapeError(['data: not a JSON object']);
    return {
      via: 'stream',
      envelope: { eventType: input.eventType, eventId: input.eventId, corpId: input.eventCorpId, unifiedAppId: input.eventUnifiedAppId, bornAt: input.eventBornTime },
      data: dataOf(input.data),
    };
  }
  if (typeof input.EventType === 'string') {
    return {
      via: 'http',
      envelope: { eventType: input.EventType, eventId: input.eventId, corpId: input.CorpId ?? input.corpId, bornAt: input.EventTime },
      data: Object.fromEntries(Object.entries(input).filter(([key]) => !HTTP_ENVELOPE_KEYS.includes(key))),
    };
  }
  throw new EventShapeError(['neither a Stream EVENT frame (type, headers, data), a Stream event (eventType, data) nor an HTTP push (EventType)']);
}
