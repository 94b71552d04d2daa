/**
 * Output fields of the records operations return: the approval record (approvals/record/record.ts; form fields
 * `form__<Label>` depend on the template, so the sample describes them) and the user record
 * (contacts/find-user.ts `userRecord`). Other operations build theirs with `outputFields` too.
 */
import type { PlainOutputField } from 'zapier-platform-core';

type OutputType = NonNullable<PlainOutputField['type']>;
/** One output field: key, label, type (text when left out), and whether it is the record's required id or a list. */
type Row = readonly [key: string, label: string, type?: OutputType, flag?: 'required' | 'list'];

/**
 * Output fields from rows. A line item's fields share a key prefix (`tasks[]`) and a label prefix ("Task "), so
 * its rows name only what differs.
 */
export const outputFields = (rows: readonly Row[], keyPrefix = '', labelPrefix = ''): PlainOutputField[] =>
  rows.map(([key, label, type = 'string', flag]) => ({ key: keyPrefix + key, label: labelPrefix + label, type, ...(flag ? { [flag]: true } : {}) }));

export const approvalOutputFields: PlainOutputField[] = [
  ...outputFields([
    ['id', 'Approval ID', 'string', 'required'],
    ['title', 'Title'],
    ['template_code', 'Template Code'],
    ['template_name', 'Template Name'],
    ['status', 'Status'],
    ['result', 'Result'],
    ['outcome', 'Outcome (approved, rejected, revoked or pending)'],
    ['business_id', 'Business ID'],
    ['originator_user_id', 'Originator User ID'],
    ['originator_name', 'Originator Name'],
    ['originator_department_id', 'Originator Department ID'],
    ['originator_department_name', 'Originator Department Name'],
    ['created_at', 'Submitted At', 'datetime'],
    ['finished_at', 'Finished At', 'datetime'],
    ['processing_minutes', 'Processing Time (Minutes)', 'integer'],
    ['url', 'Link'],
    ['cc_user_ids', 'CC User IDs', 'string', 'list'],
  ]),
  ...outputFields(
    [
      ['label', 'Label'],
      ['type', 'Type'],
    ],
    'form[]',
    'Form Field ',
  ),
  ...outputFields(
    [
      ['name', 'Name'],
      ['file', 'File', 'file'],
      ['size', 'Size (Bytes)', 'integer'],
      ['type', 'Type'],
      ['file_id', 'File ID'],
      ['field', 'Form Field'],
    ],
    'attachments[]',
    'Attachment ',
  ),
  ...outputFields(
    [
      ['user_id', 'User ID'],
      ['user_name', 'User Name'],
      ['type', 'Type'],
      ['result', 'Result'],
      ['remark', 'Remark'],
      ['date', 'Date', 'datetime'],
    ],
    'operations[]',
    'Operation ',
  ),
  ...outputFields(
    [
      ['task_id', 'ID', 'integer'],
      ['user_id', 'Approver User ID'],
      ['user_name', 'Approver Name'],
      ['status', 'Status'],
      ['result', 'Result'],
      ['created_at', 'Created At', 'datetime'],
      ['finished_at', 'Finished At', 'datetime'],
      ['wait_minutes', 'Wait (Minutes)', 'integer'],
    ],
    'tasks[]',
    'Task ',
  ),
];

/** Set when an action could not read the approval back after its change, or found the change already made. */
export const noteOutputField: PlainOutputField = { key: 'note', label: 'Note', type: 'string' };

export const userOutputFields = outputFields([
  ['id', 'User ID', 'string', 'required'],
  ['name', 'Name'],
  ['mobile', 'Mobile Number'],
  ['email', 'Email'],
  ['title', 'Job Title'],
  ['job_number', 'Employee Number'],
  ['manager_id', 'Manager User ID'],
  ['department_ids', 'Department IDs', 'string', 'list'],
  ['department_names', 'Department Names', 'string', 'list'],
  ['active', 'Active in DingTalk', 'boolean'],
]);
