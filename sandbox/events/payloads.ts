/**
 * What the sandbox's approval events carry, in DingTalk's field shapes (KB 0039-event-bpms-instance-change,
 * 0038-event-bpms-task-change; ../shared/dingtalk-events.md §5), and the two ways they travel: a Stream EVENT frame
 * (envelope in string headers, business object as a JSON string in `data`) and HTTP push's flat plaintext.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { OperationRecord, State, Task, Instance } from '../state';
import { templateByCode } from '../state';

export type EventType = 'bpms_instance_change' | 'bpms_task_change';

/** One DingTalk event as the sandbox produced it. */
export interface SandboxEvent {
  eventId: string;
  eventType: EventType;
  /** eventBornTime / EventTime, ms. */
  bornAt: number;
  /** The business object: `data` on Stream, the flat fields on HTTP push. */
  data: Record<string, unknown>;
}

/** A change before it gets its event id. */
export type Change = Omit<SandboxEvent, 'eventId'>;

const TASK_RESULTS: Record<Task['result'], string | undefined> = { AGREE: 'agree', REFUSE: 'refuse', REDIRECTED: 'redirect', NONE: undefined };

function common(state: State, instance: Instance, type: string): Record<string, unknown> {
  return {
    processInstanceId: instance.processInstanceId,
    processCode: instance.processCode,
    // ⚠ DingTalk's examples show a category ("attendance.goout", "20230xxx") or ""; the template's directory stands in.
    bizCategoryId: templateByCode(state, instance.processCode)?.dirId ?? '',
    businessId: instance.businessId,
    title: instance.title,
    type,
  };
}

/** bpms_instance_change: staffId is the originator; `result` only on finish; `url` the approval page. */
export function instanceChange(state: State, instance: Instance, type: 'start' | 'finish' | 'terminate', now: number): Change {
  return {
    eventType: 'bpms_instance_change',
    bornAt: now,
    data: {
      ...common(state, instance, type),
      createTime: instance.createTime,
      ...(type !== 'start' && instance.finishTime !== undefined ? { finishTime: instance.finishTime } : {}),
      ...(type === 'finish' && instance.result ? { result: instance.result } : {}),
      staffId: instance.originatorUserId,
      url: `https://aflow.dingtalk.com/dingtalk/mobile/homepage.htm?corpid=${state.org.corpId}&dd_share=false#/approval?procInsId=${instance.processInstanceId}`,
    },
  };
}

/** bpms_task_change for a task: staffId is the approver (or the user who transferred); taskId a number (long). */
export function taskChange(state: State, instance: Instance, task: Task, type: 'start' | 'finish' | 'cancel', now: number, remark?: string): Change {
  const result = type === 'finish' ? TASK_RESULTS[task.result] : undefined;
  return {
    eventType: 'bpms_task_change',
    bornAt: now,
    data: {
      ...common(state, instance, type),
      createTime: task.createTime,
      ...(type !== 'start' && task.finishTime !== undefined ? { finishTime: task.finishTime } : {}),
      ...(result ? { result } : {}),
      ...(remark ? { remark } : {}),
      staffId: task.userId,
      taskId: task.taskId,
    },
  };
}

/** bpms_task_change `comment`: ⚠ DingTalk does not say which taskId a comment carries; the sandbox sends none. */
export function commentChange(state: State, instance: Instance, record: OperationRecord, now: number): Change {
  return {
    eventType: 'bpms_task_change',
    bornAt: now,
    data: { ...common(state, instance, 'comment'), createTime: record.date, staffId: record.userId ?? '', remark: record.remark ?? '' },
  };
}

/** eventUnifiedAppId: a UUID-shaped id, stable per app (DingTalk's is the app's unified id ⚠). */
export function unifiedAppId(appKey: string): string {
  const hex = createHash('sha1').update(appKey).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Ids shaped like DingTalk's: eventId 32 hex digits; messageId like "213d841d_972_1898bb26334_70a7". */
export const newEventId = (): string => randomBytes(16).toString('hex');
let messageSerial = 0;
export const newMessageId = (now: number): string =>
  `${randomBytes(4).toString('hex')}_${(messageSerial = (messageSerial + 1) % 100000)}_${now.toString(16)}_${randomBytes(2).toString('hex')}`;

export interface StreamHeaders {
  messageId: string;
  connectionId: string;
  corpId: string;
  appKey: string;
  now: number;
}

/** An EVENT frame as DingTalk's gateway sends it: every header a string, `data` a JSON string. */
export function eventFrame(event: SandboxEvent, headers: StreamHeaders, data: Record<string, unknown> = event.data) {
  return {
    specVersion: '1.0',
    type: 'EVENT' as const,
    headers: {
      // developerpedia's CALLBACK example shows appId as the app's UUID-shaped id, not its Client ID.
      appId: unifiedAppId(headers.appKey),
      connectionId: headers.connectionId,
      contentType: 'application/json',
      eventBornTime: String(event.bornAt),
      eventCorpId: headers.corpId,
      eventId: event.eventId,
      eventType: event.eventType,
      eventUnifiedAppId: unifiedAppId(headers.appKey),
      messageId: headers.messageId,
      time: String(headers.now),
      topic: '*',
    },
    data: JSON.stringify(data),
  };
}

/** HTTP push's plaintext: the envelope flattened beside the business fields. BizId ⚠: "无业务意义，幂等". */
export function httpPlaintext(event: SandboxEvent, corpId: string, data: Record<string, unknown> = event.data): Record<string, unknown> {
  return { EventType: event.eventType, EventTime: event.bornAt, CorpId: corpId, BizId: event.eventId.slice(0, 16), eventId: event.eventId, ...data };
}

/** DingTalk's 20001 notice (KB 0004 错误码): the push carries errCode/errMsg and no business fields (⚠ shape). */
export const PAUSED_DATA = { errCode: 20001, errMsg: '受调用量超量影响，当前我的消息服务已经暂停。请联系你所在的组织管理员并予以处理' } as const;
