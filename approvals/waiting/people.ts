/**
 * An approver's name and manager, from the free contacts API (topapi/v2/user/get, `manager_userid`; quota-free per
 * basic-interfaces-such-as-log-off-and-address-book), cached per connection so each person is looked up about
 * once a week.
 */
import { getUser } from '../../dingtalk/contact';
import type { Transport } from '../../dingtalk/transport';
import { cacheKeys, cacheTtlS } from '../../lib/cache-keys';
import type { Store } from '../../lib/store';
import { rememberUserName } from '../record/lookup';

export interface Person {
  userId: string;
  name: string | null;
  managerUserId: string | null;
  managerName: string | null;
}

/** A user and their manager (both names looked up); unknown users and missing permissions give nulls, not errors. */
export async function personWithManager(transport: Transport, store: Store, userId: string): Promise<Person> {
  const cached = await store.get<Person>(cacheKeys.person(userId));
  if (cached) return cached;
  const lookup = async (id: string) => {
    try {
      const user = await getUser(transport, id);
      await rememberUserName(store, id, user.name);
      return user;
    } catch {
      return undefined;
    }
  };
  const user = await lookup(userId);
  if (!user) return { userId, name: null, managerUserId: null, managerName: null };
  const managerUserId = user.manager_userid || null;
  const manager = managerUserId ? await lookup(managerUserId) : undefined;
  const person: Person = { userId, name: user.name, managerUserId, managerName: manager?.name ?? null };
  await store.set(cacheKeys.person(userId), person, cacheTtlS.name);
  return person;
}
