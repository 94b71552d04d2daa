/**
 * Contacts: SearchUser on api.dingtalk.com (address-book-search-user-id) and the topapi calls on oapi
 * (query-users-by-phone-number, query-user-details, queries-the-simple-information-of-a-department-user,
 * user-management-acquires-the-list-departments, query-department-details0-v2), with their doc pages' errcodes.
 */
import type { EndpointName } from '../../dingtalk/endpoints';
import { failApi, failOapi, numeric, ok, oapiOk, text, type Handler } from '../http';
import { departmentById, userById, type Department, type State, type User } from '../state';

const ROOT = 1;

const departmentOf = (state: State, deptId: unknown): Department => {
  const id = deptId === undefined ? ROOT : numeric(deptId);
  return (id !== undefined ? departmentById(state, id) : undefined) ?? failOapi(60003, '未找到对应部门');
};

/** The user/get fields this app may see (mobile and email need extra permissions in real orgs). */
const userView = (user: User) => ({
  userid: user.userid,
  unionid: `sbx${Buffer.from(user.userid).toString('base64url')}`,
  name: user.name,
  title: user.title,
  mobile: user.mobile,
  ...(user.email ? { email: user.email } : {}),
  job_number: user.jobNumber,
  dept_id_list: user.deptIds,
  ...(user.managerUserid ? { manager_userid: user.managerUserid } : {}),
  hired_date: user.hiredDate,
  active: user.active,
  admin: user.admin,
  boss: user.boss,
  senior: user.boss,
  real_authed: true,
});

const departmentView = (department: Department) => ({
  dept_id: department.deptId,
  name: department.name,
  ...(department.parentId !== undefined ? { parent_id: department.parentId } : {}),
  create_dept_group: true,
  auto_add_user: true,
});

/** Matches the whole name, either half of "陳嘉欣 Chan Ka Yan", or (not exact) any part of it. */
function matches(user: User, word: string, exact: boolean): boolean {
  const name = user.name.toLowerCase();
  const query = word.toLowerCase();
  if (!exact) return name.includes(query);
  return name === query || name.startsWith(`${query} `) || name.endsWith(` ${query}`);
}

export const contactRoutes: Partial<Record<EndpointName, Handler>> = {
  /** ⚠ `offset` is a page number here, as our client reads the doc; DingTalk's meaning is unconfirmed. */
  SearchUser: (ctx, { body }) => {
    const queryWord = text(body.queryWord) ?? failApi('parameter.error', '参数错误：queryWord');
    const page = numeric(body.offset) ?? failApi('parameter.error', '参数错误：offset');
    const size = numeric(body.size) ?? failApi('parameter.error', '参数错误：size');
    if (page < 0 || size < 1) failApi('parameter.error', '参数错误：offset/size');
    const found = ctx.state.users.filter((user) => matches(user, queryWord, body.fullMatchField === 1));
    const list = found.slice(page * size, (page + 1) * size).map((user) => user.userid);
    return ok({ hasMore: (page + 1) * size < found.length, totalCount: found.length, list });
  },

  GetUserByMobile: (ctx, { body }) => {
    const mobile = text(body.mobile) ?? failOapi(400002, '无效的参数');
    if (!/^\+?[\d-]{6,20}$/.test(mobile)) failOapi(40104, '企业中无效的手机号');
    const user = ctx.state.users.find((candidate) => candidate.mobile === mobile) ?? failOapi(60121, '找不到该用户');
    return oapiOk({ result: { userid: user.userid } });
  },

  GetUser: (ctx, { body }) => {
    const user = userById(ctx.state, text(body.userid)) ?? failOapi(33012, '无效的USERID');
    return oapiOk({ result: userView(user) });
  },

  /** One department's own members, userid and name, by cursor (`next_cursor` continues). */
  ListDepartmentUsersSimple: (ctx, { body }) => {
    const department = departmentOf(ctx.state, body.dept_id);
    const cursor = numeric(body.cursor) ?? failOapi(40068, '无效的偏移量');
    const size = numeric(body.size);
    if (size === undefined || size < 1 || size > 100) failOapi(40069, '无效的size');
    if (cursor < 0) failOapi(40068, '无效的偏移量');
    const members = ctx.state.users.filter((user) => user.deptIds.includes(department.deptId));
    const page = members.slice(cursor, cursor + (size ?? 100));
    const hasMore = cursor + page.length < members.length;
    return oapiOk({
      result: { has_more: hasMore, ...(hasMore ? { next_cursor: cursor + page.length } : {}), list: page.map(({ userid, name }) => ({ userid, name })) },
    });
  },

  /** Direct children only. */
  ListSubDepartments: (ctx, { body }) => {
    const parent = departmentOf(ctx.state, body.dept_id);
    return oapiOk({ result: ctx.state.departments.filter((d) => d.parentId === parent.deptId).map(departmentView) });
  },

  /** For the root (1) the name is the organisation's. */
  GetDepartment: (ctx, { body }) => oapiOk({ result: departmentView(departmentOf(ctx.state, body.dept_id)) }),
};
