/**
 * Work notifications (工作通知), sent as the app's agent: topapi/message/corpconversation/asyncsend_v2
 * (asynchronous-sending-of-enterprise-session-messages). These calls count toward the monthly quota.
 */
import { call } from './call';
import { endpoints } from './endpoints';
import { SendWorkNotificationResponseBody } from './schemas/message';
import type { Transport } from './transport';

/** The `msg` object; DingTalk caps its JSON at 2,048 bytes. */
export type WorkNotificationMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { title: string; text: string } }
  | { msgtype: 'link'; link: { title: string; text: string; messageUrl: string; picUrl: string } };

export const MAX_MESSAGE_BYTES = 2048;
export const MAX_USERS = 100;
export const MAX_DEPARTMENTS = 20;

export interface WorkNotification {
  agentId: number;
  userIds?: string[];
  deptIds?: number[];
  toAllUser?: boolean;
  msg: WorkNotificationMessage;
}

/** Queues a work notification; returns DingTalk's task id for it. */
export async function sendWorkNotification(transport: Transport, notification: WorkNotification): Promise<number> {
  const body = {
    agent_id: notification.agentId,
    userid_list: notification.userIds?.length ? notification.userIds.join(',') : undefined,
    dept_id_list: notification.deptIds?.length ? notification.deptIds.join(',') : undefined,
    to_all_user: notification.toAllUser || undefined,
    msg: notification.msg,
  };
  const { task_id } = await call(transport, endpoints.SendWorkNotification, SendWorkNotificationResponseBody, { body });
  return task_id;
}
