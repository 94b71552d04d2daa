/**
 * Approve or Reject and Revoke after DingTalk accepted the write: whatever happens to the read-back (HTTP 500,
 * throttling, a network timeout, or no answer before the action's deadline), the step succeeds with what it
 * knows, and DingTalk receives exactly one read, one write and one read-back attempt: nothing is retried.
 */
import nock from 'nock';
import { actionTiming } from '../../lib/deadline';
import { answer, api, type Received } from '../helpers';
import { APPROVER, fixedClock, ID, instance, ORIGINATOR, runCreate, TASK_ID } from '../creates/approval-actions';

const DETAIL = '/v1.0/workflow/processInstances';
const EXECUTE = '/v1.0/workflow/processInstances/execute';
const TERMINATE = '/v1.0/workflow/processInstances/terminate';
const NOW_ISO = '2026-11-24T10:00:00+08:00';

fixedClock();

/** Notes each request as it arrives, before any reply (or error) is sent. */
function arrivals(scope: nock.Scope, reads: Received[]): void {
  scope.on('request', (req: { method: string; path: string }) => reads.push({ method: req.method, path: req.path, query: {}, headers: {}, body: '' }));
}

/** Each way a read-back can fail; `reads` records what DingTalk received. */
const failures: Record<string, (reads: Received[]) => void> = {
  'HTTP 500 with an HTML page': (reads) => answer(api().get(DETAIL), '<html><body>502 Bad Gateway</body></html>', 500, reads),
  throttling: (reads) => answer(api().get(DETAIL), { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: '调用频率超限', requestid: 'R7' }, 403, reads),
  // A timeout from the socket: nock raises the error Node would.
  'a network timeout': (reads) =>
    arrivals(api().get(DETAIL).query(true).replyWithError(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })), reads),
  // DingTalk answers, but only after the action's deadline (lowered here from 25 s).
  'no answer before the deadline': (reads) => {
    jest.replaceProperty(actionTiming, 'budgetMs', 300);
    arrivals(api().get(DETAIL).query(true).delay(2000).reply(200, instance()), reads);
  },
};
afterEach(() => jest.restoreAllMocks());

describe.each(Object.entries(failures))('the read-back fails with %s', (_kind, failReadBack) => {
  test('Approve still succeeds with the decision, its time and the task as decided', async () => {
    const before = answer(api().get(DETAIL), instance());
    const executed = answer(api().post(EXECUTE), { result: true, success: true });
    const readBack: Received[] = [];
    failReadBack(readBack);

    const record = await runCreate('approve_or_reject', { processInstanceId: ID, actionerUserId: APPROVER, result: 'agree' });

    expect(before).toHaveLength(1);
    expect(executed.map((r) => r.body)).toEqual([{ processInstanceId: ID, taskId: TASK_ID, actionerUserId: APPROVER, result: 'agree' }]);
    expect(readBack).toHaveLength(1);
    expect(record).toMatchObject({
      id: ID,
      decision: 'agree',
      decided_by_user_id: APPROVER,
      decided_at: NOW_ISO,
      // More approvers may follow an approve: the approval's status is not guessed.
      status: null,
      outcome: null,
      originator_user_id: ORIGINATOR,
      tasks: [{ task_id: TASK_ID, user_id: APPROVER, status: 'COMPLETED', result: 'AGREE', finished_at: NOW_ISO }],
      note: expect.stringMatching(/^DingTalk accepted the decision \(Approve\), but reading the approval back failed \(.+\)\. The other fields show what this step knows/),
    });
    expect(JSON.stringify(record)).not.toContain('<html>');
  });

  test('Reject still succeeds, and the approval is known to be rejected', async () => {
    answer(api().get(DETAIL), instance());
    answer(api().post(EXECUTE), { result: true, success: true });
    const readBack: Received[] = [];
    failReadBack(readBack);

    const record = await runCreate('approve_or_reject', { processInstanceId: ID, actionerUserId: APPROVER, result: 'refuse' });

    expect(readBack).toHaveLength(1);
    expect(record).toMatchObject({ id: ID, decision: 'refuse', decided_at: NOW_ISO, status: 'COMPLETED', result: 'refuse', outcome: 'rejected', finished_at: NOW_ISO });
  });

  test('Revoke still succeeds with the approval known as revoked', async () => {
    answer(api().get(DETAIL), instance());
    const terminated = answer(api().post(TERMINATE), { result: true, success: true });
    const readBack: Received[] = [];
    failReadBack(readBack);

    const record = await runCreate('revoke_approval', { processInstanceId: ID, operatingUserId: ORIGINATOR });

    expect(terminated.map((r) => r.body)).toEqual([{ processInstanceId: ID, isSystem: false, operatingUserId: ORIGINATOR }]);
    expect(readBack).toHaveLength(1);
    expect(record).toMatchObject({
      id: ID,
      status: 'TERMINATED',
      outcome: 'revoked',
      finished_at: NOW_ISO,
      revoked_by_user_id: ORIGINATOR,
      revoked_at: NOW_ISO,
      tasks: [],
      note: expect.stringMatching(/^DingTalk revoked the approval, but reading the approval back failed/),
    });
  });
});

test('the note names the reason: here, the deadline', async () => {
  answer(api().get(DETAIL), instance());
  answer(api().post(EXECUTE), { result: true, success: true });
  failures['no answer before the deadline']!([]);
  const record = await runCreate('approve_or_reject', { processInstanceId: ID, actionerUserId: APPROVER, result: 'agree' });
  expect(record.note).toContain('(DingTalk did not answer in time)');
  nock.abortPendingRequests();
});
