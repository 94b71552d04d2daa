/**
 * The statistics against a fixture of known durations, every expected figure worked out by hand below (H = hours
 * after the period's start; the period is 7 days, so it ends at H168).
 */
import { HOUR_MS } from '../../../lib/time';
import { figuresOf, median, percentile, statisticsOf, UNKNOWN_DEPARTMENT, type ApprovalTiming, type Outcome } from '../../../approvals/stats/figures';

const FROM = Date.parse('2026-11-16T00:00:00+08:00');
const PERIOD = { from: FROM, to: FROM + 168 * HOUR_MS };
const at = (h: number) => FROM + h * HOUR_MS;
const SALES = { id: '101', name: 'Sales' };
const OPS = { id: '102', name: 'Operations' };

function approval(id: string, department: { id: string; name: string } | undefined, submitted: number, finished?: [number, Outcome], steps: [string, number, number][] = []): ApprovalTiming {
  return {
    id,
    submittedAt: at(submitted),
    ...(finished ? { finishedAt: at(finished[0]), outcome: finished[1] } : {}),
    ...(department ? { department } : {}),
    steps: steps.map(([step, start, end]) => ({ step, startedAt: at(start), finishedAt: at(end) })),
  };
}

const FIXTURE: ApprovalTiming[] = [
  // Sales
  approval('a1', SALES, 0, [10, 'approved'], [['Manager', 0, 4], ['Finance', 4, 10]]), //  10 h
  approval('a2', SALES, 2, [62, 'rejected'], [['Manager', 2, 62]]), //                      60 h
  approval('a3', SALES, -24, [6, 'approved'], [['Manager', -24, -20], ['Finance', -20, 6]]), // 30 h, submitted before the period
  approval('a4', SALES, 5), //                                                              running
  // Operations
  approval('a5', OPS, 10, [14, 'approved'], [['Manager', 10, 12], ['Finance', 12, 14]]), //    4 h
  approval('a6', OPS, 20, [21, 'revoked']), //                                             withdrawn before anyone acted
  approval('a7', OPS, 30, [130, 'approved'], [['Manager', 30, 40], ['Finance', 40, 130]]), // 100 h
  approval('a8', OPS, 160, [170, 'approved'], [['Manager', 160, 170]]), //                  finished after the period
  approval('a9', OPS, -100), //                                                             running since before the period
  approval('a10', OPS, 170), //                                                             submitted after the period
  // Department not read yet (a running approval the ledger knows only by id)
  approval('a11', undefined, 100),
];

describe('statisticsOf, for the whole template', () => {
  const stats = statisticsOf(FIXTURE, PERIOD, 48);

  test('counts', () => {
    // submitted in [H0, H168): a1 a2 a4 a5 a6 a7 a8 a11 = 8 (a3 and a9 before, a10 after)
    // finished in the period: a1 a3 a5 a7 approved, a2 rejected, a6 revoked = 6 (a8 finished at H170)
    // still running, submitted before H168: a4 a9 a11 = 3 (a10 was submitted after the period)
    expect(stats).toMatchObject({ submitted: 8, approved: 4, rejected: 1, revoked: 1, finished: 6, still_running: 3 });
  });

  test('rates', () => {
    // 1 rejected ÷ 6 finished = 16.67 % → 16.7; 1 revoked ÷ 6 = 16.7
    expect(stats.rejection_rate_percent).toBe(16.7);
    expect(stats.revocation_rate_percent).toBe(16.7);
  });

  test('processing times over the approved and rejected ones', () => {
    // a1 10, a2 60, a3 30, a5 4, a7 100 → sorted 4 10 30 60 100 (a6 revoked is left out)
    // average 204 ÷ 5 = 40.8; median the 3rd = 30; p90 rank ceil(0.9 × 5) = 5 → 100
    // within 48 h: 4 10 30 = 3 of 5 = 60 %
    expect(stats).toMatchObject({ processing_hours_average: 40.8, processing_hours_median: 30, processing_hours_p90: 100, finished_within_target_percent: 60 });
  });

  test('step dwell, slowest first', () => {
    // Manager: a1 4, a2 60, a3 4, a5 2, a7 10 → 5 visits, 80 ÷ 5 = 16, max 60
    // Finance: a1 6, a3 26, a5 2, a7 90 → 4 visits, 124 ÷ 4 = 31, max 90 (a8 finished after the period: not counted)
    expect(stats.steps).toEqual([
      { step: 'Finance', visits: 4, average_hours: 31, max_hours: 90 },
      { step: 'Manager', visits: 5, average_hours: 16, max_hours: 60 },
    ]);
    expect([stats.slowest_step, stats.slowest_step_average_hours]).toEqual(['Finance', 31]);
  });

  test('a different target changes only the share within it', () => {
    // within 24 h: 4 10 = 2 of 5 = 40 %
    expect(statisticsOf(FIXTURE, PERIOD, 24)).toMatchObject({ finished_within_target_percent: 40, processing_hours_p90: 100 });
  });
});

describe('statisticsOf, per originator department', () => {
  const [operations, sales, unknown] = statisticsOf(FIXTURE, PERIOD, 48).departments;

  test('sorted by name, the unknown department last', () => {
    expect([operations?.department_name, sales?.department_name, unknown?.department_name]).toEqual(['Operations', 'Sales', UNKNOWN_DEPARTMENT]);
    expect([operations?.department_id, sales?.department_id, unknown?.department_id]).toEqual(['102', '101', null]);
  });

  test('Sales', () => {
    // submitted a1 a2 a4 = 3; finished a1 a3 approved, a2 rejected; running a4
    // rejection 1 ÷ 3 = 33.3 %, revocation 0 ÷ 3 = 0 %
    // processing 10 30 60: average 100 ÷ 3 = 33.33, median 30, p90 rank ceil(2.7) = 3 → 60, within 48 h 2 of 3 = 66.7 %
    // Manager 4 60 4 → 68 ÷ 3 = 22.67; Finance 6 26 → 16: Manager is the slowest
    expect(sales).toEqual({
      department_id: '101',
      department_name: 'Sales',
      submitted: 3,
      approved: 2,
      rejected: 1,
      revoked: 0,
      finished: 3,
      still_running: 1,
      rejection_rate_percent: 33.3,
      revocation_rate_percent: 0,
      processing_hours_average: 33.33,
      processing_hours_median: 30,
      processing_hours_p90: 60,
      finished_within_target_percent: 66.7,
      slowest_step: 'Manager',
      slowest_step_average_hours: 22.67,
    });
  });

  test('Operations', () => {
    // submitted a5 a6 a7 a8 = 4; finished a5 a7 approved, a6 revoked; running a9 (a10 submitted after the period)
    // rejection 0 %, revocation 1 ÷ 3 = 33.3 %
    // processing 4 100: average 52, median (4 + 100) ÷ 2 = 52, p90 rank ceil(1.8) = 2 → 100, within 48 h 1 of 2 = 50 %
    // Manager 2 10 → 6; Finance 2 90 → 46: Finance is the slowest
    expect(operations).toMatchObject({
      submitted: 4,
      approved: 2,
      rejected: 0,
      revoked: 1,
      finished: 3,
      still_running: 1,
      rejection_rate_percent: 0,
      revocation_rate_percent: 33.3,
      processing_hours_average: 52,
      processing_hours_median: 52,
      processing_hours_p90: 100,
      finished_within_target_percent: 50,
      slowest_step: 'Finance',
      slowest_step_average_hours: 46,
    });
  });

  test('a department with nothing finished has no rates or times, rather than zeros', () => {
    expect(unknown).toMatchObject({ submitted: 1, finished: 0, still_running: 1, rejection_rate_percent: null, processing_hours_average: null, processing_hours_p90: null, finished_within_target_percent: null, slowest_step: null });
  });
});

describe('the period is from inclusive, to exclusive', () => {
  test('an approval finished exactly at the start counts; one finished exactly at the end does not', () => {
    const edges = [approval('start', SALES, -50, [0, 'approved']), approval('end', SALES, 100, [168, 'rejected'])];
    // submitted: "end" at H100 = 1; finished: "start" at H0 = 1, processing 50 h
    expect(figuresOf(edges, PERIOD, 48)).toMatchObject({ submitted: 1, finished: 1, approved: 1, rejected: 0, still_running: 0, processing_hours_median: 50, finished_within_target_percent: 0 });
  });

  test('a processing time exactly at the target is within it', () => {
    expect(figuresOf([approval('x', SALES, 0, [48, 'approved'])], PERIOD, 48).finished_within_target_percent).toBe(100);
  });
});

describe('median and nearest-rank percentile', () => {
  test('median: the middle value, or the mean of the two middle ones', () => {
    expect(median([7, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  test('p90 is a real value that at least 90 % do not exceed', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 90)).toBe(9); // rank ceil(9) = 9: 9 of 10 are ≤ 9
    expect(percentile([...ten, 11], 90)).toBe(10); // rank ceil(9.9) = 10: 10 of 11 (90.9 %) are ≤ 10, 9 of 11 are only 81.8 %
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([], 90)).toBeNull();
  });
});
