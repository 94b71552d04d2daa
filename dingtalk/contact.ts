/**
 * Contacts: users and departments. SearchUser lives on api.dingtalk.com (contact_1_0); the rest are legacy
 * topapi calls on oapi.dingtalk.com. Contacts calls are free: they do not count toward the monthly quota.
 */
import type { z } from 'zod';
import { call } from './call';
import { endpoints } from './endpoints';
import { collectPages, type Collected, type Page } from './paging';
import {
  GetDepartmentResponseBody,
  GetUserByMobileResponseBody,
  GetUserResponseBody,
  ListDepartmentUsersSimpleResponseBody,
  ListSubDepartmentsResponseBody,
  SearchUserResponseBody,
} from './schemas/contact';
import type { Transport } from './transport';

export type UserDetail = z.output<typeof GetUserResponseBody>['result'];

/** DingTalk's root department id; its name is the organisation's name. */
export const ROOT_DEPARTMENT_ID = 1;

/**
 * User ids whose name, pinyin or English name matches `queryWord`, one page at a time. DingTalk's doc
 * (address-book-search-user-id) describes `offset` as the page number ("分页页码"), starting at 0 (⚠ not
 * confirmed against a live org).
 */
export async function searchUser(
  transport: Transport,
  params: { queryWord: string; exact?: boolean },
  page = 0,
  size = 20,
): Promise<Page<string, number> & { totalCount?: number }> {
  const body = { queryWord: params.queryWord, offset: page, size, ...(params.exact ? { fullMatchField: 1 } : {}) };
  const result = await call(transport, endpoints.SearchUser, SearchUserResponseBody, { body });
  const items = result.list ?? [];
  return { items, next: result.hasMore && items.length > 0 ? page + 1 : undefined, totalCount: result.totalCount ?? undefined };
}

/**
 * The user id for a mobile number, or undefined when nobody in the org has it. The doc
 * (query-users-by-phone-number) lists 60121 "未找到该用户" (no such user) and 40104 "企业中无效的手机号"
 * (not a valid number in this org); both mean "nobody here has this number".
 */
export async function getUserIdByMobile(transport: Transport, mobile: string): Promise<string | undefined> {
  const { result } = await call(transport, endpoints.GetUserByMobile, GetUserByMobileResponseBody, {
    body: { mobile },
    notFoundCodes: ['60121', '40104'],
  });
  return result?.userid;
}

/** A user's profile. Mobile and email come back only with the matching contact permissions. */
export async function getUser(transport: Transport, userid: string): Promise<UserDetail> {
  const { result } = await call(transport, endpoints.GetUser, GetUserResponseBody, { body: { userid, language: 'en_US' } });
  return result;
}

export interface UserSummary {
  userid: string;
  name: string;
}

/** DingTalk's page-size ceiling for topapi/user/listsimple. */
export const DEPARTMENT_USER_PAGE_SIZE = 100;

/**
 * One page of a department's own members (not its sub-departments'), userid and name only
 * (queries-the-simple-information-of-a-department-user). The cursor starts at 0; `next_cursor` continues.
 */
export async function listDepartmentUsers(transport: Transport, deptId: number, cursor = 0): Promise<Page<UserSummary, number>> {
  const { result } = await call(transport, endpoints.ListDepartmentUsersSimple, ListDepartmentUsersSimpleResponseBody, {
    body: { dept_id: deptId, cursor, size: DEPARTMENT_USER_PAGE_SIZE, contain_access_limit: false, language: 'en_US' },
  });
  const items = (result?.list ?? []).map(({ userid, name }) => ({ userid, name }));
  const next = result?.has_more && items.length > 0 && typeof result.next_cursor === 'number' ? result.next_cursor : undefined;
  return { items, next };
}

/** Every member of one department (its sub-departments excluded), following pages of 100 up to `limit`. */
export function listAllDepartmentUsers(transport: Transport, deptId: number, limit?: number): Promise<Collected<UserSummary>> {
  return collectPages((cursor) => listDepartmentUsers(transport, deptId, cursor), 0, limit);
}

export interface Department {
  deptId: number;
  name: string;
  parentId?: number;
}

/** The direct sub-departments of `deptId` (one level; the root is 1). */
export async function listSubDepartments(transport: Transport, deptId: number = ROOT_DEPARTMENT_ID): Promise<Department[]> {
  const { result } = await call(transport, endpoints.ListSubDepartments, ListSubDepartmentsResponseBody, {
    body: { dept_id: deptId, language: 'en_US' },
  });
  return (result ?? []).map(({ dept_id, name, parent_id }) => ({ deptId: dept_id, name, parentId: parent_id ?? undefined }));
}

/** One department; for the root (1) its name is the organisation's name. */
export async function getDepartment(transport: Transport, deptId: number = ROOT_DEPARTMENT_ID): Promise<Department> {
  const { result } = await call(transport, endpoints.GetDepartment, GetDepartmentResponseBody, {
    body: { dept_id: deptId, language: 'en_US' },
  });
  return { deptId: result.dept_id, name: result.name, parentId: result.parent_id ?? undefined };
}
