/** One small Hong Kong organisation shared by the contacts tests (fake ids, fake people). */
import type { FakeDepartment, FakeUser } from './fake-contacts';

export const ORG = 'Harbour Trading Ltd 海港貿易有限公司';

export const departments: FakeDepartment[] = [
  { id: 1, name: ORG, members: ['boss0001'] },
  { id: 100, name: 'Sales', parentId: 1, members: ['manager0001', 'sales0002'] },
  { id: 200, name: 'Finance', parentId: 1, members: ['finance0001'] },
  { id: 300, name: 'Warehouse', parentId: 1 },
  // sales0002 belongs to Sales and to Kowloon.
  { id: 110, name: 'Kowloon', parentId: 100, members: ['sales0002', 'sales0003'] },
  { id: 111, name: 'Hong Kong Island', parentId: 100 },
  { id: 310, name: 'Kwai Chung', parentId: 300 },
  { id: 311, name: 'Night Shift', parentId: 310 },
];

export const users: FakeUser[] = [
  { userid: 'boss0001', name: 'Wong Siu Ming', dept_id_list: [1], active: true },
  {
    userid: 'manager0001',
    name: 'Chan Tai Man',
    mobile: '+852-55550101',
    email: 'taiman.chan@example.com',
    title: 'Sales Manager',
    job_number: 'HK0001',
    manager_userid: 'boss0001',
    dept_id_list: [100],
    active: true,
  },
  { userid: 'sales0002', name: 'Lee Ka Yan', mobile: '61234567', dept_id_list: [100, 110], active: true },
  { userid: 'sales0003', name: 'Chan Mei Ling', dept_id_list: [110], active: false },
  { userid: 'finance0001', name: 'Ho Chi Keung', dept_id_list: [200] },
];
