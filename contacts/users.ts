/**
 * Everyone in the organisation, for the User dropdowns: the members of every department (listsimple, a free
 * contacts call, 100 per page), each user once, capped, and cached for ten minutes per connection.
 */
import { mapLimited } from '../lib/limiter';
import type { Store } from '../lib/store';
import { listAllDepartmentUsers, type UserSummary } from '../dingtalk/contact';
import type { Transport } from '../dingtalk/transport';
import { cacheKeys, cacheTtlS } from '../lib/cache-keys';
import { loadDepartments } from './departments';

export const MAX_USERS = 1000;

export interface UserEntry {
  id: string;
  name: string;
  /** The path of the first department the user was found in, root first. */
  department: string;
}

/** Lists departments in walk order (root, then level by level) and keeps each user's first department. */
async function collectUsers(transport: Transport, store: Store, log?: (message: string) => void): Promise<UserEntry[]> {
  const departments = await loadDepartments(transport, store, log);
  const seen = new Set<string>();
  // Departments not yet started when the cap is reached are skipped; the few already running finish.
  const members = await mapLimited(departments, async (department): Promise<UserSummary[]> => {
    if (seen.size >= MAX_USERS) return [];
    const { items } = await listAllDepartmentUsers(transport, department.id, MAX_USERS);
    for (const user of items) seen.add(user.userid);
    return items;
  });
  const users = new Map<string, UserEntry>();
  members.forEach((list, i) => {
    for (const { userid, name } of list) {
      if (!users.has(userid)) users.set(userid, { id: userid, name, department: departments[i]!.path });
    }
  });
  if (seen.size >= MAX_USERS) log?.(`Listed at most ${MAX_USERS} DingTalk users; the rest are left out.`);
  // The cap keeps the first departments' users; the dropdown then reads alphabetically.
  return [...users.values()].slice(0, MAX_USERS).sort((a, b) => a.name.localeCompare(b.name));
}

/** The user list from the cache, or a fresh one that is then cached for ten minutes. */
export async function loadUsers(transport: Transport, store: Store, log?: (message: string) => void): Promise<UserEntry[]> {
  const cached = await store.get<UserEntry[]>(cacheKeys.users);
  if (Array.isArray(cached)) return cached;
  const users = await collectUsers(transport, store, log);
  await store.set(cacheKeys.users, users, cacheTtlS.directory);
  return users;
}
