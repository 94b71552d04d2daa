import { answer, failure, oapi, TOKEN } from '../helpers';
import { appError, fixedClock, runCreate } from './approval-actions';

const PATH = '/topapi/message/corpconversation/asyncsend_v2';
const ok = (taskId: number) => ({ errcode: 0, errmsg: 'ok', task_id: taskId, request_id: 'fake-req-0201' });
const send = (inputData: Record<string, unknown>, auth: Record<string, string | undefined> = {}) => runCreate('send_work_notification', inputData, auth);

fixedClock();

describe('send_work_notification', () => {
  test('a text message to users and departments: the exact request, and what the step returns', async () => {
    const received = answer(oapi().post(PATH), ok(256271667526));
    const result = await send({
      userIds: ['user-chan-0001', 'user-lee-0002'],
      deptIds: ['900000101'],
      msgType: 'text',
      content: 'Your expense claim HK$2,380.50 was approved. 你的報銷已批核。',
    });
    expect(received).toEqual([
      {
        method: 'POST',
        path: PATH,
        query: { access_token: TOKEN },
        headers: expect.objectContaining({ 'content-type': 'application/json' }),
        body: {
          agent_id: 3000000001,
          userid_list: 'user-chan-0001,user-lee-0002',
          dept_id_list: '900000101',
          msg: { msgtype: 'text', text: { content: 'Your expense claim HK$2,380.50 was approved. 你的報銷已批核。' } },
        },
      },
    ]);
    expect(result).toEqual({
      id: '256271667526',
      task_id: 256271667526,
      message_type: 'text',
      user_ids: ['user-chan-0001', 'user-lee-0002'],
      department_ids: ['900000101'],
      sent_at: '2026-11-24T10:00:00+08:00',
    });
  });

  test('markdown sends title and text; a mapped comma-separated list counts as several users, once each', async () => {
    const received = answer(oapi().post(PATH), ok(1));
    const result = await send({ userIds: ['user-chan-0001, user-lee-0002', 'user-chan-0001'], msgType: 'markdown', title: 'Approval needed', content: '### Expense claim\n**HK$186.00** awaits you' });
    expect(received[0]!.body).toStrictEqual({
      agent_id: 3000000001,
      userid_list: 'user-chan-0001,user-lee-0002',
      msg: { msgtype: 'markdown', markdown: { title: 'Approval needed', text: '### Expense claim\n**HK$186.00** awaits you' } },
    });
    expect(result).toMatchObject({ message_type: 'markdown', user_ids: ['user-chan-0001', 'user-lee-0002'], department_ids: [] });
  });

  test('link sends the card fields DingTalk names (message-types-and-data-format)', async () => {
    const received = answer(oapi().post(PATH), ok(2));
    await send({
      deptIds: ['900000101', '900000102'],
      msgType: 'link',
      title: 'New expense policy 新報銷政策',
      content: 'Effective 1 Dec 2026',
      messageUrl: 'https://intranet.example.com/policies/expenses',
      picUrl: '@lALPDfake0001',
    });
    expect(received[0]!.body).toStrictEqual({
      agent_id: 3000000001,
      dept_id_list: '900000101,900000102',
      msg: {
        msgtype: 'link',
        link: { title: 'New expense policy 新報銷政策', text: 'Effective 1 Dec 2026', messageUrl: 'https://intranet.example.com/policies/expenses', picUrl: '@lALPDfake0001' },
      },
    });
  });

  test('a connection without an Agent ID says where to find it, and nothing is sent', async () => {
    const error = await failure(send({ userIds: ['user-chan-0001'], msgType: 'text', content: 'hi' }, { agentId: undefined }));
    expect(appError(error)).toEqual({
      message:
        'The DingTalk connection has no Agent ID. Work notifications are sent as your app, so edit the connection and enter its AgentId, ' +
        'found in the DingTalk developer console (https://open-dev.dingtalk.com/fe/app) under your app → Credentials & Basic Info.',
      code: 'InvalidInput',
      status: 400,
    });
  });

  test('every problem is listed at once and nothing is sent', async () => {
    const users = Array.from({ length: 101 }, (_, i) => `user-${i}`);
    const depts = [...Array.from({ length: 20 }, (_, i) => String(900000100 + i)), 'Sales'];
    const error = await failure(send({ userIds: users, deptIds: depts, msgType: 'link', content: 'See the policy', messageUrl: 'http://intranet.example.com/p' }, { agentId: 'agent-1' }));
    expect(appError(error).message).toBe(
      [
        'The connection\'s Agent ID "agent-1" is not a number. Work notifications are sent as your app, so edit the connection and enter its AgentId, found in the DingTalk developer console (https://open-dev.dingtalk.com/fe/app) under your app → Credentials & Basic Info',
        'Users lists 101 users; DingTalk accepts at most 100 per notification',
        'Departments lists 21 departments; DingTalk accepts at most 20 per notification',
        'Departments must be DingTalk department IDs (numbers), not "Sales"',
        'Title is required for Link messages',
        'Link URL must be an https:// address, not "http://intranet.example.com/p"',
        "Image is required for Link messages: DingTalk's link card needs a picture (picUrl)",
      ].join('; ') + '.',
    );
  });

  test('no recipient and no message', async () => {
    const error = await failure(send({ userIds: [], deptIds: [], msgType: 'text', content: '  ' }));
    expect(appError(error).message).toBe('Add at least one user or department to notify; Message is required.');
  });

  test('the 2,048-byte limit counts UTF-8 bytes: 669 Chinese characters fit, 670 do not', async () => {
    const received = answer(oapi().post(PATH), ok(3));
    await send({ userIds: ['user-chan-0001'], msgType: 'text', content: '批'.repeat(669) });
    expect(Buffer.byteLength(JSON.stringify((received[0]!.body as { msg: unknown }).msg))).toBe(2047);

    const error = await failure(send({ userIds: ['user-chan-0001'], msgType: 'text', content: '批'.repeat(670) }));
    expect(appError(error).message).toBe(
      'The message is 2,050 bytes once encoded; DingTalk accepts at most 2,048 (a Chinese character takes 3 bytes). Shorten it by 2 bytes.',
    );
  });

  test('an Image that is neither https nor a media ID is refused', async () => {
    const error = await failure(
      send({ userIds: ['u1'], msgType: 'link', title: 't', content: 'c', messageUrl: 'https://example.com', picUrl: 'javascript:alert(1)' }),
    );
    expect(appError(error).message).toBe('Image must be an https:// address or a DingTalk media ID starting with @, not "javascript:alert(1)".');
  });

  test("DingTalk's error for the call comes back once, with DingTalk's code", async () => {
    const received = answer(oapi().post(PATH), { errcode: 60020, errmsg: '访问ip不在白名单之中', request_id: 'R5' });
    const error = await failure(send({ userIds: ['user-chan-0001'], msgType: 'text', content: 'hi' }));
    expect(appError(error).message).toContain('Remove the IP allow-list');
    expect(received).toHaveLength(1);
  });
});
