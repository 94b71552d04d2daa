/**
 * Output fields of the records operations return: the approval record (approvals/record/record.ts; form fields
 * `form__<Label>` depend on the template, so the sample describes them) and the user record
 * (contacts/find-user.ts `userRecord`).
 */
import type { PlainOutputField } from 'zapier-platform-core';

export const approvalOutputFields: PlainOutputField[] = [
  { key: 'id', label: 'Approval ID', type: 'string', required: true },
  { key: 'title', label: 'Title', type: 'string' },
  { key: 'template_code', label: 'Template Code', type: 'string' },
  { key: 'template_name', label: 'Template Name', type: 'string' },
  { key: 'status', label: 'Status', type: 'string' },
  { key: 'result', label: 'Result', type: 'string' },
  { key: 'outcome', label: 'Outcome (approved, rejected, revoked or pending)', type: 'string' },
  { key: 'business_id', label: 'Business ID', type: 'string' },
  { key: 'originator_user_id', label: 'Originator User ID', type: 'string' },
  { key: 'originator_name', label: 'Originator Name', type: 'string' },
  { key: 'originator_department_id', label: 'Originator Department ID', type: 'string' },
  { key: 'originator_department_name', label: 'Originator Department Name', type: 'string' },
  { key: 'created_at', label: 'Submitted At', type: 'datetime' },
  { key: 'finished_at', label: 'Finished At', type: 'datetime' },
  { key: 'processing_minutes', label: 'Processing Time (Minutes)', type: 'integer' },
  { key: 'url', label: 'Link', type: 'string' },
  { key: 'cc_user_ids', label: 'CC User IDs', type: 'string', list: true },
  { key: 'form[]label', label: 'Form Field Label', type: 'string' },
  { key: 'form[]type', label: 'Form Field Type', type: 'string' },
  { key: 'attachments[]name', label: 'Attachment Name', type: 'string' },
  { key: 'attachments[]file', label: 'Attachment File', type: 'file' },
  { key: 'attachments[]size', label: 'Attachment Size (Bytes)', type: 'integer' },
  { key: 'attachments[]type', label: 'Attachment Type', type: 'string' },
  { key: 'attachments[]file_id', label: 'Attachment File ID', type: 'string' },
  { key: 'attachments[]field', label: 'Attachment Form Field', type: 'string' },
  { key: 'operations[]user_id', label: 'Operation User ID', type: 'string' },
  { key: 'operations[]user_name', label: 'Operation User Name', type: 'string' },
  { key: 'operations[]type', label: 'Operation Type', type: 'string' },
  { key: 'operations[]result', label: 'Operation Result', type: 'string' },
  { key: 'operations[]remark', label: 'Operation Remark', type: 'string' },
  { key: 'operations[]date', label: 'Operation Date', type: 'datetime' },
  { key: 'tasks[]task_id', label: 'Task ID', type: 'integer' },
  { key: 'tasks[]user_id', label: 'Task Approver User ID', type: 'string' },
  { key: 'tasks[]user_name', label: 'Task Approver Name', type: 'string' },
  { key: 'tasks[]status', label: 'Task Status', type: 'string' },
  { key: 'tasks[]result', label: 'Task Result', type: 'string' },
  { key: 'tasks[]created_at', label: 'Task Created At', type: 'datetime' },
  { key: 'tasks[]finished_at', label: 'Task Finished At', type: 'datetime' },
  { key: 'tasks[]wait_minutes', label: 'Task Wait (Minutes)', type: 'integer' },
];

/** Set when an action could not read the approval back after its change, or found the change already made. */
export const noteOutputField: PlainOutputField = { key: 'note', label: 'Note', type: 'string' };

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
