/**
 * list_departments: the breadth-first walk from the root (the exact requests DingTalk receives), path names,
 * the cap, and the 10-minute cache (a second load costs no call).
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../../index';
import { walkDepartments } from '../../contacts/departments';
import { cacheKeys } from '../../lib/cache-keys';
import { appTester, authData, meta, runWithClient, TOKEN } from '../helpers';
import { fakeContacts } from '../contacts/fake-contacts';
import { departments, ORG, users } from '../contacts/org';

const cache = () => (appTester as unknown as { zcacheTestObj: Record<string, unknown> }).zcacheTestObj;
const load = () => {
  const operation = App.triggers!.list_departments!.operation as { perform: (z: ZObject, bundle: Bundle) => Promise<unknown> };
  return appTester(operation.perform, { authData, inputData: {}, meta }) as Promise<{ id: string; name: string }[]>;
};

beforeEach(() => {
  for (const key of Object.keys(cache())) delete cache()[key];
});

describe('list_departments', () => {
  test('walks from the root level by level and lists every department by path, root first', async () => {
    const dingtalk = fakeContacts(departments, users);
    await expect(load()).resolves.toEqual([
      { id: '1', name: ORG },
      { id: '200', name: 'Finance' },
      { id: '100', name: 'Sales' },
      { id: '111', name: 'Sales / Hong Kong Island' },
      { id: '110', name: 'Sales / Kowloon' },
      { id: '300', name: 'Warehouse' },
      { id: '310', name: 'Warehouse / Kwai Chung' },
      { id: '311', name: 'Warehouse / Kwai Chung / Night Shift' },
    ]);
    // One read of the root for its name, then one listsub per department; the token only in the query string.
    expect(dingtalk.calls[0]).toEqual({ path: '/topapi/v2/department/get', query: { access_token: TOKEN }, body: { dept_id: 1, language: 'en_US' } });
    const listed = dingtalk.calls.slice(1);
    expect(listed.every((call) => call.path === '/topapi/v2/department/listsub' && call.query.access_token === TOKEN)).toBe(true);
    expect(listed.map((call) => call.body)).toHaveLength(8);
    expect(listed[0]!.body).toEqual({ dept_id: 1, language: 'en_US' });
    // Breadth first: a level is listed only after the level above it.
    const order = listed.map((call) => call.body.dept_id as number);
    expect(order.slice(1, 4).sort()).toEqual([100, 200, 300]);
    expect(order.slice(4, 7).sort()).toEqual([110, 111, 310]);
    expect(order[7]).toBe(311);
  });

  test('a second load within 10 minutes is served from z.cache without any DingTalk call', async () => {
    const dingtalk = fakeContacts(departments, users);
    const first = await load();
    const spent = dingtalk.calls.length;
    expect(spent).toBe(9);
    await expect(load()).resolves.toEqual(first);
    expect(dingtalk.calls).toHaveLength(spent);
    expect(Object.keys(cache())).toContain(cacheKeys.departments);
  });

  test('an emptied cache costs the walk again, never a wrong list', async () => {
    const dingtalk = fakeContacts(departments, users);
    await load();
    delete cache()[cacheKeys.departments];
    await load();
    expect(dingtalk.count('/topapi/v2/department/get')).toBe(2);
  });

  test('the cap stops the walk and says it is incomplete', async () => {
    const dingtalk = fakeContacts(departments, users);
    const walk = await runWithClient((t) => walkDepartments(t, 3));
    expect(walk).toEqual({
      departments: [
        { id: 1, name: ORG, path: ORG },
        { id: 100, name: 'Sales', path: 'Sales', parentId: 1 },
        { id: 200, name: 'Finance', path: 'Finance', parentId: 1 },
      ],
      complete: false,
    });
    expect(dingtalk.calls.map((call) => `${call.path} ${call.body.dept_id}`)).toEqual(['/topapi/v2/department/get 1', '/topapi/v2/department/listsub 1']);
  });

  test('an organisation without sub-departments is just the root', async () => {
    fakeContacts([{ id: 1, name: ORG }]);
    await expect(load()).resolves.toEqual([{ id: '1', name: ORG }]);
  });
});
