/**
 * workflow_1_0 approval instances: start, read, list, comment, approve/refuse, revoke, attachment download grants.
 * Error codes are the ones each endpoint's doc page lists (create-an-approval-instance, obtains-the-details-of-a-
 * single-approval-instance-pop, obtain-an-approval-list-of-instance-ids, official-approval-adds-approval-comments,
 * approve-or-reject-the-approval-task, revoke-an-approval-instance, download-an-approval-attachment).
 */
import type { EndpointName } from '../../dingtalk/endpoints';
import { comment, decide, FlowError, redirect, terminate } from '../flow';
import { DOWNLOAD_TTL_MS, downloadPath } from '../files';
import { apiError, failApi, isRecord, numeric, ok, text, type Handler } from '../http';
import { startInstance } from '../start';
import { userById, type FileRef, type Instance, type State } from '../state';
import { instanceView } from '../views';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_TEXT = 1024;
const MAX_FILES = 20;
const REVOKE_AFTER_MS = 15 * 1000;
/** transfer-the-oa-approval-task: remark at most 256 characters, actionName at most 128. */
const MAX_REDIRECT_REMARK = 256;
const MAX_REDIRECT_ACTION_NAME = 128;

/** FlowErrors become DingTalk's 400 answers. */
const guarded = (handler: Handler): Handler => (ctx, request) => {
  try {
    return handler(ctx, request);
  } catch (error) {
    if (error instanceof FlowError) return apiError(400, error.code, error.message);
    throw error;
  }
};

const instanceOf = (state: State, id: string, code: string): Instance =>
  state.instances[id] ?? failApi(code, '审批实例不存在');

/** The `file` of Execute and Comment: `{photos[], attachments[{spaceId, fileSize, fileId, fileName, fileType}]}`. */
function fileOf(value: unknown): { attachments?: FileRef[]; photos?: string[] } {
  if (!isRecord(value)) return {};
  const attachments = Array.isArray(value.attachments) ? value.attachments : [];
  if (attachments.length > MAX_FILES) failApi('invalidParameter', `附件至多 ${MAX_FILES} 个`);
  const refs = attachments.map((item): FileRef => {
    const fileId = isRecord(item) ? text(item.fileId) : undefined;
    if (!isRecord(item) || !fileId) return failApi('invalidParameter', '附件缺少 fileId');
    return { spaceId: text(item.spaceId) ?? '', fileId, fileName: text(item.fileName) ?? fileId, fileSize: text(item.fileSize) ?? '0', fileType: text(item.fileType) ?? '' };
  });
  const photos = Array.isArray(value.photos) ? value.photos.map(String) : [];
  return { ...(refs.length ? { attachments: refs } : {}), ...(photos.length ? { photos } : {}) };
}

const checkLength = (value: string | undefined, what: string) => {
  if (value !== undefined && value.length > MAX_TEXT) failApi('invalidParameter', `${what}最大长度${MAX_TEXT}字符`);
};

export const instanceRoutes: Partial<Record<EndpointName, Handler>> = {
  StartProcessInstance: guarded((ctx, { body }) => ok({ instanceId: startInstance(ctx.state, ctx.now(), body).processInstanceId })),

  GetProcessInstance: (ctx, { query }) => {
    const id = text(query.processInstanceId) ?? failApi('processInstanceIdError', 'processInstanceId参数无效');
    const instance = instanceOf(ctx.state, id, 'processInstanceNotExist');
    return ok({ result: instanceView(ctx.state, instance), success: 'true' });
  },

  /** Newest first, at most 20 a page; the request cursor is a number, the response cursor a string. */
  ListProcessInstanceIds: (ctx, { body }) => {
    const now = ctx.now();
    const processCode = text(body.processCode) ?? failApi('invalidProcessCode', '审批模板processCode不能为空');
    const startTime = numeric(body.startTime) ?? failApi('invalidInstanceListIdsStartTime', '获取审批实例ID列表，审批实例开始时间不能为空');
    const endTime = numeric(body.endTime) ?? now;
    const nextToken = numeric(body.nextToken) ?? failApi('invalidNextToken', '获取审批实例ID列表，分页查询的游标不能为空');
    const maxResults = numeric(body.maxResults);
    if (maxResults === undefined || maxResults < 1 || maxResults > 20) failApi('invalidMaxResults', '获取审批实例ID列表，分页参数非法，每页大小，最多传20。');
    if (endTime < startTime || endTime - startTime > 120 * DAY_MS) failApi('invalidEndTime', '获取审批实例ID列表，审批实例结束时间不能小于开始时间；且查询时间范围不能超过120天。');
    if (startTime < now - 365 * DAY_MS) failApi('invalidInstanceListIdsStartTime', '获取审批实例ID列表，开始时间不能早于365天前');
    const userIds = Array.isArray(body.userIds) ? body.userIds.map(String) : undefined;
    if (userIds && userIds.length > 10) failApi('invalidUserIds', '获取审批实例ID列表，发起userid列表参数非法，最大列表长度为10。');
    const statuses = Array.isArray(body.statuses) ? body.statuses.map(String) : undefined;
    // Newest first; for the same millisecond the businessId (time, then a serial number) decides.
    const matching = Object.values(ctx.state.instances)
      .filter((i) => i.processCode === processCode && i.createTime >= startTime && i.createTime <= endTime)
      .filter((i) => (!userIds?.length || userIds.includes(i.originatorUserId)) && (!statuses?.length || statuses.includes(i.status)))
      .sort((a, b) => b.createTime - a.createTime || b.businessId.localeCompare(a.businessId));
    const page = matching.slice(nextToken, nextToken + (maxResults ?? 20));
    const next = nextToken + page.length;
    return ok({ result: { list: page.map((i) => i.processInstanceId), ...(next < matching.length ? { nextToken: String(next) } : {}) }, success: true });
  },

  AddProcessInstanceComment: guarded((ctx, { body }) => {
    const id = text(body.processInstanceId) ?? failApi('invalidInstanceId', '审批实例ID不能为空');
    const words = text(body.text) ?? failApi('invalidInstanceCommentText', '审批实例评论内容不能为空');
    const userId = text(body.commentUserId) ?? failApi('invalidInstanceCommentUserId', '审批实例评论人userId不能为空');
    checkLength(words, '评论的内容');
    if (!userById(ctx.state, userId)) failApi('userNotExist', '用户不存在');
    const instance = instanceOf(ctx.state, id, 'aflowProcessInstNotExist');
    const { attachments, photos } = fileOf(body.file);
    comment(ctx.state, instance, userId, words, ctx.now(), attachments, photos);
    return ok({ result: true, success: true });
  }),

  ExecuteProcessInstance: guarded((ctx, { body }) => {
    const id = text(body.processInstanceId) ?? failApi('invalidInstanceId', '审批实例ID不能为空');
    const userId = text(body.actionerUserId) ?? failApi('invalidInstanceExecuteActionerUserId', '同意拒绝审批任务，操作人的userId不能为空');
    const taskId = numeric(body.taskId) ?? failApi('invalidInstanceExecuteTaskId', '同意拒绝审批任务，任务节点id不能为空');
    const result = body.result;
    if (result !== 'agree' && result !== 'refuse') return apiError(400, 'invalidInstanceExecuteResult', '同意拒绝审批任务，审批操作取值必填 且值必须为agree/refuse');
    const remark = text(body.remark);
    checkLength(remark, '审批意见');
    if (!userById(ctx.state, userId)) failApi('userNotExist', '用户不存在');
    const instance = instanceOf(ctx.state, id, 'aflowProcessNotExist');
    decide(ctx.state, instance, { taskId, userId, result, ...(remark ? { remark } : {}), ...fileOf(body.file) }, ctx.now());
    return ok({ result: true, success: true });
  }),

  /**
   * Transfer (转交): transfer-the-oa-approval-task documents remark ≤ 256 and actionName ≤ 128 characters and that
   * operateUserId must be the task's current approver. Its error codes are not documented: the ones below are
   * ExecuteProcessInstance's (⚠).
   */
  RedirectWorkflowTask: guarded((ctx, { body }) => {
    const taskId = numeric(body.taskId) ?? failApi('invalidInstanceExecuteTaskId', '任务id不能为空');
    const toUserId = text(body.toUserId) ?? failApi('invalidParameter', '被转交人userId不能为空');
    const operator = text(body.operateUserId) ?? failApi('invalidInstanceExecuteActionerUserId', '操作人userId不能为空');
    const remark = text(body.remark);
    if (remark !== undefined && remark.length > MAX_REDIRECT_REMARK) failApi('invalidParameter', `转交备注最大长度${MAX_REDIRECT_REMARK}字符`);
    const actionName = text(body.actionName);
    if (actionName !== undefined && actionName.length > MAX_REDIRECT_ACTION_NAME) failApi('invalidParameter', `操作节点名最大长度${MAX_REDIRECT_ACTION_NAME}字符`);
    if (!userById(ctx.state, operator)) failApi('userNotExist', '用户不存在');
    const instance = Object.values(ctx.state.instances).find((candidate) => candidate.tasks.some((task) => task.taskId === taskId));
    if (!instance) return failApi('aflowTaskNotExist', '任务不存在');
    const task = instance.tasks.find((candidate) => candidate.taskId === taskId);
    if (task?.status === 'RUNNING' && task.userId !== operator) failApi('noPermission', '操作人需要跟任务的当前执行人保持一致');
    redirect(ctx.state, instance, { taskId, userId: operator, toUserId, ...(remark ? { remark } : {}) }, ctx.now());
    return ok({ result: true });
  }),

  TerminateProcessInstance: guarded((ctx, { body }) => {
    const now = ctx.now();
    const id = text(body.processInstanceId) ?? failApi('invalidInstanceId', '审批实例ID不能为空');
    if (typeof body.isSystem !== 'boolean') failApi('invalidInstanceTerminateIsSystem', '撤销审批实例，是否通过系统操作参数不能为空');
    const userId = text(body.operatingUserId);
    if (body.isSystem === false && !userId) failApi('invalidInstanceTerminateOperatingUserId', '撤销审批实例，当isSystem为false时，操作人的userId不能为空');
    if (userId && !userById(ctx.state, userId)) failApi('userNotExist', '用户不存在');
    const remark = text(body.remark);
    checkLength(remark, '撤销说明');
    const instance = instanceOf(ctx.state, id, 'aflowProcessInstNotExist');
    if (instance.status === 'RUNNING' && now - instance.createTime < REVOKE_AFTER_MS) failApi('aflowProcessInstStatusException', '提交审批单后15秒内不能进行撤回');
    if (body.isSystem === false && userId !== instance.originatorUserId) failApi('internalError', '您没有任务处理的权限：只有发起人可以撤销审批单');
    terminate(instance, now, userId, remark);
    return ok({ result: true, success: true });
  }),

  /** A pre-signed URL on the sandbox, valid 15 minutes; comment files only with `withCommentAttatchment` (sic). */
  GrantProcessInstanceForDownloadFile: (ctx, { body }) => {
    const id = text(body.processInstanceId) ?? failApi('invalidProcessInstanceId', '实例id不能为空');
    const fileId = text(body.fileId) ?? failApi('invalidFileId', '审批附件fileId不能为空');
    instanceOf(ctx.state, id, 'processInstNotExist');
    const file = ctx.state.files[fileId];
    if (!file || file.processInstanceId !== id || (file.comment && body.withCommentAttatchment !== true)) failApi('noPermission', '无访问权限');
    const downloadUri = `${ctx.url}${downloadPath(ctx.state, fileId, ctx.now() + DOWNLOAD_TTL_MS)}`;
    return ok({ result: { downloadUri, fileId, spaceId: Number(file?.spaceId) || 0 }, success: true });
  },
};
