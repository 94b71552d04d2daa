import { approvalRecord } from '../../approvals/record/record';
import { revokeWaitSeconds } from '../../creates/revoke_approval';
import { ProcessInstance } from '../../dingtalk/schemas/workflow';
import { answer, api, failure, TOKEN } from '../helpers';
import { appError, fixedClock, ID, instance, NAMES, ORIGINATOR, runCreate, userDirectory } from './approval-actions';

const DETAIL = '/v1.0/workflow/processInstances';
const TERMINATE = '/v1.0/workflow/processInstances/terminate';
const revoke = (inputData: Record<string, unknown>) => runCreate('revoke_approval', inputData);
const revoked = () => instance({ status: 'TERMINATED', finishTime: '2026-11-24T02:00Z', tasks: [] });
const REVOKE_NOT_ALLOWED = "The approval's template does not let submitters revoke approvals in progress.";

describe('revoke_approval', () => {
  fixedClock();

  test('revokes as the originator and returns the refreshed record', async () => {
    const before = answer(api().get(DETAIL), instance());
    const terminated = answer(api().post(TERMINATE), { result: true, success: true });
    answer(api().get(DETAIL), revoked());
    userDirectory();

    const record = await revoke({ processInstanceId: ID, operatingUserId: ORIGINATOR, remark: 'Submitted twice 重複提交' });

    expect(before).toHaveLength(1);
    expect(terminated).toEqual([
      {
        method: 'POST',
        path: TERMINATE,
        query: {},
        headers: expect.objectContaining({ 'x-acs-dingtalk-access-token': TOKEN }),
        body: { processInstanceId: ID, isSystem: false, operatingUserId: ORIGINATOR, remark: 'Submitted twice 重複提交' },
      },
    ]);
    const expected = approvalRecord(ID, ProcessInstance.parse(revoked().result), { processCode: null, templateName: null, names: new Map(Object.entries(NAMES)), file: () => 'unused' });
    expect(record).toEqual({ ...JSON.parse(JSON.stringify(expected)), revoked_by_user_id: ORIGINATOR, revoked_at: '2026-11-24T10:00:00+08:00', note: null });
    expect(record).toMatchObject({ id: ID, status: 'TERMINATED', outcome: 'revoked', originator_name: 'Wong Ka Ming', finished_at: '2026-11-24T10:00:00+08:00', tasks: [] });
  });

  test('without a remark, none is sent', async () => {
    answer(api().get(DETAIL), instance());
    const terminated = answer(api().post(TERMINATE), { result: true, success: true });
    answer(api().get(DETAIL), revoked());
    userDirectory();
    await revoke({ processInstanceId: ID, operatingUserId: ORIGINATOR });
    expect(terminated[0]!.body).toStrictEqual({ processInstanceId: ID, isSystem: false, operatingUserId: ORIGINATOR });
  });

  test('every input problem is listed at once and nothing is sent', async () => {
    const error = await failure(revoke({ processInstanceId: ' ', operatingUserId: '', remark: '撤'.repeat(1025) }));
    expect(appError(error)).toEqual({
      message: 'Approval is required; Originator is required; Remark is 1,025 characters long; DingTalk accepts at most 1,024.',
      code: 'InvalidInput',
      status: 400,
    });
  });

  test('someone other than the originator is told who can revoke it; nothing is sent', async () => {
    answer(api().get(DETAIL), instance());
    userDirectory();
    const error = await failure(revoke({ processInstanceId: ID, operatingUserId: 'user-chan-0001' }));
    expect(appError(error)).toEqual({
      message: 'Chan Tai Man (user-chan-0001) did not submit this approval; DingTalk only lets its originator, Wong Ka Ming (user-wong-0003), revoke it.',
      code: 'CannotRevoke',
      status: 400,
    });
  });

  test('a finished approval and a wrong originator are reported together', async () => {
    answer(api().get(DETAIL), instance({ status: 'COMPLETED', result: 'refuse' }));
    userDirectory();
    const error = await failure(revoke({ processInstanceId: ID, operatingUserId: 'user-chan-0001' }));
    expect(appError(error).message).toBe(
      'Only running approvals can be revoked; this one has already finished as rejected; ' +
        'Chan Tai Man (user-chan-0001) did not submit this approval; DingTalk only lets its originator, Wong Ka Ming (user-wong-0003), revoke it.',
    );
  });

  test('a rerun after the originator revoked it succeeds and sends nothing', async () => {
    const reads = answer(api().get(DETAIL), revoked());
    userDirectory();
    const record = await revoke({ processInstanceId: ID, operatingUserId: ORIGINATOR });
    expect(reads).toHaveLength(1);
    expect(record).toMatchObject({
      id: ID,
      status: 'TERMINATED',
      outcome: 'revoked',
      revoked_by_user_id: ORIGINATOR,
      revoked_at: '2026-11-24T10:00:00+08:00',
      note: 'The approval was already revoked by its originator; nothing was sent to DingTalk.',
    });
  });

  test('an approval revoked by someone else is still refused', async () => {
    answer(api().get(DETAIL), revoked());
    userDirectory();
    const error = await failure(revoke({ processInstanceId: ID, operatingUserId: 'user-chan-0001' }));
    expect(appError(error).message).toBe(
      'Only running approvals can be revoked; this one was already revoked; Chan Tai Man (user-chan-0001) did not submit this approval; DingTalk only lets its originator, Wong Ka Ming (user-wong-0003), revoke it.',
    );
  });

  test('the template does not allow revoking (internalError, per revoke-an-approval-instance): says where to turn it on', async () => {
    answer(api().get(DETAIL), instance());
    const terminated = answer(api().post(TERMINATE), { code: 'internalError', message: '您没有任务处理的权限', requestid: 'R3' }, 400);
    const error = await failure(revoke({ processInstanceId: ID, operatingUserId: ORIGINATOR }));
    expect(appError(error).message).toMatch(new RegExp(`^${REVOKE_NOT_ALLOWED.replace(/[.()]/g, '\\$&')}`));
    expect(appError(error).message).toContain('允许提交人撤销审批中的审批单');
    expect(appError(error).message).toContain('[DingTalk internalError: 您没有任务处理的权限, request id R3]');
    expect(terminated).toHaveLength(1);
  });

  test('the same setting reported as errcode 820008 gets the same advice', async () => {
    answer(api().get(DETAIL), instance());
    answer(api().post(TERMINATE), { errcode: 820008, success: false, errmsg: '审批系统错误' });
    const error = await failure(revoke({ processInstanceId: ID, operatingUserId: ORIGINATOR }));
    expect(appError(error).message.startsWith(REVOKE_NOT_ALLOWED)).toBe(true);
  });

  test('result false is an error, not a success', async () => {
    answer(api().get(DETAIL), instance());
    answer(api().post(TERMINATE), { result: false, success: false });
    const error = await failure(revoke({ processInstanceId: ID, operatingUserId: ORIGINATOR }));
    expect(appError(error).code).toBe('NotRevoked');
  });
});

describe('revoke_approval within 15 seconds of the start', () => {
  // createTime with seconds: started 01:05:10 UTC; it is now 01:05:17.
  fixedClock(Date.parse('2026-11-24T01:05:17Z'));

  test('is refused with the exact wait, and nothing is sent', async () => {
    answer(api().get(DETAIL), instance({ createTime: '2026-11-24T01:05:10Z' }));
    const error = await failure(revoke({ processInstanceId: ID, operatingUserId: ORIGINATOR }));
    expect(appError(error)).toEqual({
      message: 'DingTalk does not allow revoking an approval within 15 seconds of its start. Wait 8 seconds and try again.',
      code: 'CannotRevoke',
      status: 400,
    });
  });

  test("DingTalk's own refusal in the uncertain minute is explained", async () => {
    // Minute precision: 01:05 may mean 01:05:00 (17 s ago, allowed) or later (too early); DingTalk decides.
    answer(api().get(DETAIL), instance({ createTime: '2026-11-24T01:05Z' }));
    answer(api().post(TERMINATE), { code: 'aflowProcessInstStatusException', message: '提交审批单后15秒内不能进行撤回', requestid: 'R4' }, 400);
    const error = await failure(revoke({ processInstanceId: ID, operatingUserId: ORIGINATOR }));
    expect(appError(error).message).toMatch(/^DingTalk refused to revoke the approval: it is no longer running, or it was started less than 15 seconds ago\./);
  });
});

describe('revokeWaitSeconds', () => {
  const at = (iso: string) => Date.parse(iso);
  test.each([
    ['2026-11-24T01:05:10Z', '2026-11-24T01:05:17Z', 8],
    ['2026-11-24T01:05:10Z', '2026-11-24T01:05:24.500Z', 1],
    ['2026-11-24T01:05:10Z', '2026-11-24T01:05:25Z', undefined],
    // Minute precision: the start may be as late as now, so a full 15 s is the wait that is certainly enough.
    ['2026-11-24T01:05Z', '2026-11-24T01:05:05Z', 15],
    ['2026-11-24T01:05Z', '2026-11-24T01:05:15Z', undefined],
    [null, '2026-11-24T01:05:15Z', undefined],
  ])('created %s, now %s: wait %s', (created, now, wait) => {
    expect(revokeWaitSeconds(created, at(now))).toBe(wait);
  });
});
