/**
 * A stateful stand-in for DingTalk's contacts calls on oapi.dingtalk.com, built on nock: departments, their
 * members and user profiles live in memory, and every request DingTalk would receive is recorded (path, query
 * and body), so tests can assert the exact requests and count what an operation spent.
 *
 * Why not the sandbox: these tests need organisations of any shape (a deep tree, 1,000+ users, a department cap
 * reached mid-walk, a user in two departments), while the sandbox serves one seeded organisation; the contacts client
 * itself runs against the sandbox in test/sandbox/contacts.test.ts.
 */
import nock from 'nock';
import { allowUnusedMocks } from '../helpers';

export interface FakeDepartment {
  id: number;
  name: string;
  parentId?: number;
  /** Member userids, in DingTalk's order. */
  members?: string[];
}

export interface FakeUser {
  userid: string;
  name: string;
  mobile?: string;
  email?: string;
  title?: string;
  job_number?: string;
  manager_userid?: string;
  dept_id_list?: number[];
  active?: boolean;
}

export interface ContactsCall {
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
}

const ok = (extra: Record<string, unknown>) => [200, { errcode: 0, errmsg: 'ok', request_id: 'fake-req', ...extra }];
const miss = (errcode: number, errmsg: string) => [200, { errcode, errmsg, request_id: 'fake-req' }];

export function fakeContacts(departments: FakeDepartment[], users: FakeUser[] = []) {
  allowUnusedMocks();
  const calls: ContactsCall[] = [];
  const dept = (id: unknown) => departments.find((d) => d.id === id);
  const user = (id: unknown) => users.find((u) => u.userid === id);

  const routes: Record<string, (body: Record<string, any>) => unknown[]> = {
    '/topapi/v2/department/get': (body) => {
      const found = dept(body.dept_id);
      return found ? ok({ result: { dept_id: found.id, name: found.name, parent_id: found.parentId } }) : miss(60003, '部门不存在');
    },
    '/topapi/v2/department/listsub': (body) =>
      ok({ result: departments.filter((d) => d.parentId === body.dept_id).map((d) => ({ dept_id: d.id, name: d.name, parent_id: d.parentId })) }),
    '/topapi/user/listsimple': (body) => {
      const members = (dept(body.dept_id)?.members ?? []).map((id) => ({ userid: id, name: user(id)?.name ?? id }));
      const start = Number(body.cursor);
      const list = members.slice(start, start + Number(body.size));
      const more = start + list.length < members.length;
      return ok({ result: { has_more: more, ...(more ? { next_cursor: start + list.length } : {}), list } });
    },
    '/topapi/v2/user/get': (body) => {
      const found = user(body.userid);
      return found ? ok({ result: found }) : miss(33012, '无效的userId');
    },
    '/topapi/v2/user/getbymobile': (body) => {
      const found = users.find((u) => u.mobile === body.mobile);
      return found ? ok({ result: { userid: found.userid } }) : miss(60121, '找不到该用户');
    },
  };

  for (const [path, answer] of Object.entries(routes)) {
    nock('https://oapi.dingtalk.com')
      .persist()
      .post(path)
      .query(true)
      .reply((uri, body) => {
        const url = new URL(uri, 'https://oapi.dingtalk.com');
        const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown>;
        calls.push({ path, query: Object.fromEntries(url.searchParams), body: parsed });
        return answer(parsed) as [number, nock.Body];
      });
  }

  const count = (path: string) => calls.filter((call) => call.path === path).length;
  return { calls, count, departments, users };
}
