/** Work notifications: topapi asyncsend_v2 on oapi.dingtalk.com, token as ?access_token=. */
import { MAX_DEPARTMENTS, MAX_MESSAGE_BYTES, MAX_USERS, sendWorkNotification, type WorkNotification } from '../../dingtalk/message';
import { answer, failure, oapi, runWithClient, TOKEN } from '../helpers';


const PATH = '/topapi/message/corpconversation/asyncsend_v2';
const ok = (taskId: number) => ({ errcode: 0, errmsg: 'ok', task_id: taskId, request_id: 'fake-req-0101' });
const send = (notification: WorkNotification) => runWithClient((t) => sendWorkNotification(t, notification));

describe('sendWorkNotification', () => {
  test('a text message to users: agent_id, comma-joined userid_list and msg, nothing else; returns the task id', async () => {
    const msg = { msgtype: 'text' as const, text: { content: 'Your expense claim HK$2,380.50 was approved. 你的報銷已批核。' } };
    const received = answer(oapi().post(PATH), ok(256271667526));
    await expect(send({ agentId: 3000000001, userIds: ['user-chan-0001', 'user-lee-0002'], msg })).resolves.toBe(256271667526);
    expect(received).toEqual([
      {
        method: 'POST',
        path: PATH,
        query: { access_token: TOKEN },
        headers: expect.objectContaining({ 'content-type': 'application/json' }),
        body: { agent_id: 3000000001, userid_list: 'user-chan-0001,user-lee-0002', msg },
      },
    ]);
    expect(received[0]!.headers).not.toHaveProperty('x-acs-dingtalk-access-token');
  });

  test('a markdown message to departments sends dept_id_list only', async () => {
    const msg = { msgtype: 'markdown' as const, markdown: { title: 'Approval needed', text: '### Expense claim\n**HK$186.00** awaiting you' } };
    const received = answer(oapi().post(PATH), ok(256271667527));
    await send({ agentId: 3000000001, deptIds: [900000101, 900000102], msg });
    expect(received[0]!.body).toStrictEqual({ agent_id: 3000000001, dept_id_list: '900000101,900000102', msg });
  });

  test('a link message to everyone sends to_all_user true', async () => {
    const msg = {
      msgtype: 'link' as const,
      link: {
        title: 'New expense policy 新報銷政策',
        text: 'Effective 1 Dec 2026',
        messageUrl: 'https://intranet.example.com/policies/expenses',
        picUrl: '@lALPDfake0001',
      },
    };
    const received = answer(oapi().post(PATH), ok(256271667528));
    await send({ agentId: 3000000001, toAllUser: true, msg });
    expect(received[0]!.body).toStrictEqual({ agent_id: 3000000001, to_all_user: true, msg });
  });

  test('empty recipient lists and toAllUser=false are not sent', async () => {
    const msg = { msgtype: 'text' as const, text: { content: 'hi' } };
    const received = answer(oapi().post(PATH), ok(1));
    await send({ agentId: 3000000001, userIds: [], deptIds: [], toAllUser: false, msg });
    expect(received[0]!.body).toStrictEqual({ agent_id: 3000000001, msg });
  });

  test('a response without task_id is an error naming the endpoint', async () => {
    answer(oapi().post(PATH), { errcode: 0, errmsg: 'ok' });
    await expect(send({ agentId: 3000000001, userIds: ['u1'], msg: { msgtype: 'text', text: { content: 'x' } } })).rejects.toThrow(
      /SendWorkNotification \(POST \/topapi\/message\/corpconversation\/asyncsend_v2\) .*task_id/,
    );
  });

  test('the monthly quota (90020) halts instead of retrying', async () => {
    answer(oapi().post(PATH), { errcode: 90020, errmsg: '调用次数超限' });
    const error = await failure(send({ agentId: 3000000001, userIds: ['u1'], msg: { msgtype: 'text', text: { content: 'x' } } }));
    expect(error.name).toBe('HaltedError');
  });

  test('the documented limits are exported as DingTalk states them', () => {
    expect({ MAX_MESSAGE_BYTES, MAX_USERS, MAX_DEPARTMENTS }).toEqual({ MAX_MESSAGE_BYTES: 2048, MAX_USERS: 100, MAX_DEPARTMENTS: 20 });
  });
});
