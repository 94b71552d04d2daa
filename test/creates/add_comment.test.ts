import { answer, api, failure, TOKEN } from '../helpers';
import { appError, fixedClock, ID, runCreate } from './approval-actions';

const PATH = '/v1.0/workflow/processInstances/comments';
const comment = (inputData: Record<string, unknown>) => runCreate('add_comment', inputData);

fixedClock();

describe('add_comment', () => {
  test('sends the comment as the chosen user and returns it', async () => {
    const received = answer(api().post(PATH), { result: true, success: true });
    const text = 'Receipts checked. 單據已核對，請財務跟進。';
    const result = await comment({ processInstanceId: ` ${ID} `, commentUserId: 'user-chan-0001', text });
    expect(received).toEqual([
      {
        method: 'POST',
        path: PATH,
        query: {},
        headers: expect.objectContaining({ 'x-acs-dingtalk-access-token': TOKEN, 'content-type': 'application/json' }),
        body: { processInstanceId: ID, text, commentUserId: 'user-chan-0001' },
      },
    ]);
    expect(result).toEqual({
      id: ID,
      approval_id: ID,
      comment: text,
      comment_user_id: 'user-chan-0001',
      commented_at: '2026-11-24T10:00:00+08:00',
    });
  });

  test('a comment of exactly 1,024 characters is sent', async () => {
    const received = answer(api().post(PATH), { result: true, success: true });
    const text = '審'.repeat(1024);
    await comment({ processInstanceId: ID, commentUserId: 'user-chan-0001', text });
    expect((received[0]!.body as { text: string }).text).toHaveLength(1024);
  });

  test('every problem is listed at once and nothing is sent', async () => {
    const error = await failure(comment({ processInstanceId: '', commentUserId: '  ', text: 'x'.repeat(1025) }));
    expect(appError(error)).toEqual({
      message: 'Approval is required; Commenting User is required; Text is 1,025 characters long; DingTalk accepts at most 1,024.',
      code: 'InvalidInput',
      status: 400,
    });
  });

  test('an empty comment is refused before DingTalk is called', async () => {
    const error = await failure(comment({ processInstanceId: ID, commentUserId: 'user-chan-0001' }));
    expect(appError(error).message).toBe('Text is required.');
  });

  test("DingTalk's refusal becomes a sentence; the call is made once", async () => {
    const received = answer(api().post(PATH), { code: 'aflowProcessInstCanNotBeExecuted', message: '审批状态异常，无法执行', requestid: 'R1' }, 400);
    const error = await failure(comment({ processInstanceId: ID, commentUserId: 'user-chan-0001', text: 'ok' }));
    expect(appError(error).message).toBe(
      'The approval task cannot be executed: it may already be finished or belong to someone else. [DingTalk aflowProcessInstCanNotBeExecuted: 审批状态异常，无法执行, request id R1]',
    );
    expect(received).toHaveLength(1);
  });

  test('result false is an error, not a success', async () => {
    answer(api().post(PATH), { result: false, success: true });
    const error = await failure(comment({ processInstanceId: ID, commentUserId: 'user-chan-0001', text: 'ok' }));
    expect(appError(error)).toMatchObject({ code: 'CommentNotAdded', message: expect.stringContaining('the comment was not added') });
  });
});
