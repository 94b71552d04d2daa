/**
 * Find User without Zapier: validated input in, user records out. By mobile number (free contacts calls), else
 * by name (SearchUser, one metered call, then free profile reads for the first few hits).
 */
import { InputError, quote, readInputs } from '../lib/inputs';
import { mapLimited } from '../lib/limiter';
import type { Store } from '../lib/store';
import { getDepartment, getUser, getUserIdByMobile, searchUser, type UserDetail } from '../dingtalk/contact';
import type { Transport } from '../dingtalk/transport';
import { cacheKeys } from '../lib/cache-keys';
import type { DepartmentEntry } from './departments';
import { mobileCandidates } from './mobile';

/** Name searches return at most this many users (each costs one free profile read). */
export const MAX_NAME_MATCHES = 5;

export interface FindUserInput {
  /** The forms of the mobile number to try, most likely first; empty without a number. */
  mobiles: string[];
  name?: string;
  exact: boolean;
}

/** Validates every input at once, so the user sees all problems in one message. */
export function findUserInput(inputData: Record<string, unknown>): FindUserInput {
  const input = readInputs(inputData);
  const mobile = input.text('mobile');
  const name = input.text('name');
  if (!mobile && !name) input.problems.push('Enter a Mobile Number or a Name');
  const mobiles = mobile ? mobileCandidates(mobile) : [];
  if (!mobiles) input.problems.push(`Mobile Number ${quote(mobile)} is not a phone number; use a form such as +852 5555 0101`);
  input.done();
  if (!mobiles) throw new InputError(input.problems);
  return { mobiles, ...(name ? { name } : {}), exact: input.boolean('exactName', true) };
}

/** Department names for ids: from the cached department list when there is one, else one free read each. */
async function departmentNames(transport: Transport, store: Store, ids: number[]): Promise<Map<number, string>> {
  const cached = await store.get<DepartmentEntry[]>(cacheKeys.departments);
  const names = new Map((Array.isArray(cached) ? cached : []).map((d): [number, string] => [d.id, d.name]));
  const missing = [...new Set(ids)].filter((id) => !names.has(id));
  await mapLimited(missing, async (id) => {
    try {
      names.set(id, (await getDepartment(transport, id)).name);
    } catch {
      // Names are a convenience: the record still carries every department id.
    }
  });
  return names;
}

export function userRecord(user: UserDetail, names: ReadonlyMap<number, string>) {
  const deptIds = user.dept_id_list ?? [];
  return {
    id: user.userid,
    name: user.name,
    // Mobile and email come back only when the app has the matching contact permissions.
    mobile: user.mobile || null,
    email: user.email || user.org_email || null,
    title: user.title || null,
    job_number: user.job_number || null,
    manager_id: user.manager_userid || null,
    department_ids: deptIds.map(String),
    department_names: deptIds.flatMap((id) => names.get(id) ?? []),
    active: user.active ?? null,
  };
}

export type UserRecord = ReturnType<typeof userRecord>;

async function userIdsFor(transport: Transport, input: FindUserInput): Promise<string[]> {
  for (const mobile of input.mobiles) {
    const userId = await getUserIdByMobile(transport, mobile);
    if (userId) return [userId];
  }
  if (!input.name) return [];
  const page = await searchUser(transport, { queryWord: input.name, exact: input.exact }, 0, MAX_NAME_MATCHES);
  return page.items.slice(0, MAX_NAME_MATCHES);
}

/** The users matching the input, best first; [] when nobody matches. */
export async function findUsers(transport: Transport, store: Store, input: FindUserInput): Promise<UserRecord[]> {
  const userIds = await userIdsFor(transport, input);
  const users = await mapLimited(userIds, (userId) => getUser(transport, userId));
  const names = await departmentNames(transport, store, users.flatMap((user) => user.dept_id_list ?? []));
  return users.map((user) => userRecord(user, names));
}
