/**
 * Contacts and work notifications through the client: SearchUser paging (offset = page number, as our client
 * reads the doc), lookups by mobile and id, listsimple cursor paging, one level of sub-departments, and
 * asyncsend_v2 with its 2,048-byte cap.
 */
import { getDepartment, getUser, getUserIdByMobile, listAllDepartmentUsers, listSubDepartments, searchUser } from '../../dingtalk/contact';
import { sendWorkNotification } from '../../dingtalk/message';
import { dingTalkError, people, raw, sandboxSuite, tokenFor } from './helpers';

const start = sandboxSuite();

test('SearchUser pages by page number and matches either half of a name exactly', async () => {
  const { transport } = await start();
  const first = await searchUser(transport, { queryWord: 'ch' }, 0, 2);
  expect(first).toMatchObject({ items: [people.chan, people.finance], next: 1, totalCount: 4 });
  const second = await searchUser(transport, { queryWord: 'ch' }, 1, 2);
  expect(second).toMatchObject({ items: ['user-cheung-0007', people.warehouse], next: undefined });
  expect((await searchUser(transport, { queryWord: 'Chan Ka Yan', exact: true })).items).toEqual([people.chan]);
  expect((await searchUser(transport, { queryWord: '陳嘉欣', exact: true })).items).toEqual([people.chan]);
  expect((await searchUser(transport, { queryWord: 'Chan', exact: true })).items).toEqual([]);
});

test('a mobile finds its user in DingTalk’s stored form; an unknown one is "not found" (60121)', async () => {
  const { transport } = await start();
  await expect(getUserIdByMobile(transport, '+852-55550101')).resolves.toBe(people.chan);
  await expect(getUserIdByMobile(transport, '13800138010')).resolves.toBe(people.warehouse);
  await expect(getUserIdByMobile(transport, '+852-99999999')).resolves.toBeUndefined();
});

test('user details, and 33012 for an unknown userid', async () => {
  const { transport } = await start();
  await expect(getUser(transport, people.wong)).resolves.toMatchObject({ name: '黃家明 Wong Ka Ming', dept_id_list: [100, 110], manager_userid: people.salesManager, active: true });
  expect((await dingTalkError(getUser(transport, 'nobody'))).problem).toMatchObject({ kind: 'api', code: '33012' });
});

test('departments: one level at a time; the root carries the organisation name; 60003 for an unknown one', async () => {
  const { transport } = await start();
  expect((await listSubDepartments(transport)).map((d) => d.deptId)).toEqual([100, 200, 300, 400, 500, 600]);
  await expect(listSubDepartments(transport, 100)).resolves.toEqual([{ deptId: 110, name: 'Kowloon Team 九龍組', parentId: 100 }]);
  await expect(getDepartment(transport)).resolves.toMatchObject({ deptId: 1, name: 'Lion Rock Trading Ltd 獅子山貿易有限公司' });
  expect((await dingTalkError(getDepartment(transport, 999))).problem.code).toBe('60003');
});

test('listsimple pages a department’s own members by cursor', async () => {
  const { sandbox, transport } = await start();
  await expect(listAllDepartmentUsers(transport, 100)).resolves.toMatchObject({
    items: [{ userid: people.salesManager }, { userid: people.chan }, { userid: people.wong }],
    complete: true,
  });
  const token = await tokenFor(sandbox);
  const page = (cursor: number) => raw.post(`${sandbox.url}/topapi/user/listsimple?access_token=${token}`, { dept_id: 100, cursor, size: 2 });
  expect((await page(0)).data.result).toEqual({ has_more: true, next_cursor: 2, list: [{ userid: people.salesManager, name: '李偉文 Lee Wai Man' }, { userid: people.chan, name: '陳嘉欣 Chan Ka Yan' }] });
  expect((await page(2)).data.result).toEqual({ has_more: false, list: [{ userid: people.wong, name: '黃家明 Wong Ka Ming' }] });
});

test('work notifications are stored; a msg over 2,048 bytes or another agent is refused', async () => {
  const { sandbox, transport } = await start();
  const agentId = Number(sandbox.credentials.agentId);
  const taskId = await sendWorkNotification(transport, { agentId, userIds: [people.chan, people.wong], msg: { msgtype: 'markdown', markdown: { title: 'Approved', text: '**Expense claim approved** 已批核' } } });
  expect(sandbox.org.messages()).toEqual([expect.objectContaining({ taskId, userIds: [people.chan, people.wong], msg: expect.objectContaining({ msgtype: 'markdown' }) })]);

  const long = await dingTalkError(sendWorkNotification(transport, { agentId, toAllUser: true, msg: { msgtype: 'text', text: { content: '批'.repeat(700) } } }));
  expect(long.problem).toMatchObject({ kind: 'api', code: '400002' });
  const wrongAgent = await dingTalkError(sendWorkNotification(transport, { agentId: 1, toAllUser: true, msg: { msgtype: 'text', text: { content: 'hi' } } }));
  expect(wrongAgent.problem.code).toBe('40056');
  expect(sandbox.org.messages()).toHaveLength(1);
});
