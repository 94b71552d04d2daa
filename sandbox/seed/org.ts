/**
 * A small Hong Kong trading company. Every id, name, number and address is made up. Mobiles follow the forms
 * DingTalk stores: "+852-…" for Hong Kong numbers, bare digits for mainland ones.
 */
import type { Department, User } from '../state';

export const ORG = { corpId: 'dingsandboxcorp0001', name: 'Lion Rock Trading Ltd 獅子山貿易有限公司' };

/** Obviously fake credentials for the sandbox's one internal app. */
export const APP = { appKey: 'dingsandboxappkey0001', appSecret: 'sandbox-app-secret-not-real-0001', agentId: '3000000001' };

export const departments: Department[] = [
  { deptId: 1, name: ORG.name },
  { deptId: 100, name: 'Sales 銷售部', parentId: 1 },
  { deptId: 110, name: 'Kowloon Team 九龍組', parentId: 100 },
  { deptId: 200, name: 'Finance 財務部', parentId: 1 },
  { deptId: 300, name: 'Operations 營運部', parentId: 1 },
  { deptId: 310, name: 'Kwai Chung Warehouse 葵涌貨倉', parentId: 300 },
  { deptId: 400, name: 'HR & Admin 人事及行政部', parentId: 1 },
  { deptId: 500, name: 'IT 資訊科技部', parentId: 1 },
  { deptId: 600, name: 'Compliance 合規部', parentId: 1 },
];

const hired = (date: string) => Date.parse(`${date}T00:00:00+08:00`);

const user = (fields: Omit<User, 'active' | 'admin' | 'boss'> & Partial<Pick<User, 'active' | 'admin' | 'boss'>>): User => ({
  active: true,
  admin: false,
  boss: false,
  ...fields,
});

export const users: User[] = [
  user({ userid: 'user-ng-0006', name: '吳美玲 Ng Mei Ling', mobile: '+852-55550106', email: 'meiling.ng@lionrock.example', title: 'Director 董事', jobNumber: 'LR0001', deptIds: [1], hiredDate: hired('2012-04-02'), admin: true, boss: true }),
  user({ userid: 'user-lee-0002', name: '李偉文 Lee Wai Man', mobile: '+852-55550102', email: 'waiman.lee@lionrock.example', title: 'Sales Manager 銷售經理', jobNumber: 'LR0008', deptIds: [100], managerUserid: 'user-ng-0006', hiredDate: hired('2015-09-01') }),
  user({ userid: 'user-chan-0001', name: '陳嘉欣 Chan Ka Yan', mobile: '+852-55550101', email: 'kayan.chan@lionrock.example', title: 'Account Executive 客戶主任', jobNumber: 'LR0023', deptIds: [100], managerUserid: 'user-lee-0002', hiredDate: hired('2021-03-15') }),
  user({ userid: 'user-wong-0003', name: '黃家明 Wong Ka Ming', mobile: '+852-55550103', title: 'Sales Representative 銷售代表', jobNumber: 'LR0031', deptIds: [100, 110], managerUserid: 'user-lee-0002', hiredDate: hired('2023-07-03') }),
  user({ userid: 'user-ho-0004', name: '何志強 Ho Chi Keung', mobile: '+852-55550104', email: 'chikeung.ho@lionrock.example', title: 'Finance Manager 財務經理', jobNumber: 'LR0005', deptIds: [200], managerUserid: 'user-ng-0006', hiredDate: hired('2014-01-06') }),
  user({ userid: 'user-tam-0005', name: '譚小峰 Tam Siu Fung', mobile: '+852-55550105', title: 'Accounts Clerk 會計文員', jobNumber: 'LR0027', deptIds: [200], managerUserid: 'user-ho-0004', hiredDate: hired('2022-02-14') }),
  user({ userid: 'user-cheung-0007', name: '張志明 Cheung Chi Ming', mobile: '+852-55550107', email: 'chiming.cheung@lionrock.example', title: 'Compliance Officer 合規主任', jobNumber: 'LR0012', deptIds: [600], managerUserid: 'user-ng-0006', hiredDate: hired('2018-06-11') }),
  user({ userid: 'user-lau-0008', name: '劉淑儀 Lau Shuk Yee', mobile: '+852-55550108', email: 'shukyee.lau@lionrock.example', title: 'HR Manager 人事經理', jobNumber: 'LR0010', deptIds: [400], managerUserid: 'user-ng-0006', hiredDate: hired('2017-10-03') }),
  user({ userid: 'user-yip-0009', name: '葉國華 Yip Kwok Wah', mobile: '+852-55550109', title: 'IT Administrator 資訊科技管理員', jobNumber: 'LR0019', deptIds: [500], managerUserid: 'user-ng-0006', hiredDate: hired('2019-08-19') }),
  user({ userid: 'user-mak-0010', name: '麥家俊 Mak Ka Chun', mobile: '13800138010', title: 'Warehouse Supervisor 貨倉主管', jobNumber: 'LR0015', deptIds: [300, 310], managerUserid: 'user-ng-0006', hiredDate: hired('2016-05-23') }),
  user({ userid: 'user-kwok-0011', name: '郭凱琳 Kwok Hoi Lam', mobile: '+852-55550111', title: 'Operations Assistant 營運助理', jobNumber: 'LR0035', deptIds: [310], managerUserid: 'user-mak-0010', hiredDate: hired('2024-09-02'), active: false }),
];
