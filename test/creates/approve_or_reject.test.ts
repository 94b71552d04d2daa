import nock from 'nock';
import { approvalRecord } from '../../approvals/record/record';
import { ProcessInstance } from '../../dingtalk/schemas/workflow';
import { answer, api, failure, TOKEN } from '../helpers';
import { APPROVER, appError, decided, fixedClock, ID, instance, NAMES, NOW, runCreate, TASK_ID, userDirectory } from './approval-actions';

const DETAIL = '/v1.0/workflow/processInstances';
const EXECUTE = '/v1.0/workflow/processInstances/execute';
const decide = (inputData: Record<string, unknown>, auth: Record<string, string> = {}) => runCreate('approve_or_reject', inputData, auth);

fixedClock();

describe('approve_or_reject', () => {
  test("approves the approver's running task and returns the refreshed record", async () => {
    const before = answer(api().get(DETAIL), instance());
    const executed = answer(api().post(EXECUTE), { result: true, success: true });
    const after = answer(api().get(DETAIL), decided('agree'));
    userDirectory();

    const record = await decide({ processInstanceId: ID, actionerUserId: APPROVER, result: 'agree', remark: 'Within budget 預算之內' });

    expect(before.map((r) => r.query)).toEqual([{ processInstanceId: ID }]);
    expect(executed).toEqual([
      {
        method: 'POST',
        path: EXECUTE,
        query: {},
        headers: expect.objectContaining({ 'x-acs-dingtalk-access-token': TOKEN }),
        body: { processInstanceId: ID, taskId: TASK_ID, actionerUserId: APPROVER, result: 'agree', remark: 'Within budget 預算之內' },
      },
    ]);
    expect(after.map((r) => r.query)).toEqual([{ processInstanceId: ID }]);
    // The record as DingTalk has it after the decision, not before; no template was given, so no template lookup.
    const expected = approvalRecord(ID, ProcessInstance.parse(decided('agree').result), {
      processCode: null,
      templateName: null,
      names: new Map(Object.entries(NAMES)),
      file: () => 'unused',
    });
    expect(record).toEqual({ ...JSON.parse(JSON.stringify(expected)), decision: 'agree', decided_by_user_id: APPROVER, decided_at: '2026-11-24T10:00:00+08:00', note: null });
    expect(record).toMatchObject({
      id: ID,
      status: 'COMPLETED',
      result: 'agree',
      outcome: 'approved',
      template_code: null,
      template_name: null,
      originator_name: 'Wong Ka Ming',
      finished_at: '2026-11-24T10:00:00+08:00',
      tasks: [{ task_id: TASK_ID, user_id: APPROVER, user_name: 'Lee Siu Fan', status: 'COMPLETED', result: 'AGREE', wait_minutes: 55 }],
    });
  });

  test('a reject without a remark sends no remark; a chosen template names the record', async () => {
    answer(api().get(DETAIL), instance());
    const executed = answer(api().post(EXECUTE), { result: false, success: true });
    answer(api().get(DETAIL), decided('refuse'));
    answer(api().get('/v1.0/workflow/processes/userVisibilities/templates'), { result: { processList: [{ name: 'Expense Claim 費用報銷', processCode: 'PROC-FAKE-EXPENSE-0001' }] } });
    userDirectory();

    const record = await decide({ processCode: 'PROC-FAKE-EXPENSE-0001', processInstanceId: ID, actionerUserId: APPROVER, result: 'refuse', remark: '' });

    expect(executed[0]!.body).toStrictEqual({ processInstanceId: ID, taskId: TASK_ID, actionerUserId: APPROVER, result: 'refuse' });
    expect(record).toMatchObject({ outcome: 'rejected', template_code: 'PROC-FAKE-EXPENSE-0001', template_name: 'Expense Claim 費用報銷' });
  });

  test('every input problem is listed at once and nothing is sent', async () => {
    const error = await failure(decide({ processInstanceId: '', actionerUserId: '', result: 'maybe', remark: 'r'.repeat(1100) }));
    expect(appError(error)).toEqual({
      message:
        'Approval is required; Approver is required; Decision must be agree (Approve) or refuse (Reject), not "maybe"; ' +
        'Remark is 1,100 characters long; DingTalk accepts at most 1,024.',
      code: 'InvalidInput',
      status: 400,
    });
  });

  test('no pending task for that user: a plain sentence, and nothing is executed', async () => {
    answer(api().get(DETAIL), instance());
    userDirectory();
    const error = await failure(decide({ processInstanceId: ID, actionerUserId: 'user-chan-0001', result: 'agree' }));
    expect(appError(error)).toEqual({
      message: 'Chan Tai Man (user-chan-0001) has no pending task on this approval; it may already be decided or assigned to someone else.',
      code: 'NoPendingTask',
      status: 400,
    });
  });

  test("the approver's task already decided: only a RUNNING task counts, and the finished status is named", async () => {
    answer(api().get(DETAIL), decided('agree'));
    userDirectory();
    const error = await failure(decide({ processInstanceId: ID, actionerUserId: APPROVER, result: 'refuse' }));
    expect(appError(error).message).toBe(
      "Lee Siu Fan (user-lee-0002) has no pending task on this approval; it may already be decided or assigned to someone else (the approval's status is COMPLETED).",
    );
  });

  test('a rerun after the same decision succeeds with the record as it is and sends nothing', async () => {
    const reads = answer(api().get(DETAIL), decided('agree'));
    userDirectory();
    const record = await decide({ processInstanceId: ID, actionerUserId: APPROVER, result: 'agree' });
    expect(reads).toHaveLength(1);
    expect(record).toMatchObject({
      id: ID,
      status: 'COMPLETED',
      outcome: 'approved',
      decision: 'agree',
      decided_by_user_id: APPROVER,
      decided_at: '2026-11-24T10:00:00+08:00',
      note: 'This decision was already in place; nothing was sent to DingTalk.',
    });
  });

  describe('a rerun when the same approver also holds a later step', () => {
    // Lee approved step 1 (task TASK_ID) at 09:50 Hong Kong time; Lee's task at a later step opened then.
    const LATER_TASK_ID = 70000000009;
    const laterStep = (decidedAt = '2026-11-24T01:50Z', result = 'AGREE') => {
      const [first] = instance().result.tasks as Record<string, unknown>[];
      const later = { ...first, taskId: LATER_TASK_ID, activityId: 'b2e1_9d4f', status: 'RUNNING', result: 'NONE', createTime: decidedAt };
      return instance({ tasks: [{ ...first, status: 'COMPLETED', result, finishTime: decidedAt }, later] });
    };
    /** Requests no interceptor answered: anything the step sent beyond what the test expects. */
    const unexpected: string[] = [];
    const noteUnexpected = (req: { method: string; path: string }) => unexpected.push(`${req.method} ${req.path}`);
    beforeEach(() => {
      unexpected.length = 0;
      nock.emitter.on('no match', noteUnexpected);
    });
    afterEach(() => {
      nock.emitter.removeListener('no match', noteUnexpected);
    });

    test('without a Task ID, the recent same decision is taken as this step\'s own: success, and the later task is not decided', async () => {
      const reads = answer(api().get(DETAIL), laterStep());
      userDirectory();

      const record = await decide({ processInstanceId: ID, actionerUserId: APPROVER, result: 'agree', remark: 'OK' });

      expect(reads).toHaveLength(1);
      expect(unexpected).toEqual([]);
      expect(record).toMatchObject({
        status: 'RUNNING',
        decision: 'agree',
        decided_by_user_id: APPROVER,
        decided_at: '2026-11-24T09:50:00+08:00',
        note:
          `This decision was already in place on the Approver's task ${TASK_ID}; nothing was sent to DingTalk. Their later task ${LATER_TASK_ID} is still pending ` +
          'and was left alone, as a replay of this step must not decide it; to decide it, map its Task ID.',
      });
    });

    test('with the later Task ID mapped, that task is decided', async () => {
      answer(api().get(DETAIL), laterStep());
      const executed = answer(api().post(EXECUTE), { result: true, success: true });
      answer(api().get(DETAIL), laterStep());
      userDirectory();

      const record = await decide({ processInstanceId: ID, actionerUserId: APPROVER, taskId: String(LATER_TASK_ID), result: 'agree', remark: 'OK' });

      expect(executed.map((r) => r.body)).toEqual([{ processInstanceId: ID, taskId: LATER_TASK_ID, actionerUserId: APPROVER, result: 'agree', remark: 'OK' }]);
      expect(record).toMatchObject({ decision: 'agree', decided_at: '2026-11-24T10:00:00+08:00', note: null });
    });

    test('a rerun of a step that mapped a Task ID finds that task decided and sends nothing', async () => {
      const reads = answer(api().get(DETAIL), laterStep());
      userDirectory();
      const record = await decide({ processInstanceId: ID, actionerUserId: APPROVER, taskId: TASK_ID, result: 'agree' });
      expect(reads).toHaveLength(1);
      expect(unexpected).toEqual([]);
      expect(record).toMatchObject({ decided_at: '2026-11-24T09:50:00+08:00', note: 'This decision was already in place; nothing was sent to DingTalk.' });
    });

    test('a decision older than a day, or a different decision, is not a rerun: the pending task is decided', async () => {
      answer(api().get(DETAIL), laterStep('2026-11-22T09:00Z'));
      const approved = answer(api().post(EXECUTE), { result: true, success: true });
      answer(api().get(DETAIL), laterStep('2026-11-22T09:00Z'));
      answer(api().get(DETAIL), laterStep());
      const rejected = answer(api().post(EXECUTE), { result: true, success: true });
      answer(api().get(DETAIL), decided('refuse'));
      userDirectory();

      await decide({ processInstanceId: ID, actionerUserId: APPROVER, result: 'agree' });
      await decide({ processInstanceId: ID, actionerUserId: APPROVER, result: 'refuse' });

      expect(approved.map((r) => r.body)).toEqual([{ processInstanceId: ID, taskId: LATER_TASK_ID, actionerUserId: APPROVER, result: 'agree' }]);
      expect(rejected.map((r) => r.body)).toEqual([{ processInstanceId: ID, taskId: LATER_TASK_ID, actionerUserId: APPROVER, result: 'refuse' }]);
    });

    test("another approver's Task ID, or one not in the approval, is refused before anything is sent", async () => {
      const other = laterStep();
      (other.result.tasks as Record<string, unknown>[])[1]!.userId = 'user-chan-0001';
      answer(api().get(DETAIL), other);
      answer(api().get(DETAIL), laterStep());
      userDirectory();

      const notTheirs = await failure(decide({ processInstanceId: ID, actionerUserId: APPROVER, taskId: LATER_TASK_ID, result: 'agree' }));
      const missing = await failure(decide({ processInstanceId: ID, actionerUserId: APPROVER, taskId: 123, result: 'agree' }));

      expect(appError(notTheirs)).toEqual({
        message: `Task ${LATER_TASK_ID} is Chan Tai Man (user-chan-0001)'s, not Lee Siu Fan (user-lee-0002)'s; DingTalk only lets a task's own approver decide it.`,
        code: 'NotTheApproversTask',
        status: 400,
      });
      expect(appError(missing)).toMatchObject({ message: 'Task 123 is not a task of this approval.', code: 'NoPendingTask' });
      expect(unexpected).toEqual([]);
    });

    test('a Task ID that is not a whole number is an input problem', async () => {
      const error = await failure(decide({ processInstanceId: ID, actionerUserId: APPROVER, taskId: '7e', result: 'agree' }));
      expect(appError(error).message).toBe('Task ID must be a whole number, not "7e".');
    });
  });

  test('a user DingTalk cannot name is named by id', async () => {
    answer(api().get(DETAIL), instance());
    userDirectory();
    const error = await failure(decide({ processInstanceId: ID, actionerUserId: 'user-gone-0009', result: 'agree' }));
    expect(appError(error).message).toBe('user-gone-0009 has no pending task on this approval; it may already be decided or assigned to someone else.');
  });

  test('a token about to expire is refreshed before anything is sent, so a rerun cannot meet a half-done action', async () => {
    const error = await failure(decide({ processInstanceId: ID, actionerUserId: APPROVER, result: 'agree' }, { accessTokenExpiresAt: String(NOW + 5 * 60 * 1000 + 20 * 1000) }));
    expect(error.name).toBe('RefreshAuthError');
  });

  test("internalError on execute gets the generic advice, not Revoke's template advice", async () => {
    answer(api().get(DETAIL), instance());
    answer(api().post(EXECUTE), { code: 'internalError', message: '系统内部异常', requestid: 'R6' }, 400);
    const error = await failure(decide({ processInstanceId: ID, actionerUserId: APPROVER, result: 'agree' }));
    expect(appError(error).message).toBe(
      'DingTalk had an internal error handling this request. Check the approval in DingTalk, then try again; if it keeps failing, give DingTalk support the request id. [DingTalk internalError: 系统内部异常, request id R6]',
    );
  });

  test("DingTalk's status error on execute becomes a sentence about this action", async () => {
    answer(api().get(DETAIL), instance());
    answer(api().post(EXECUTE), { code: 'aflowProcessInstStatusException', message: '审批单状态异常', requestid: 'R2' }, 400);
    const error = await failure(decide({ processInstanceId: ID, actionerUserId: APPROVER, result: 'agree' }));
    expect(appError(error).message).toBe(
      'The approval is no longer running, so its task cannot be approved or rejected. [DingTalk aflowProcessInstStatusException: 审批单状态异常, request id R2]',
    );
  });
});
