/**
 * Step timings from GetProcessInstance details (test/fixtures), their compact stored form and its size.
 */
import type { ApprovalTiming } from '../../../approvals/stats/figures';
import { decodeTimings, encodeTimings, readTimings, rememberTimings, stepVisits, timingFromDetail, UNNAMED_STEP } from '../../../approvals/stats/timings';
import { ProcessInstance } from '../../../dingtalk/schemas/workflow';
import type { ProcessInstanceDetail } from '../../../dingtalk/workflow';
import { cacheKeys } from '../../../lib/cache-keys';
import { memoryStore } from '../../../lib/store';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../lib/time';
import completedBody from '../../fixtures/get-process-instance.json';
import runningBody from '../../fixtures/get-process-instance-running.json';

const completed: ProcessInstanceDetail = ProcessInstance.parse(completedBody.result);
const running: ProcessInstanceDetail = ProcessInstance.parse(runningBody.result);
const ms = Date.parse;

describe('timingFromDetail', () => {
  test('an approved expense claim: times, outcome, department, and each step named by its operation record', () => {
    expect(timingFromDetail('pi-1', completed)).toEqual({
      id: 'pi-1',
      submittedAt: ms('2026-11-20T02:15Z'),
      finishedAt: ms('2026-11-21T06:42Z'),
      outcome: 'approved',
      department: { id: '900000101', name: 'Sales 銷售部' },
      steps: [
        { step: 'Department Manager 部門主管', startedAt: ms('2026-11-20T02:15Z'), finishedAt: ms('2026-11-20T08:41Z') },
        { step: 'Finance Approver 財務審批', startedAt: ms('2026-11-20T08:41Z'), finishedAt: ms('2026-11-21T06:42Z') },
      ],
    });
  });

  test('a running approval keeps only its submission and department (its steps are not final)', () => {
    const timing = timingFromDetail('pi-2', running);
    expect(timing).toMatchObject({ id: 'pi-2', submittedAt: ms(running.createTime!), steps: [] });
    expect(timing?.outcome).toBeUndefined();
    expect(timing?.finishedAt).toBeUndefined();
  });

  test('no submission time, no timing', () => {
    expect(timingFromDetail('pi-3', { ...completed, createTime: null })).toBeUndefined();
  });
});

describe('stepVisits', () => {
  const task = (taskId: number, activityId: string | null, result: string, createTime: string, finishTime: string | null) => ({ taskId, activityId, result, status: 'COMPLETED', createTime, finishTime });
  const detail = (tasks: ReturnType<typeof task>[]): ProcessInstanceDetail => ({
    ...completed,
    operationRecords: [
      { type: 'EXECUTE_TASK_NORMAL', activityId: 'mgr', showName: 'Manager' },
      { type: 'EXECUTE_TASK_NORMAL', activityId: 'fin', showName: 'Finance' },
    ],
    tasks,
  });

  test('a transfer and parallel approvers make one visit; a step sent back to counts again', () => {
    const visits = stepVisits(
      detail([
        task(1, 'mgr', 'REDIRECTED', '2026-11-20T01:00Z', '2026-11-20T03:00Z'), // transferred after 2 h …
        task(2, 'mgr', 'AGREE', '2026-11-20T03:00Z', '2026-11-20T04:00Z'), // … and approved 1 h later: Manager 01:00–04:00
        task(3, 'fin', 'AGREE', '2026-11-20T04:00Z', '2026-11-20T05:00Z'), // AND-sign: two finance approvers
        task(4, 'fin', 'AGREE', '2026-11-20T04:00Z', '2026-11-20T06:30Z'), // Finance 04:00–06:30
        task(5, 'mgr', 'AGREE', '2026-11-21T00:00Z', '2026-11-21T02:00Z'), // back at Manager the next day
      ]),
    );
    expect(visits.map(({ step, startedAt, finishedAt }) => [step, (finishedAt - startedAt) / HOUR_MS])).toEqual([
      ['Manager', 3],
      ['Finance', 2.5],
      ['Manager', 2],
    ]);
  });

  test('tasks nobody acted on (cancelled OR-sign siblings, revoked, still running) are not dwell', () => {
    const visits = stepVisits(
      detail([
        task(1, 'mgr', 'AGREE', '2026-11-20T01:00Z', '2026-11-20T02:00Z'),
        { ...task(2, 'mgr', 'NONE', '2026-11-20T01:00Z', '2026-11-20T02:00Z'), status: 'CANCELED' },
        task(3, 'fin', 'AGREE', '2026-11-20T02:00Z', null),
      ]),
    );
    expect(visits).toEqual([{ step: 'Manager', startedAt: ms('2026-11-20T01:00Z'), finishedAt: ms('2026-11-20T02:00Z') }]);
  });

  test('a step without a named operation record is called by its activity id, or "Unnamed step"', () => {
    const visits = stepVisits(detail([task(1, 'act_9', 'AGREE', '2026-11-20T01:00Z', '2026-11-20T02:00Z'), task(2, null, 'REFUSE', '2026-11-20T02:00Z', '2026-11-20T03:00Z')]));
    expect(visits.map((visit) => visit.step)).toEqual(['act_9', UNNAMED_STEP]);
  });
});

/** A month of approvals like the sandbox's: DingTalk-length ids, two or three steps, Chinese and English names. */
function monthOfTimings(count: number, start: number): ApprovalTiming[] {
  const steps = ['Department Manager 部門主管', 'Finance Approver 財務審批', 'Director 總監'];
  const departments = [{ id: '900000101', name: 'Sales 銷售部' }, { id: '900000102', name: 'Operations 營運部' }, { id: '900000103', name: 'Finance 財務部' }];
  return Array.from({ length: count }, (_, i) => {
    const submittedAt = start + i * 2 * HOUR_MS + (i % 7) * 13 * MINUTE_MS;
    const stepCount = 2 + (i % 2);
    const visits = Array.from({ length: stepCount }, (__, s) => ({ step: steps[s]!, startedAt: submittedAt + s * 5 * HOUR_MS, finishedAt: submittedAt + (s + 1) * 5 * HOUR_MS - (i % 60) * MINUTE_MS }));
    return {
      id: `${String(i).padStart(4, '0')}nGvn3tSuSqWhT0N8GY2Gqg0196169995`,
      submittedAt,
      finishedAt: visits.at(-1)!.finishedAt,
      outcome: i % 20 === 0 ? 'revoked' : i % 7 === 0 ? 'rejected' : 'approved',
      department: departments[i % 3]!,
      steps: visits,
    } satisfies ApprovalTiming;
  });
}

describe('the stored form', () => {
  const start = ms('2026-11-01T00:00Z');

  test('round-trips at minute precision (DingTalk gives minutes)', () => {
    const timings = monthOfTimings(50, start);
    expect([...decodeTimings(JSON.parse(JSON.stringify(encodeTimings(timings)))).values()]).toEqual(timings);
  });

  test('size: about 100 bytes an approval with 2.5 steps (README §6)', () => {
    const bytes = (n: number) => Buffer.byteLength(JSON.stringify(encodeTimings(monthOfTimings(n, start))));
    // Measured 2026-11-29: 300 approvals 30.8 KB (103 bytes each; the 36-character id in quotes is 39 of them);
    // 8,900 (2,000 a week, kept 31 days) 0.9 MB.
    expect(bytes(300) / 300).toBeGreaterThan(80);
    expect(bytes(300) / 300).toBeLessThan(110);
    expect(bytes(8900) / 8900).toBeLessThan(110);
  });

  test('an unknown or missing stored value reads as no timings', () => {
    expect(decodeTimings(undefined).size).toBe(0);
    expect(decodeTimings({ v: 9 } as never).size).toBe(0);
  });

  test('rememberTimings adds to what is stored and drops finished approvals older than 31 days', async () => {
    const store = memoryStore();
    const [old, recent] = monthOfTimings(2, start);
    const now = recent!.finishedAt! + 31 * DAY_MS - HOUR_MS;
    await rememberTimings(store, 'PROC-1', [old!], now - 2 * DAY_MS);
    await rememberTimings(store, 'PROC-1', [recent!], now);
    expect([...(await readTimings(store, 'PROC-1')).keys()]).toEqual([recent!.id]);
    expect(store.data.has(cacheKeys.timings('PROC-1'))).toBe(true);
  });
});
