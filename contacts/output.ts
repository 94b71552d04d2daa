/** Output fields of the user record (find-user.ts `userRecord`), shared by Find User and its sample. */
import type { PlainOutputField } from 'zapier-platform-core';

export const userOutputFields: PlainOutputField[] = [
  { key: 'id', label: 'User ID', type: 'string', required: true },
  { key: 'name', label: 'Name', type: 'string' },
  { key: 'mobile', label: 'Mobile Number', type: 'string' },
  { key: 'email', label: 'Email', type: 'string' },
  { key: 'title', label: 'Job Title', type: 'string' },
  { key: 'job_number', label: 'Employee Number', type: 'string' },
  { key: 'manager_id', label: 'Manager User ID', type: 'string' },
  { key: 'department_ids', label: 'Department IDs', type: 'string', list: true },
  { key: 'department_names', label: 'Department Names', type: 'string', list: true },
  { key: 'active', label: 'Active in DingTalk', type: 'boolean' },
];
