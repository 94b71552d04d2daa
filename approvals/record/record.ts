/**
 * The record every approval trigger (and Start Approval, Find Approval) delivers: one flat, typed object per
 * approval, built from GetProcessInstance's result.
 */
import type { ProcessInstanceDetail } from '../../dingtalk/workflow';
import { realFileName } from './files';
import { flattenForm, type FormAttachment } from './form';
import { outcomeOf } from '../outcome';
import { isoFromMs, minutesBetween, msFromApiTime } from '../../lib/time';

export interface FileRef {
  processInstanceId: string;
  fileId: string;
  name: string;
  type: string;
  /** Operation-record (comment) files need DingTalk's `withCommentAttatchment`. */
  comment: boolean;
}

export interface RecordContext {
  /** Null when the caller only knows the approval id (GetProcessInstance does not name the template). */
  processCode: string | null;
  templateName: string | null;
  /** userId → name, for the users DingTalk returned names for (contacts calls are free). */
  names: ReadonlyMap<string, string>;
  /** A Zapier file field for one attachment (a dehydrated pointer inside Zapier). */
  file: (ref: FileRef) => string;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : isoFromMs(ms));

export function approvalRecord(id: string, detail: ProcessInstanceDetail, context: RecordContext) {
  const created = msFromApiTime(detail.createTime);
  const finished = msFromApiTime(detail.finishTime);
  const name = (userId: string | null | undefined) => (userId ? (context.names.get(userId) ?? null) : null);
  const fileOf = (attachment: Pick<FormAttachment, 'file_id' | 'name' | 'type'>, comment: boolean) => {
    const fileName = realFileName(attachment.name, attachment.type, attachment.file_id);
    return { name: fileName, file: context.file({ processInstanceId: id, fileId: attachment.file_id, name: fileName, type: attachment.type, comment }) };
  };
  // Attachment cells in table rows carry their files beside their names (`…__files`), hydrated on use; top-level
  // attachment fields have theirs in `attachments`, where the row files appear too.
  const flat = flattenForm(detail.formComponentValues ?? [], (attachment) => fileOf(attachment, false).file);
  const tasks = (detail.tasks ?? []).map((task) => {
    const taskCreated = msFromApiTime(task.createTime);
    const taskFinished = msFromApiTime(task.finishTime);
    return {
      task_id: task.taskId,
      user_id: task.userId ?? null,
      user_name: name(task.userId),
      status: task.status ?? null,
      result: task.result ?? null,
      activity_id: task.activityId ?? null,
      created_at: iso(taskCreated),
      finished_at: iso(taskFinished),
      // A running task has waited until now.
      wait_minutes: minutesBetween(taskCreated, taskFinished ?? (task.status === 'RUNNING' ? Date.now() : undefined)),
    };
  });
  const latestTaskUrl = [...(detail.tasks ?? [])].reverse().find((task) => task.pcUrl)?.pcUrl ?? null;

  return {
    id,
    title: detail.title ?? null,
    template_code: context.processCode,
    template_name: context.templateName,
    status: detail.status,
    result: detail.result || null,
    outcome: outcomeOf(detail.status, detail.result) ?? (detail.status === 'RUNNING' ? 'pending' : null),
    business_id: detail.businessId ?? null,
    originator_user_id: detail.originatorUserId ?? null,
    originator_name: name(detail.originatorUserId),
    originator_department_id: detail.originatorDeptId ?? null,
    originator_department_name: detail.originatorDeptName ?? null,
    created_at: iso(created),
    finished_at: iso(finished),
    processing_minutes: minutesBetween(created, finished),
    // ⚠ DingTalk documents pcUrl only as the task's PC link; it opens the approval in the DingTalk client.
    url: latestTaskUrl,
    cc_user_ids: detail.ccUserIds ?? [],
    ...flat.fields,
    form: flat.form,
    attachments: flat.attachments.map((attachment) => ({
      ...fileOf(attachment, false),
      size: attachment.size,
      type: attachment.type,
      file_id: attachment.file_id,
      space_id: attachment.space_id,
      field: attachment.field,
    })),
    operations: (detail.operationRecords ?? []).map((record) => ({
      user_id: record.userId ?? null,
      // Not `showName`: DingTalk documents it as the task node's name (任务节点名称, e.g. "审批人"), not the user's.
      user_name: name(record.userId),
      type: record.type ?? null,
      result: record.result ?? null,
      remark: record.remark ?? null,
      date: iso(msFromApiTime(record.date)),
      attachments: (record.attachments ?? []).flatMap((attachment) =>
        attachment.fileId
          ? [{ ...fileOf({ file_id: attachment.fileId, name: attachment.fileName ?? '', type: (attachment.fileType ?? '').toLowerCase() }, true), file_id: attachment.fileId }]
          : [],
      ),
    })),
    tasks,
  };
}

export type ApprovalRecord = ReturnType<typeof approvalRecord>;

/** Every user id a record would like a name for. */
export function userIdsOf(detail: ProcessInstanceDetail): string[] {
  const ids = [detail.originatorUserId, ...(detail.tasks ?? []).map((t) => t.userId), ...(detail.operationRecords ?? []).map((r) => r.userId)];
  return [...new Set(ids.filter((id): id is string => Boolean(id)))];
}
