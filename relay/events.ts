/**
 * From the DingTalk client's normalised event (dingtalk/events/normalise.ts) to the row the store keeps: the
 * approver (task) or originator (instance) becomes `staffId`, DingTalk's `type` the change type, and the
 * change's own finish or create time the time to order by.
 */
import type { InstanceEvent, TaskEvent } from '../dingtalk/events/normalise';
import type { NewEvent, Via } from './store';

export function toNewEvent(tenantId: string, event: InstanceEvent | TaskEvent, via: Via = event.via): NewEvent {
  return {
    tenantId,
    eventId: event.eventId,
    eventType: event.eventType,
    changeType: event.type,
    result: event.result ?? null,
    processInstanceId: event.processInstanceId,
    processCode: event.processCode ?? null,
    taskId: event.kind === 'task' ? (event.taskId ?? null) : null,
    staffId: (event.kind === 'task' ? event.approverUserId : event.originatorUserId) ?? null,
    corpId: event.corpId ?? null,
    occurredAt: event.finishTime ?? event.createTime ?? null,
    bornAt: event.bornAt ?? null,
    via,
    raw: event.raw,
  };
}
