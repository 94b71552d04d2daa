/**
 * Contacts through the Zapier adapter: SearchUser on api.dingtalk.com (token header), the topapi calls on
 * oapi.dingtalk.com (token as ?access_token=, never as a header).
 */
import {
  getDepartment,
  getUser,
  getUserIdByMobile,
  listSubDepartments,
  ROOT_DEPARTMENT_ID,
  searchUser,
} from '../../dingtalk/contact';
import { collectPages } from '../../dingtalk/paging';
import { answer, type Received, api, failure, oapi, runWithClient, TOKEN } from '../helpers';


const withTokenHeader = expect.objectContaining({ 'x-acs-dingtalk-access-token': TOKEN });
const run = runWithClient;

/** oapi calls carry the token only in the query string. */
function expectOapiCall(received: Received[], path: string, body: unknown) {
  expect(received).toEqual([{ method: 'POST', path, query: { access_token: TOKEN }, headers: expect.any(Object), body }]);
  expect(received[0]!.headers).not.toHaveProperty('x-acs-dingtalk-access-token');
  expect(received[0]!.headers['content-type']).toBe('application/json');
}

describe('searchUser', () => {
  const path = '/v1.0/contact/users/search';

  test('POSTs the query word with page 0 and size 20 and no fullMatchField; returns ids, the next page and the total', async () => {
    const received = answer(api().post(path), { hasMore: true, totalCount: 23, list: ['user-chan-0001', 'user-chan-0006'] });
    const page = await run((t) => searchUser(t, { queryWord: 'Chan' }));
    expect(received).toEqual([
      { method: 'POST', path, query: {}, headers: withTokenHeader, body: { queryWord: 'Chan', offset: 0, size: 20 } },
    ]);
    expect(page).toStrictEqual({ items: ['user-chan-0001', 'user-chan-0006'], next: 1, totalCount: 23 });
  });

  test('exact matching sends fullMatchField 1; exact=false sends nothing', async () => {
    const log: Received[] = [];
    answer(api().post(path), { hasMore: false, totalCount: 1, list: ['user-chan-0001'] }, 200, log);
    answer(api().post(path), { hasMore: false, totalCount: 1, list: ['user-chan-0001'] }, 200, log);
    await run((t) => searchUser(t, { queryWord: '陳嘉欣', exact: true }, 0, 10));
    await run((t) => searchUser(t, { queryWord: '陳嘉欣', exact: false }, 0, 10));
    expect(log.map((call) => call.body)).toStrictEqual([
      { queryWord: '陳嘉欣', offset: 0, size: 10, fullMatchField: 1 },
      { queryWord: '陳嘉欣', offset: 0, size: 10 },
    ]);
  });

  test('pages by page number (the doc\'s "分页页码") until hasMore is false', async () => {
    const log: Received[] = [];
    answer(api().post(path), { hasMore: true, totalCount: 5, list: ['u1', 'u2'] }, 200, log);
    answer(api().post(path), { hasMore: true, totalCount: 5, list: ['u3', 'u4'] }, 200, log);
    answer(api().post(path), { hasMore: false, totalCount: 5, list: ['u5'] }, 200, log);
    const all = await run((t) => collectPages((page: number) => searchUser(t, { queryWord: 'Wong' }, page, 2), 0));
    expect(log.map((call) => call.body)).toEqual([
      { queryWord: 'Wong', offset: 0, size: 2 },
      { queryWord: 'Wong', offset: 1, size: 2 },
      { queryWord: 'Wong', offset: 2, size: 2 },
    ]);
    expect(all).toEqual({ items: ['u1', 'u2', 'u3', 'u4', 'u5'], complete: true, pages: 3 });
  });

  test('hasMore with an empty page stops, and a missing list or total is empty/undefined', async () => {
    answer(api().post(path), { hasMore: true, totalCount: 0, list: [] });
    answer(api().post(path), { hasMore: false });
    await expect(run((t) => searchUser(t, { queryWord: 'Nobody' }, 40))).resolves.toStrictEqual({ items: [], next: undefined, totalCount: 0 });
    await expect(run((t) => searchUser(t, { queryWord: 'Nobody' }))).resolves.toStrictEqual({ items: [], next: undefined, totalCount: undefined });
  });
});

describe('getUserIdByMobile', () => {
  const path = '/topapi/v2/user/getbymobile';

  test('POSTs the mobile to oapi with ?access_token= and returns the userid', async () => {
    const received = answer(oapi().post(path), { errcode: 0, errmsg: 'ok', result: { userid: 'user-chan-0001' }, request_id: 'fake-req-0001' });
    await expect(run((t) => getUserIdByMobile(t, '+852-55550101'))).resolves.toBe('user-chan-0001');
    expectOapiCall(received, path, { mobile: '+852-55550101' });
  });

  test('errcode 60121 (no such user) is a miss: undefined, not an error', async () => {
    answer(oapi().post(path), { errcode: 60121, errmsg: '找不到该用户', request_id: 'fake-req-0002' });
    await expect(run((t) => getUserIdByMobile(t, '+852-55559999'))).resolves.toBeUndefined();
  });

  test('any other error still fails, e.g. a missing permission names qyapi_get_member_by_mobile', async () => {
    answer(oapi().post(path), { errcode: 60011, errmsg: '没有调用该接口的权限' });
    const error = await failure(run((t) => getUserIdByMobile(t, '+852-55550101')));
    expect(error.message).toContain('qyapi_get_member_by_mobile');
  });
});

describe('getUser', () => {
  const path = '/topapi/v2/user/get';
  const profile = {
    userid: 'user-chan-0001',
    unionid: 'fake-union-0001',
    name: '陳嘉欣 Chan Ka Yan',
    title: 'Sales Executive',
    mobile: '55550101',
    email: 'chan.kayan@harbour-trading.example',
    avatar: 'https://static.dingtalk.com/media/fake-avatar-chan.png',
    job_number: 'HT0001',
    dept_id_list: [900000101],
    manager_userid: 'user-lee-0002',
    admin: false,
    active: true,
  };

  test('POSTs the userid with language en_US and returns the whole profile', async () => {
    const received = answer(oapi().post(path), { errcode: 0, errmsg: 'ok', result: profile, request_id: 'fake-req-0003' });
    await expect(run((t) => getUser(t, 'user-chan-0001'))).resolves.toEqual(profile);
    expectOapiCall(received, path, { userid: 'user-chan-0001', language: 'en_US' });
  });

  test('a profile without mobile and email (no contact-info permission) still parses', async () => {
    answer(oapi().post(path), { errcode: 0, result: { userid: 'user-ho-0004', name: '何美玲 Ho Mei Ling' } });
    await expect(run((t) => getUser(t, 'user-ho-0004'))).resolves.toEqual({ userid: 'user-ho-0004', name: '何美玲 Ho Mei Ling' });
  });

  test('33012 (unknown or departed user) gets its advice', async () => {
    answer(oapi().post(path), { errcode: 33012, errmsg: '无效的USERID' });
    await expect(run((t) => getUser(t, 'user-gone-0099'))).rejects.toThrow(/The user ID is not valid or the user has left the organisation/);
  });
});

describe('departments', () => {
  test('listSubDepartments defaults to the root (1) and maps dept_id/parent_id', async () => {
    const received = answer(oapi().post('/topapi/v2/department/listsub'), {
      errcode: 0,
      errmsg: 'ok',
      result: [
        { dept_id: 900000101, name: 'Sales 銷售部', parent_id: 1, create_dept_group: true, auto_add_user: true },
        { dept_id: 900000102, name: 'Finance 財務部', parent_id: 1 },
      ],
    });
    const departments = await run((t) => listSubDepartments(t));
    expect(ROOT_DEPARTMENT_ID).toBe(1);
    expectOapiCall(received, '/topapi/v2/department/listsub', { dept_id: 1, language: 'en_US' });
    expect(departments).toStrictEqual([
      { deptId: 900000101, name: 'Sales 銷售部', parentId: 1 },
      { deptId: 900000102, name: 'Finance 財務部', parentId: 1 },
    ]);
  });

  test('listSubDepartments of a leaf department is empty, with or without a result key', async () => {
    const log: Received[] = [];
    answer(oapi().post('/topapi/v2/department/listsub'), { errcode: 0, result: [] }, 200, log);
    answer(oapi().post('/topapi/v2/department/listsub'), { errcode: 0 }, 200, log);
    await expect(run((t) => listSubDepartments(t, 900000101))).resolves.toEqual([]);
    await expect(run((t) => listSubDepartments(t, 900000101))).resolves.toEqual([]);
    expect(log.map((call) => call.body)).toEqual([
      { dept_id: 900000101, language: 'en_US' },
      { dept_id: 900000101, language: 'en_US' },
    ]);
  });

  test('getDepartment defaults to the root, whose name is the organisation, without a parent', async () => {
    const received = answer(oapi().post('/topapi/v2/department/get'), { errcode: 0, errmsg: 'ok', result: { dept_id: 1, name: 'Harbour Trading Ltd 海港貿易有限公司' } });
    await expect(run((t) => getDepartment(t))).resolves.toStrictEqual({ deptId: 1, name: 'Harbour Trading Ltd 海港貿易有限公司', parentId: undefined });
    expectOapiCall(received, '/topapi/v2/department/get', { dept_id: 1, language: 'en_US' });
  });

  test('getDepartment of a sub-department returns its parent', async () => {
    const received = answer(oapi().post('/topapi/v2/department/get'), { errcode: 0, result: { dept_id: 900000102, name: 'Finance 財務部', parent_id: 1 } });
    await expect(run((t) => getDepartment(t, 900000102))).resolves.toStrictEqual({ deptId: 900000102, name: 'Finance 財務部', parentId: 1 });
    expect(received[0]!.body).toEqual({ dept_id: 900000102, language: 'en_US' });
  });

  test('60003 (no such department) gets its advice', async () => {
    answer(oapi().post('/topapi/v2/department/get'), { errcode: 60003, errmsg: '部门不存在' });
    await expect(run((t) => getDepartment(t, 42))).rejects.toThrow(/The department does not exist/);
  });
});
