/**
 * find_user through createAppTester: the exact requests DingTalk receives for a mobile lookup (free, oapi,
 * token in the query) and a name search (SearchUser, api host, token header), the exact record returned, a miss
 * as [], and input errors.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../../index';
import { api, appTester, authData, failure, meta, oapi, TOKEN } from '../helpers';
import { fakeContacts } from '../contacts/fake-contacts';
import { departments, users } from '../contacts/org';

const SEARCH = '/v1.0/contact/users/search';
const cache = () => (appTester as unknown as { zcacheTestObj: Record<string, unknown> }).zcacheTestObj;
const run = (key: string, inputData: Record<string, unknown>) => {
  const operations = { ...App.searches, ...App.triggers } as Record<string, { operation: unknown }>;
  const operation = operations[key]!.operation as { perform: (z: ZObject, bundle: Bundle) => Promise<unknown> };
  return appTester(operation.perform, { authData, inputData, meta }) as Promise<Record<string, unknown>[]>;
};
const findUser = (inputData: Record<string, unknown>) => run('find_user', inputData);

/** SearchUser answers with `list` and records the bodies it received. */
function searchUser(list: string[], bodies: unknown[] = []) {
  api()
    .post(SEARCH)
    .reply((_uri, body) => {
      bodies.push(body);
      return [200, { hasMore: false, totalCount: list.length, list }];
    });
  return bodies;
}

const chan = {
  id: 'manager0001',
  name: 'Chan Tai Man',
  mobile: '+852-55550101',
  email: 'taiman.chan@example.com',
  title: 'Sales Manager',
  job_number: 'HK0001',
  manager_id: 'boss0001',
  department_ids: ['100'],
  department_names: ['Sales'],
  active: true,
};

beforeEach(() => {
  for (const key of Object.keys(cache())) delete cache()[key];
});

describe('find_user by mobile number', () => {
  test('a Hong Kong number is asked for as +852-xxxxxxxx; the profile and department name follow', async () => {
    const dingtalk = fakeContacts(departments, users);
    await expect(findUser({ mobile: '+852 5555 0101' })).resolves.toEqual([chan]);
    expect(dingtalk.calls).toEqual([
      { path: '/topapi/v2/user/getbymobile', query: { access_token: TOKEN }, body: { mobile: '+852-55550101' } },
      { path: '/topapi/v2/user/get', query: { access_token: TOKEN }, body: { userid: 'manager0001', language: 'en_US' } },
      { path: '/topapi/v2/department/get', query: { access_token: TOKEN }, body: { dept_id: 100, language: 'en_US' } },
    ]);
  });

  test('a number stored without +852 is found with the second form', async () => {
    const dingtalk = fakeContacts(departments, users);
    const [found] = await findUser({ mobile: '6123 4567' });
    expect(found).toEqual({
      id: 'sales0002',
      name: 'Lee Ka Yan',
      mobile: '61234567',
      email: null,
      title: null,
      job_number: null,
      manager_id: null,
      department_ids: ['100', '110'],
      department_names: ['Sales', 'Kowloon'],
      active: true,
    });
    expect(dingtalk.calls.filter((c) => c.path === '/topapi/v2/user/getbymobile').map((c) => c.body.mobile)).toEqual(['+852-61234567', '61234567']);
  });

  test('nobody with that number (60121 for both forms) is a miss: [] and no further call', async () => {
    const dingtalk = fakeContacts(departments, users);
    await expect(findUser({ mobile: '+852 9999 0000' })).resolves.toEqual([]);
    expect(dingtalk.calls.map((c) => c.body.mobile)).toEqual(['+852-99990000', '99990000']);
  });

  test('40104 ("not a valid number in this organisation") is a miss too, so the second form is still tried', async () => {
    const forms: unknown[] = [];
    oapi().post('/topapi/v2/user/getbymobile').query({ access_token: TOKEN }).twice().reply((_uri, body) => {
      forms.push((body as { mobile: string }).mobile);
      return [200, { errcode: 40104, errmsg: '企业中无效的手机号' }];
    });
    await expect(findUser({ mobile: '+852 9999 0000' })).resolves.toEqual([]);
    expect(forms).toEqual(['+852-99990000', '99990000']);
  });

  test('department names come from the cached department list when list_departments ran recently', async () => {
    const dingtalk = fakeContacts(departments, users);
    await run('list_departments', {});
    const before = dingtalk.calls.length;
    await expect(findUser({ mobile: '55550101' })).resolves.toEqual([chan]);
    expect(dingtalk.calls.slice(before).map((c) => c.path)).toEqual(['/topapi/v2/user/getbymobile', '/topapi/v2/user/get']);
  });

  test('a missing permission is an error that names it, not a miss', async () => {
    oapi().post('/topapi/v2/user/getbymobile').query({ access_token: TOKEN }).reply(200, { errcode: 60011, errmsg: '没有调用该接口的权限' });
    const error = await failure(findUser({ mobile: '+852 5555 0101' }));
    expect(error.message).toMatch(/qyapi_get_member_by_mobile/);
  });
});

describe('find_user by name', () => {
  test('an exact-name search (the default) sends fullMatchField 1 and returns the matching profiles in order', async () => {
    const dingtalk = fakeContacts(departments, users);
    const bodies = searchUser(['manager0001']);
    await expect(findUser({ name: ' Chan Tai Man ' })).resolves.toEqual([chan]);
    expect(bodies).toEqual([{ queryWord: 'Chan Tai Man', offset: 0, size: 5, fullMatchField: 1 }]);
    expect(dingtalk.count('/topapi/v2/user/getbymobile')).toBe(0);
  });

  test('Exact Name Match off sends no fullMatchField; several hits come back best first', async () => {
    fakeContacts(departments, users);
    const bodies = searchUser(['sales0003', 'manager0001']);
    const found = await findUser({ name: 'Chan', exactName: false });
    expect(found.map((u) => u.id)).toEqual(['sales0003', 'manager0001']);
    expect(found[0]).toMatchObject({ name: 'Chan Mei Ling', department_names: ['Kowloon'], active: false });
    expect(bodies).toEqual([{ queryWord: 'Chan', offset: 0, size: 5 }]);
  });

  test('Name is the fallback when nobody has the mobile number', async () => {
    const dingtalk = fakeContacts(departments, users);
    const bodies = searchUser(['manager0001']);
    await expect(findUser({ mobile: '+852 9999 0000', name: 'Chan Tai Man', exactName: 'true' })).resolves.toEqual([chan]);
    expect(dingtalk.count('/topapi/v2/user/getbymobile')).toBe(2);
    expect(bodies).toHaveLength(1);
  });

  test('no match is []: no profile is read', async () => {
    const dingtalk = fakeContacts(departments, users);
    searchUser([]);
    await expect(findUser({ name: 'Nobody' })).resolves.toEqual([]);
    expect(dingtalk.calls).toEqual([]);
  });
});

describe('find_user input', () => {
  test.each([
    [{}, 'Enter a Mobile Number or a Name.'],
    [{ mobile: '  ', name: '' }, 'Enter a Mobile Number or a Name.'],
    [{ mobile: 'call me', name: 'Chan' }, 'Mobile Number "call me" is not a phone number; use a form such as +852 5555 0101.'],
  ])('%j is refused before any call: %s', async (inputData, message) => {
    const error = await failure(findUser(inputData));
    expect(JSON.parse(error.message)).toEqual({ message, code: 'InvalidInput', status: 400 });
  });

  test('a 10,000-character input is cut short in the message, not echoed whole', async () => {
    const error = await failure(findUser({ mobile: 'x'.repeat(10_000) }));
    expect(JSON.parse(error.message).message).toBe(`Mobile Number "${'x'.repeat(40)}…" (10,000 characters) is not a phone number; use a form such as +852 5555 0101.`);
  });
});
