/**
 * Contact response models. SearchUser is `contact_1_0 SearchUserResponseBody` in `@alicloud/dingtalk`;
 * the oapi (topapi) bodies follow DingTalk's legacy doc pages, which the SDK does not cover.
 */
import { z } from 'zod';

const optionalString = z.string().nullish();

/** contact_1_0 SearchUserResponseBody */
export const SearchUserResponseBody = z.looseObject({
  hasMore: z.boolean().nullish(),
  totalCount: z.number().nullish(),
  list: z.array(z.string()).nullish(),
});

/** topapi/v2/user/getbymobile (query-users-by-phone-number) */
export const GetUserByMobileResponseBody = z.looseObject({
  result: z.looseObject({ userid: z.string() }).nullish(),
});

/** topapi/v2/user/get (query-user-details); mobile and email need extra permissions and may be absent. */
export const GetUserResponseBody = z.looseObject({
  result: z.looseObject({
    userid: z.string(),
    name: z.string(),
    title: optionalString,
    mobile: optionalString,
    email: optionalString,
    org_email: optionalString,
    avatar: optionalString,
    job_number: optionalString,
    dept_id_list: z.array(z.number()).nullish(),
    manager_userid: optionalString,
    active: z.boolean().nullish(),
  }),
});

const Department = z.looseObject({
  dept_id: z.number(),
  name: z.string(),
  parent_id: z.number().nullish(),
});

/** topapi/v2/department/listsub */
export const ListSubDepartmentsResponseBody = z.looseObject({ result: z.array(Department).nullish() });

/** topapi/user/listsimple (queries-the-simple-information-of-a-department-user): one page of a department's members. */
export const ListDepartmentUsersSimpleResponseBody = z.looseObject({
  result: z
    .looseObject({
      has_more: z.boolean().nullish(),
      next_cursor: z.number().nullish(),
      list: z.array(z.looseObject({ userid: z.string(), name: z.string() })).nullish(),
    })
    .nullish(),
});

/** topapi/v2/department/get */
export const GetDepartmentResponseBody = z.looseObject({ result: Department });
