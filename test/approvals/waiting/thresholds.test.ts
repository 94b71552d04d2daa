import { crossedTasks, deliveryId, dueAt, dueForCheck, watchFromDetail, type Watch } from '../../../approvals/waiting/thresholds';
import { HOUR_MS } from '../../../lib/time';
import type { ProcessInstanceDetail } from '../../../dingtalk/workflow';

const T0 = Date.parse('2026-11-23T01:00:00Z');
const at = (hours: number) => T0 + hours * HOUR_MS;
const api = (ms: number) => new Date(ms).toISOString().replace(/:\d{2}\.\d{3}Z$/, 'Z');

const TWO = 2 * HOUR_MS;
const DAY = 24 * HOUR_MS;

function detail(tasks: { taskId: number; userId: string; start: number; status?: string; result?: string; activityId?: string }[], status = 'RUNNING'): ProcessInstanceDetail {
  return {
    status,
    tasks: tasks.map(({ taskId, userId, start, status: taskStatus = 'RUNNING', result = 'NONE', activityId }) => ({
      taskId,
      userId,
      status: taskStatus,
      result,
      createTime: api(start),
      ...(activityId ? { activityId } : {}),
    })),
    operationRecords: [{ userId: 'lead', type: 'EXECUTE_TASK_NORMAL', result: 'AGREE', activityId: 'node-2', showName: 'Finance Review' }],
  } as ProcessInstanceDetail;
}

/**
 * One approval on a fake clock, checked exactly when the rules say, with the tasks DingTalk would show at each
 * moment. Returns the delivery ids in the order they first appear, and the checks (detail fetches) made.
 */
function simulate(thresholdMs: number, seenAt: number, tasksAt: (now: number) => ProcessInstanceDetail, until: number, stepMs = 15 * 60 * 1000) {
  let watch: Watch | undefined;
  const delivered: string[] = [];
  const checks: number[] = [];
  for (let now = seenAt; now <= until; now += stepMs) {
    if (dueForCheck([{ id: 'proc-1', seenAt }], watch ? { 'proc-1': watch } : {}, [thresholdMs], now, 10).length > 0) {
      watch = watchFromDetail(tasksAt(now), now);
      checks.push(now);
    }
    for (const task of watch ? crossedTasks(watch, thresholdMs) : []) {
      const id = deliveryId('proc-1', task.taskId, thresholdMs);
      if (!delivered.includes(id)) delivered.push(id);
    }
  }
  return { delivered, checks };
}

describe('waiting thresholds', () => {
  test('nothing fires, and nothing is fetched, before the threshold', () => {
    const { delivered, checks } = simulate(TWO, at(0), () => detail([{ taskId: 11, userId: 'manager', start: at(0) }]), at(1.75));
    expect(delivered).toEqual([]);
    expect(checks).toEqual([]);
  });

  test('a task waiting past 2 hours is delivered exactly once, with one fetch at seen time + 2 h', () => {
    const { delivered, checks } = simulate(TWO, at(0), () => detail([{ taskId: 11, userId: 'manager', start: at(0) }]), at(3.75));
    expect(delivered).toEqual(['proc-1:task-11:after-2h']);
    expect(checks).toEqual([at(2)]);
  });

  test('2 h and 24 h thresholds each deliver once; the 24 h check waits for the task start + 24 h', () => {
    const tasks = () => detail([{ taskId: 11, userId: 'manager', start: at(0) }]);
    const two = simulate(TWO, at(0), tasks, at(30));
    const day = simulate(DAY, at(0), tasks, at(30));
    expect(two.delivered).toEqual(['proc-1:task-11:after-2h']);
    expect(day.delivered).toEqual(['proc-1:task-11:after-24h']);
    expect(day.checks).toEqual([at(24)]);
  });

  test('a transferred task fires again, under the new task id, N after the transfer', () => {
    // Transfer at 24 h: task 11 ends REDIRECTED, task 12 (the manager's manager) starts.
    const tasksAt = (now: number) =>
      now < at(24.1)
        ? detail([{ taskId: 11, userId: 'manager', start: at(0) }])
        : detail([
            { taskId: 11, userId: 'manager', start: at(0), status: 'COMPLETED', result: 'REDIRECTED' },
            { taskId: 12, userId: 'director', start: at(24.1) },
          ]);
    const { delivered } = simulate(TWO, at(0), tasksAt, at(28));
    expect(delivered).toEqual(['proc-1:task-11:after-2h', 'proc-1:task-12:after-2h']);
  });

  test('the next step is a new task and fires again; a task finished before its threshold never fires', () => {
    const tasksAt = (now: number) =>
      now < at(1)
        ? detail([{ taskId: 11, userId: 'manager', start: at(0) }])
        : detail([
            { taskId: 11, userId: 'manager', start: at(0), status: 'COMPLETED', result: 'AGREE' },
            { taskId: 21, userId: 'finance', start: at(1), activityId: 'node-2' },
          ]);
    const { delivered } = simulate(TWO, at(0), tasksAt, at(5));
    expect(delivered).toEqual(['proc-1:task-21:after-2h']);
  });

  test('an approval seen late (ledger rebuilt) is checked at seen time + N and fires at once for an old task', () => {
    const { delivered, checks } = simulate(TWO, at(10), () => detail([{ taskId: 11, userId: 'manager', start: at(0) }]), at(13));
    expect(checks[0]).toBe(at(12));
    expect(delivered).toEqual(['proc-1:task-11:after-2h']);
  });

  test('after every task is confirmed, the next check is the last check + N (a new task starts after it)', () => {
    const watch: Watch = { checkedAt: at(3), tasks: [{ taskId: 11, userId: 'manager', startedAt: at(0) }] };
    expect(dueAt(at(0), watch, TWO)).toBe(at(5));
    expect(dueAt(at(0), watch, DAY)).toBe(at(24));
  });

  test('decimal thresholds keep their decimals in the id', () => {
    expect(deliveryId('proc-1', 7, 1.5 * HOUR_MS)).toBe('proc-1:task-7:after-1.5h');
  });

  test('the budget caps the fetches of one poll, most overdue first', () => {
    const running = [
      { id: 'a', seenAt: at(0) },
      { id: 'b', seenAt: at(-5) },
      { id: 'c', seenAt: at(-1) },
      { id: 'd', seenAt: at(1) },
    ];
    expect(dueForCheck(running, {}, [TWO], at(2.5), 2)).toEqual(['b', 'c']);
    expect(dueForCheck(running, {}, [TWO], at(2.5), 0)).toEqual([]);
  });

  test('one round serves every threshold on the template: an approval is due at the earliest of them', () => {
    const running = [{ id: 'a', seenAt: at(0) }];
    const confirmedForTwo: Watch = { checkedAt: at(3), tasks: [{ taskId: 1, userId: 'manager', startedAt: at(0) }] };
    // Confirmed past 2 h at 3 h: the 2-hour Zap's next check (a later task, 3 h + 2 h) comes before the 24-hour crossing.
    expect(dueForCheck(running, { a: confirmedForTwo }, [TWO, 24 * HOUR_MS], at(4.9), 5)).toEqual([]);
    expect(dueForCheck(running, { a: confirmedForTwo }, [TWO, 24 * HOUR_MS], at(5), 5)).toEqual(['a']);
    // With only the 24-hour Zap left, nothing is due before the task could cross 24 hours.
    expect(dueForCheck(running, { a: confirmedForTwo }, [24 * HOUR_MS], at(23.9), 5)).toEqual([]);
    expect(dueForCheck(running, { a: confirmedForTwo }, [24 * HOUR_MS], at(24), 5)).toEqual(['a']);
  });

  test('a check keeps only RUNNING tasks, with the step name an operation record on the same node gives', () => {
    const watch = watchFromDetail(
      detail([
        { taskId: 11, userId: 'manager', start: at(0), status: 'COMPLETED', result: 'AGREE' },
        { taskId: 21, userId: 'finance', start: at(1), activityId: 'node-2' },
      ]),
      at(4),
    );
    expect(watch).toEqual({ checkedAt: at(4), tasks: [{ taskId: 21, userId: 'finance', startedAt: at(1), activityId: 'node-2', stepName: 'Finance Review' }] });
    expect(watchFromDetail(detail([{ taskId: 11, userId: 'manager', start: at(0) }], 'COMPLETED'), at(4)).tasks).toEqual([]);
  });
});
