/**
 * list_users: every department's members through listsimple (the exact request body, paging by next_cursor),
 * each user once with their first department, the 1,000-user cap, and the 10-minute cache.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../../index';
import { MAX_USERS } from '../../contacts/users';
import { cacheKeys } from '../../lib/cache-keys';
import { appTester, authData, meta, TOKEN } from '../helpers';
import { fakeContacts, type FakeUser } from '../contacts/fake-contacts';
import { departments, ORG, users } from '../contacts/org';

const LISTSIMPLE = '/topapi/user/listsimple';
const cache = () => (appTester as unknown as { zcacheTestObj: Record<string, unknown> }).zcacheTestObj;
const perform = (key: 'list_users' | 'list_departments') => {
  const operation = App.triggers![key]!.operation as { perform: (z: ZObject, bundle: Bundle) => Promise<unknown> };
  return appTester(operation.perform, { authData, inputData: {}, meta }) as Promise<{ id: string; name: string }[]>;
};

beforeEach(() => {
  for (const key of Object.keys(cache())) delete cache()[key];
});

describe('list_users', () => {
  test('lists every department\'s members once, labelled with their first department, by name', async () => {
    const dingtalk = fakeContacts(departments, users);
    await expect(perform('list_users')).resolves.toEqual([
      { id: 'manager0001', name: 'Chan Tai Man (Sales)' },
      { id: 'sales0003', name: 'Chan Mei Ling (Sales / Kowloon)' },
      { id: 'finance0001', name: 'Ho Chi Keung (Finance)' },
      // In Sales and in Kowloon: listed once, under the department met first.
      { id: 'sales0002', name: 'Lee Ka Yan (Sales)' },
      { id: 'boss0001', name: `Wong Siu Ming (${ORG})` },
    ].sort((a, b) => a.name.localeCompare(b.name)));
    const listed = dingtalk.calls.filter((call) => call.path === LISTSIMPLE);
    expect(listed.map((call) => call.body.dept_id).sort((a, b) => Number(a) - Number(b))).toEqual([1, 100, 110, 111, 200, 300, 310, 311]);
    expect(listed[0]).toEqual({
      path: LISTSIMPLE,
      query: { access_token: TOKEN },
      body: { dept_id: 1, cursor: 0, size: 100, contain_access_limit: false, language: 'en_US' },
    });
  });

  test('follows next_cursor through a department\'s pages of 100', async () => {
    const many: FakeUser[] = Array.from({ length: 250 }, (_, i) => ({ userid: `staff${String(i).padStart(4, '0')}`, name: `Staff ${String(i).padStart(4, '0')}` }));
    const dingtalk = fakeContacts([{ id: 1, name: ORG, members: many.map((u) => u.userid) }], many);
    const listed = await perform('list_users');
    expect(listed).toHaveLength(250);
    expect(listed[0]).toEqual({ id: 'staff0000', name: `Staff 0000 (${ORG})` });
    expect(dingtalk.calls.filter((call) => call.path === LISTSIMPLE).map((call) => call.body.cursor)).toEqual([0, 100, 200]);
  });

  test(`stops at ${MAX_USERS} users`, async () => {
    const many: FakeUser[] = Array.from({ length: 1100 }, (_, i) => ({ userid: `staff${String(i).padStart(4, '0')}`, name: `Staff ${String(i).padStart(4, '0')}` }));
    const dingtalk = fakeContacts([{ id: 1, name: ORG, members: many.map((u) => u.userid) }], many);
    const listed = await perform('list_users');
    expect(listed).toHaveLength(MAX_USERS);
    expect(listed.at(-1)!.id).toBe('staff0999');
    // Ten pages of 100; the eleventh is never asked for.
    expect(dingtalk.count(LISTSIMPLE)).toBe(10);
  });

  test('a second load within 10 minutes is served from z.cache without any DingTalk call', async () => {
    const dingtalk = fakeContacts(departments, users);
    const first = await perform('list_users');
    const spent = dingtalk.calls.length;
    // The root's name, 8 listsub and 8 listsimple calls.
    expect(spent).toBe(17);
    await expect(perform('list_users')).resolves.toEqual(first);
    expect(dingtalk.calls).toHaveLength(spent);
    expect(Object.keys(cache())).toContain(cacheKeys.users);
  });

  test('reuses the department list list_departments cached: only the member calls are made', async () => {
    const dingtalk = fakeContacts(departments, users);
    await perform('list_departments');
    const before = dingtalk.calls.length;
    await perform('list_users');
    expect(dingtalk.calls.slice(before).every((call) => call.path === LISTSIMPLE)).toBe(true);
    expect(dingtalk.calls.length - before).toBe(8);
  });
});
