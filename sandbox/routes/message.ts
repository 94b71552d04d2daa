/**
 * Work notifications: topapi/message/corpconversation/asyncsend_v2
 * (asynchronous-sending-of-enterprise-session-messages). The message is stored, not delivered; like DingTalk, an
 * unknown userid in the list does not fail the call (delivery would just skip it).
 */
import type { EndpointName } from '../../dingtalk/endpoints';
import { failOapi, isRecord, oapiOk, text, type Handler } from '../http';

const MAX_MSG_BYTES = 2048;
const MAX_USERS = 100;
const MAX_DEPARTMENTS = 20;
const MSG_TYPES = ['text', 'image', 'voice', 'file', 'link', 'oa', 'markdown', 'action_card'];
const TASK_ID_BASE = 256000000000;

const list = (value: unknown): string[] => (text(value) ?? '').split(',').map((item) => item.trim()).filter(Boolean);

/** `msg` arrives as a JSON object (our client) or as a JSON string (the doc's form-encoded examples). */
function messageOf(value: unknown): { msg: Record<string, unknown>; bytes: number } {
  const json = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  let msg: unknown;
  try {
    msg = JSON.parse(json);
  } catch {
    return failOapi(400002, '参数错误：msg 不是合法的 JSON');
  }
  if (!isRecord(msg) || typeof msg.msgtype !== 'string' || !MSG_TYPES.includes(msg.msgtype) || !isRecord(msg[msg.msgtype])) {
    return failOapi(400002, '参数错误：msg.msgtype');
  }
  return { msg, bytes: Buffer.byteLength(json) };
}

export const messageRoutes: Partial<Record<EndpointName, Handler>> = {
  SendWorkNotification: (ctx, { body }) => {
    const { state } = ctx;
    const agentId = text(body.agent_id);
    if (!agentId || agentId !== state.app.agentId) failOapi(40056, '不合法的agentid');
    const userIds = list(body.userid_list);
    const deptIds = list(body.dept_id_list).map(Number);
    const toAllUser = body.to_all_user === true || body.to_all_user === 'true';
    if (userIds.length > MAX_USERS) failOapi(400002, `参数错误：userid_list 最多 ${MAX_USERS} 个`);
    if (deptIds.length > MAX_DEPARTMENTS || deptIds.some(Number.isNaN)) failOapi(400002, `参数错误：dept_id_list 最多 ${MAX_DEPARTMENTS} 个`);
    if (!toAllUser && userIds.length === 0 && deptIds.length === 0) failOapi(400002, '参数错误：需指定 userid_list、dept_id_list 或 to_all_user');
    const { msg, bytes } = messageOf(body.msg);
    if (bytes > MAX_MSG_BYTES) failOapi(400002, `参数错误：msg 最长不超过${MAX_MSG_BYTES}个字节（实际 ${bytes}）`);
    state.counters.message += 1;
    const taskId = TASK_ID_BASE + state.counters.message;
    state.messages.push({ taskId, agentId: agentId ?? '', userIds, deptIds, toAllUser, msg, sentAt: ctx.now() });
    return oapiOk({ task_id: taskId });
  },
};
