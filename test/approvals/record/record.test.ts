/**
 * approvalRecord: the flat, typed record every approval trigger delivers, built from GetProcessInstance's
 * result (test/fixtures), a names map and the file-pointer callback.
 */
import { flattenForm } from '../../../approvals/record/form';
import { realFileName } from '../../../approvals/record/files';
import { approvalRecord, userIdsOf, type FileRef, type RecordContext } from '../../../approvals/record/record';
import { ProcessInstance } from '../../../dingtalk/schemas/workflow';
import type { ProcessInstanceDetail } from '../../../dingtalk/workflow';
import completedBody from '../../fixtures/get-process-instance.json';
import runningBody from '../../fixtures/get-process-instance-running.json';

const completed: ProcessInstanceDetail = ProcessInstance.parse(completedBody.result);
const running: ProcessInstanceDetail = ProcessInstance.parse(runningBody.result);

const ID = 'pi-fake-expense-0001';
const NAMES = new Map([
  ['user-chan-0001', '陳嘉欣 Chan Ka Yan'],
  ['user-lee-0002', 'Lee Siu Wai 李少偉'],
  ['user-ho-0004', 'Ho Chi Keung 何志強'],
  ['user-wong-0003', '黃家明 Wong Ka Ming'],
]);

function contextWith(names: ReadonlyMap<string, string> = NAMES) {
  const file = jest.fn((ref: FileRef) => `file:${ref.fileId}:${ref.name}`);
  const context: RecordContext = { processCode: 'PROC-FAKE-EXPENSE-0001', templateName: 'Expense Claim 費用報銷', names, file };
  return { context, file };
}

const TASK_2_URL = 'https://aflow.dingtalk.com/dingtalk/pc/query/pchomepage.htm?corpid=dingfakecorp0001#/approval?procInsId=pi-fake-expense-0001&taskId=70000000002';

describe('approvalRecord on the completed fixture', () => {
  it('every field, exactly', () => {
    const { context } = contextWith();
    const record = approvalRecord(ID, completed, context);
    expect(record).toEqual({
      id: ID,
      title: '陳嘉欣提交的費用報銷',
      template_code: 'PROC-FAKE-EXPENSE-0001',
      template_name: 'Expense Claim 費用報銷',
      status: 'COMPLETED',
      result: 'agree',
      outcome: 'approved',
      business_id: '202611201015000123456',
      originator_user_id: 'user-chan-0001',
      originator_name: '陳嘉欣 Chan Ka Yan',
      originator_department_id: '900000101',
      originator_department_name: 'Sales 銷售部',
      // 2026-11-20T02:15Z and 2026-11-21T06:42Z in UTC+08:00.
      created_at: '2026-11-20T10:15:00+08:00',
      finished_at: '2026-11-21T14:42:00+08:00',
      // 28 h 27 min.
      processing_minutes: 1707,
      // The latest task with a PC link.
      url: TASK_2_URL,
      cc_user_ids: ['user-tam-0005'],
      // The form keys are asserted exactly in form.test.ts; here they must all be present, spread at top level.
      ...flattenForm(completed.formComponentValues ?? []).fields,
      form: flattenForm(completed.formComponentValues ?? []).form,
      attachments: [
        {
          name: 'attachment-fake-file-0001.jpg',
          file: 'file:fake-file-0001:attachment-fake-file-0001.jpg',
          size: 204800,
          type: 'jpg',
          file_id: 'fake-file-0001',
          space_id: '1000000001',
          field: 'Receipts 單據附件',
        },
        {
          name: 'hotel-invoice-20261118.pdf',
          file: 'file:fake-file-0002:hotel-invoice-20261118.pdf',
          size: 88213,
          type: 'pdf',
          file_id: 'fake-file-0002',
          space_id: '1000000001',
          field: 'Receipts 單據附件',
        },
      ],
      operations: [
        {
          user_id: 'user-chan-0001',
          user_name: '陳嘉欣 Chan Ka Yan',
          type: 'START_PROCESS_INSTANCE',
          result: 'NONE',
          remark: null,
          date: '2026-11-20T10:15:00+08:00',
          attachments: [],
        },
        {
          user_id: 'user-lee-0002',
          user_name: 'Lee Siu Wai 李少偉',
          type: 'EXECUTE_TASK_NORMAL',
          result: 'AGREE',
          remark: 'Approved – receipts match the itinerary. 已核對行程及單據。',
          date: '2026-11-20T16:41:00+08:00',
          attachments: [{ name: 'itinerary-check.pdf', file: 'file:fake-file-0003:itinerary-check.pdf', file_id: 'fake-file-0003' }],
        },
        {
          user_id: 'user-ho-0004',
          user_name: 'Ho Chi Keung 何志強',
          type: 'ADD_REMARK',
          result: 'NONE',
          remark: 'Paid with the 30 Nov payroll. 將於11月30日隨薪發放。',
          date: '2026-11-21T11:05:00+08:00',
          attachments: [],
        },
        {
          user_id: 'user-ho-0004',
          user_name: 'Ho Chi Keung 何志強',
          type: 'EXECUTE_TASK_NORMAL',
          result: 'AGREE',
          remark: null,
          date: '2026-11-21T14:42:00+08:00',
          attachments: [],
        },
        {
          user_id: 'user-ho-0004',
          user_name: 'Ho Chi Keung 何志強',
          type: 'PROCESS_CC',
          result: 'NONE',
          remark: null,
          date: '2026-11-21T14:42:00+08:00',
          attachments: [],
        },
      ],
      tasks: [
        {
          task_id: 70000000001,
          user_id: 'user-lee-0002',
          user_name: 'Lee Siu Wai 李少偉',
          status: 'COMPLETED',
          result: 'AGREE',
          activity_id: 'a1f0_7c2e',
          created_at: '2026-11-20T10:15:00+08:00',
          finished_at: '2026-11-20T16:41:00+08:00',
          wait_minutes: 386,
        },
        {
          task_id: 70000000002,
          user_id: 'user-ho-0004',
          user_name: 'Ho Chi Keung 何志強',
          status: 'COMPLETED',
          result: 'AGREE',
          activity_id: '1918_5cd3',
          created_at: '2026-11-20T16:41:00+08:00',
          finished_at: '2026-11-21T14:42:00+08:00',
          wait_minutes: 1321,
        },
      ],
    });
  });

  it('form keys sit at the top level, in form order, between cc_user_ids and form', () => {
    const keys = Object.keys(approvalRecord(ID, completed, contextWith().context));
    const formKeys = Object.keys(flattenForm(completed.formComponentValues ?? []).fields);
    const start = keys.indexOf('cc_user_ids') + 1;
    expect(keys.slice(start, start + formKeys.length)).toEqual(formKeys);
    expect(keys[start + formKeys.length]).toBe('form');
  });

  it('asks context.file for each attachment with the exact FileRef (comment files flagged)', () => {
    const { context, file } = contextWith();
    approvalRecord(ID, completed, context);
    expect(file.mock.calls).toEqual([
      [{ processInstanceId: ID, fileId: 'fake-file-0001', name: 'attachment-fake-file-0001.jpg', type: 'jpg', comment: false }],
      [{ processInstanceId: ID, fileId: 'fake-file-0002', name: 'hotel-invoice-20261118.pdf', type: 'pdf', comment: false }],
      [{ processInstanceId: ID, fileId: 'fake-file-0003', name: 'itinerary-check.pdf', type: 'pdf', comment: true }],
    ]);
  });

  it('a user without a name (left the company, no permission) has null names, never a node name', () => {
    const names = new Map([['user-chan-0001', '陳嘉欣 Chan Ka Yan']]);
    const record = approvalRecord(ID, completed, contextWith(names).context);
    expect(record.originator_name).toBe('陳嘉欣 Chan Ka Yan');
    // showName is the task node's name (DingTalk: "任务节点名称"; here "Finance Approver 財務審批"), not a person.
    expect(record.operations.map((op) => op.user_name)).toEqual(['陳嘉欣 Chan Ka Yan', null, null, null, null]);
    expect(record.tasks.map((task) => task.user_name)).toEqual([null, null]);
  });

  it('an unknown originator gives a null originator_name', () => {
    expect(approvalRecord(ID, completed, contextWith(new Map()).context).originator_name).toBeNull();
  });
});

describe('approvalRecord on the running fixture', () => {
  afterEach(() => jest.restoreAllMocks());

  it('pending, no finish, and a running task that has waited until now', () => {
    // Task 70000000003 was created at 2026-11-24T01:05Z; "now" is 2.5 hours later.
    jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-11-24T03:35:00Z'));
    const { context, file } = contextWith();
    const id = 'pi-fake-expense-0002';
    const record = approvalRecord(id, running, context);
    const flat = flattenForm(running.formComponentValues ?? []);
    expect(record).toEqual({
      id,
      title: '黃家明提交的費用報銷',
      template_code: 'PROC-FAKE-EXPENSE-0001',
      template_name: 'Expense Claim 費用報銷',
      status: 'RUNNING',
      result: null,
      outcome: 'pending',
      business_id: '202611240905000123789',
      originator_user_id: 'user-wong-0003',
      originator_name: '黃家明 Wong Ka Ming',
      originator_department_id: '900000101',
      originator_department_name: 'Sales 銷售部',
      created_at: '2026-11-24T09:05:00+08:00',
      finished_at: null,
      processing_minutes: null,
      url: 'https://aflow.dingtalk.com/dingtalk/pc/query/pchomepage.htm?corpid=dingfakecorp0001#/approval?procInsId=pi-fake-expense-0002&taskId=70000000003',
      cc_user_ids: [],
      ...flat.fields,
      form: flat.form,
      attachments: [],
      operations: [
        {
          user_id: 'user-wong-0003',
          user_name: '黃家明 Wong Ka Ming',
          type: 'START_PROCESS_INSTANCE',
          result: 'NONE',
          remark: null,
          date: '2026-11-24T09:05:00+08:00',
          attachments: [],
        },
      ],
      tasks: [
        {
          task_id: 70000000003,
          user_id: 'user-lee-0002',
          user_name: 'Lee Siu Wai 李少偉',
          status: 'RUNNING',
          result: 'NONE',
          activity_id: 'a1f0_7c2e',
          created_at: '2026-11-24T09:05:00+08:00',
          finished_at: null,
          wait_minutes: 150,
        },
      ],
    });
    expect(file).not.toHaveBeenCalled();
  });

  it('a task that is neither finished nor running has no wait', () => {
    const detail: ProcessInstanceDetail = { status: 'RUNNING', tasks: [{ taskId: 1, status: 'NEW', createTime: '2026-11-24T01:05Z' }] };
    expect(approvalRecord('x', detail, contextWith().context).tasks[0]!.wait_minutes).toBeNull();
  });
});

describe('outcome', () => {
  const base = { createTime: '2026-11-20T02:15Z', finishTime: '2026-11-20T03:00Z' };
  it.each([
    ['COMPLETED', 'agree', 'approved'],
    ['COMPLETED', 'refuse', 'rejected'],
    ['TERMINATED', undefined, 'revoked'],
    ['TERMINATED', 'refuse', 'revoked'],
    ['RUNNING', '', 'pending'],
    ['COMPLETED', '', null],
    ['NEW', undefined, null],
  ])('status %s, result %j → %j', (status, result, outcome) => {
    const record = approvalRecord('x', { ...base, status, ...(result === undefined ? {} : { result }) }, contextWith().context);
    expect(record.outcome).toBe(outcome);
    expect(record.result).toBe(result || null);
  });

  it('a revoked approval still reports its times and processing minutes', () => {
    const record = approvalRecord('x', { ...base, status: 'TERMINATED' }, contextWith().context);
    expect([record.created_at, record.finished_at, record.processing_minutes]).toEqual(['2026-11-20T10:15:00+08:00', '2026-11-20T11:00:00+08:00', 45]);
  });

  it('a bare detail yields nulls and empty lists, not undefined', () => {
    const record = approvalRecord('x', { status: 'RUNNING' }, { processCode: 'P', templateName: null, names: new Map(), file: () => 'f' });
    expect(record).toEqual({
      id: 'x',
      title: null,
      template_code: 'P',
      template_name: null,
      status: 'RUNNING',
      result: null,
      outcome: 'pending',
      business_id: null,
      originator_user_id: null,
      originator_name: null,
      originator_department_id: null,
      originator_department_name: null,
      created_at: null,
      finished_at: null,
      processing_minutes: null,
      url: null,
      cc_user_ids: [],
      form: [],
      attachments: [],
      operations: [],
      tasks: [],
    });
  });
});

describe('operation attachments', () => {
  it('uppercase types, client names and missing ids', () => {
    const detail: ProcessInstanceDetail = {
      status: 'RUNNING',
      operationRecords: [
        {
          userId: 'u1',
          date: '2026-11-20T02:15Z',
          type: 'ADD_REMARK',
          attachments: [
            { fileId: 'c-1', fileName: '#z9y8.file', fileType: 'PNG', fileSize: '10' },
            { fileId: 'c-2', fileName: 'minutes', fileType: 'docx' },
            { fileName: 'no-id.pdf', fileType: 'pdf' },
          ],
        },
      ],
    };
    const { context, file } = contextWith();
    const record = approvalRecord('pi-2', detail, context);
    expect(record.operations[0]!.attachments).toEqual([
      { name: 'attachment-c-1.png', file: 'file:c-1:attachment-c-1.png', file_id: 'c-1' },
      { name: 'minutes.docx', file: 'file:c-2:minutes.docx', file_id: 'c-2' },
    ]);
    expect(file.mock.calls).toEqual([
      [{ processInstanceId: 'pi-2', fileId: 'c-1', name: 'attachment-c-1.png', type: 'png', comment: true }],
      [{ processInstanceId: 'pi-2', fileId: 'c-2', name: 'minutes.docx', type: 'docx', comment: true }],
    ]);
  });
});

describe('realFileName', () => {
  it.each([
    ['#a1b2.file', 'pdf', 'attachment-f1.pdf'],
    ['#A1B2.FILE', 'jpg', 'attachment-f1.jpg'],
    ['#a1b2.file', '', 'attachment-f1'],
    ['', 'png', 'attachment-f1.png'],
    ['   ', 'png', 'attachment-f1.png'],
    ['invoice', 'pdf', 'invoice.pdf'],
    ['invoice.pdf', 'pdf', 'invoice.pdf'],
    ['INVOICE.PDF', 'pdf', 'INVOICE.PDF'],
    ['invoice.pdf', '.pdf', 'invoice.pdf'],
    ['notes.txt', '', 'notes.txt'],
    ['收據 2026', 'jpg', '收據 2026.jpg'],
    ['report.file', 'xlsx', 'report.file.xlsx'],
  ])('(%j, %j) → %j', (name, type, expected) => {
    expect(realFileName(name, type, 'f1')).toBe(expected);
  });
});

describe('userIdsOf', () => {
  it('originator, task users and operation users, each once, in that order', () => {
    expect(userIdsOf(completed)).toEqual(['user-chan-0001', 'user-lee-0002', 'user-ho-0004']);
    expect(userIdsOf(running)).toEqual(['user-wong-0003', 'user-lee-0002']);
  });

  it('skips missing and empty ids', () => {
    expect(userIdsOf({ status: 'RUNNING' })).toEqual([]);
    expect(userIdsOf({ status: 'RUNNING', originatorUserId: '', tasks: [{ taskId: 1, userId: null }], operationRecords: [{ userId: 'u9' }, {}] })).toEqual(['u9']);
  });
});
