/**
 * One shape for every approval event DingTalk sends, whichever way it came (../shared/dingtalk-events.md §5): a
 * Stream frame, the SDK-level Stream form of DingTalk's docs, or HTTP push's flat plaintext (shapes.ts), including the
 * older flat form without `eventId`/`EventTime` (zhaoyunxing92/dingtalk's recorded events, 2021).
 * Field variants handled: `taskId` as a number or a string (normalised to a string of digits, which is lossless
 * for DingTalk's longs), times as numbers or strings, no `processCode` in older events.
 * The raw payload is kept untouched in `raw`. Pure: no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EventShapeError, issues, split } from './shapes';
import { MillisSchema } from './stream';

export { EventShapeError } from './shapes';

export const INSTANCE_TYPES = ['start', 'finish', 'terminate', 'delete'] as const;
export const TASK_TYPES = ['start', 'finish', 'cancel', 'comment'] as const;
export type InstanceChangeType = (typeof INSTANCE_TYPES)[number];
export type TaskChangeType = (typeof TASK_TYPES)[number];
/** Instance: agree/refuse (none on terminate). Task: agree/refuse, redirect (transferred), audit (handler node). */
export const RESULTS = ['agree', 'refuse', 'redirect', 'audit'] as const;
export type ApprovalResult = (typeof RESULTS)[number];

/** DingTalk's Stream error when the org's push quota is spent (KB 0004 错误码: 20001). */
export const PUSH_QUOTA_PAUSED_CODE = 20001;

interface Envelope {
  /** DingTalk's eventId; for older events without one, a stable hash of the business fields (`idSource: 'derived'`). */
  eventId: string;
  idSource: 'dingtalk' | 'derived';
  eventType: string;
  via: 'stream' | 'http';
  corpId?: string;
  /** Stream's eventUnifiedAppId. */
  unifiedAppId?: string;
  /** When DingTalk created the event (eventBornTime / EventTime), ms. */
  bornAt?: number;
  /** The time to order events by: bornAt, else the change's own finish or create time. */
  occurredAt?: number;
  raw: unknown;
}

interface ApprovalFields {
  processInstanceId: string;
  processCode?: string;
  title?: string;
  businessId?: string;
  bizCategoryId?: string;
  createTime?: number;
  finishTime?: number;
}

export interface InstanceEvent extends Envelope, ApprovalFields {
  kind: 'instance';
  type: InstanceChangeType;
  result?: ApprovalResult;
  /** `staffId` on an instance event: who started the approval. */
  originatorUserId?: string;
  businessType?: string;
  url?: string;
}

export interface TaskEvent extends Envelope, ApprovalFields {
  kind: 'task';
  type: TaskChangeType;
  result?: ApprovalResult;
  taskId?: string;
  /** `staffId` on a task event: the approver, or the user who transferred the task. */
  approverUserId?: string;
  remark?: string;
}

/** A push sent while the org's push quota is spent: it carries no business data (⚠ frame shape, see README). */
export interface PausedEvent extends Envelope {
  kind: 'paused';
  errCode: number;
  errMsg?: string;
}

/** Any other event type, normalised envelope only. */
export interface OtherEvent extends Envelope {
  kind: 'other';
  data: Record<string, unknown>;
}

/** HTTP push's URL check from the console; it has no eventId and must be answered, not stored. */
export interface CheckUrlEvent {
  kind: 'check_url';
  via: 'http';
  raw: unknown;
}

export type NormalisedEvent = InstanceEvent | TaskEvent | PausedEvent | OtherEvent | CheckUrlEvent;

const id = z.union([z.string().min(1), z.number().int().transform(String)]);
const ApprovalDataSchema = z.looseObject({
  processInstanceId: z.string().min(1),
  processCode: z.string().optional(),
  title: z.string().optional(),
  businessId: z.string().optional(),
  bizCategoryId: z.string().optional(),
  businessType: z.string().optional(),
  url: z.string().optional(),
  type: z.string().min(1),
  result: z.string().optional(),
  staffId: id.optional(),
  remark: z.string().optional(),
  taskId: z.union([z.number().int().nonnegative().transform(String), z.string().regex(/^\d+$/, 'expected digits')]).optional(),
  createTime: MillisSchema.optional(),
  finishTime: MillisSchema.optional(),
});

const EnvelopeSchema = z.object({
  eventType: z.string().min(1),
  eventId: id.optional(),
  corpId: z.string().optional(),
  unifiedAppId: z.string().optional(),
  bornAt: MillisSchema.optional(),
});


/** A stable id for older events that carry no eventId: the same change always hashes the same. */
function derivedId(eventType: string, data: Record<string, unknown>): string {
  const keys = ['processInstanceId', 'type', 'result', 'taskId', 'staffId', 'createTime', 'finishTime', 'remark'];
  const canonical = JSON.stringify([eventType, ...keys.map((key) => (data[key] === undefined ? null : String(data[key])))]);
  return `derived-${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

const defined = <T extends Record<string, unknown>>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;

/**
 * Turns a Stream frame, a Stream event or an HTTP push plaintext into one NormalisedEvent. Throws an
 * EventShapeError listing every problem at once when the input is none of DingTalk's documented shapes.
 */
export function normaliseEvent(input: unknown): NormalisedEvent {
  const { via, envelope: rawEnvelope, data } = split(input);
  const raw = typeof input === 'string' ? (JSON.parse(input) as unknown) : input;
  if (rawEnvelope.eventType === 'check_url') return { kind: 'check_url', via: 'http', raw };

  const parsedEnvelope = EnvelopeSchema.safeParse(rawEnvelope);
  if (!parsedEnvelope.success) throw new EventShapeError(issues(parsedEnvelope.error));
  const { eventType, eventId, corpId, unifiedAppId, bornAt } = parsedEnvelope.data;
  const base = (occurredAt: number | undefined): Envelope =>
    defined({
      eventId: eventId ?? derivedId(eventType, data),
      idSource: eventId ? ('dingtalk' as const) : ('derived' as const),
      eventType,
      via,
      corpId,
      unifiedAppId,
      bornAt,
      occurredAt: bornAt ?? occurredAt,
      raw,
    });

  const errCode = data.errCode ?? data.errcode;
  if (errCode !== undefined && Number(errCode) === PUSH_QUOTA_PAUSED_CODE) {
    const errMsg = data.errMsg ?? data.errmsg;
    return { ...base(undefined), kind: 'paused', errCode: PUSH_QUOTA_PAUSED_CODE, ...(typeof errMsg === 'string' ? { errMsg } : {}) };
  }
  if (eventType !== 'bpms_instance_change' && eventType !== 'bpms_task_change') return { ...base(undefined), kind: 'other', data };

  const parsed = ApprovalDataSchema.safeParse(data);
  const kind = eventType === 'bpms_instance_change' ? 'instance' : 'task';
  const allowed: readonly string[] = kind === 'instance' ? INSTANCE_TYPES : TASK_TYPES;
  const problems = parsed.success ? [] : issues(parsed.error, via === 'stream' ? 'data.' : '');
  const type = typeof data.type === 'string' ? data.type : undefined;
  if (type !== undefined && !allowed.includes(type)) problems.push(`type: "${type}" is not a ${eventType} type (${allowed.join(', ')})`);
  const result = typeof data.result === 'string' && data.result !== '' ? data.result : undefined;
  if (result !== undefined && !(RESULTS as readonly string[]).includes(result)) problems.push(`result: "${result}" is not one DingTalk documents (${RESULTS.join(', ')})`);
  if (!parsed.success || problems.length > 0) throw new EventShapeError(problems);

  const fields = parsed.data;
  const common = defined({
    processInstanceId: fields.processInstanceId,
    processCode: fields.processCode,
    title: fields.title,
    businessId: fields.businessId,
    bizCategoryId: fields.bizCategoryId,
    createTime: fields.createTime,
    finishTime: fields.finishTime,
    result: result as ApprovalResult | undefined,
  });
  const occurredAt = fields.finishTime ?? fields.createTime;
  if (kind === 'instance') {
    return { ...base(occurredAt), kind, ...common, type: fields.type as InstanceChangeType, ...defined({ originatorUserId: fields.staffId, businessType: fields.businessType, url: fields.url }) };
  }
  return { ...base(occurredAt), kind, ...common, type: fields.type as TaskChangeType, ...defined({ taskId: fields.taskId, approverUserId: fields.staffId, remark: fields.remark }) };
}
