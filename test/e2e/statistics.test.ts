/**
 * Find Approval Statistics against the sandbox over HTTP: a working day of expense claims watched by an Approval
 * Finished Zap, then the statistics read from the ledger (no metered call) and, on a connection with no trigger,
 * from a bounded scan whose cost is what the record says it spent.
 *
 * The day (Hong Kong time, 2026-11-25; the Zap is turned on at 10:00):
 *   10:05 A  Chan, HK$480      Manager approves 12:05                       → approved after 2 h (Manager 2 h)
 *   10:06 B  Wong, HK$6,480    Manager approves 13:06, Director 18:06       → approved after 8 h (Manager 3 h, Director 5 h)
 *   10:07 C  Chan, HK$300      Manager refuses 13:07                        → rejected after 3 h (Manager 3 h)
 *   18:20 D  Wong, HK$120      still running
 * The sandbox's own running claim (submitted two days earlier) is still running too.
 */
import { Connection, EXPENSE, MINUTE, Zap, app, clock, costOf, e2eSuite, expenseForm, people, type Row } from './harness';

const suite = e2eSuite();
const HOUR = 60 * MINUTE;
const search = app.searches.find_approval_statistics!.operation.perform;
const INPUT = { processCode: EXPENSE, period: 'custom', from: '2026-11-25 10:01', to: '2026-11-25 18:40', targetHours: '4' };

/** Hand-computed from the day above. */
const TEMPLATE_FIGURES = {
  period_start: '2026-11-25T10:01:00+08:00',
  period_end: '2026-11-25T18:40:00+08:00',
  target_hours: 4,
  submitted: 4, // A B C D
  approved: 2,
  rejected: 1,
  revoked: 0,
  finished: 3,
  still_running: 2, // D and the sandbox's own claim
  rejection_rate_percent: 33.3, // 1 of 3
  revocation_rate_percent: 0,
  processing_hours_average: 4.33, // (2 + 8 + 3) ÷ 3
  processing_hours_median: 3, // the middle of 2 3 8
  processing_hours_p90: 8, // rank ceil(0.9 × 3) = 3 of 2 3 8
  finished_within_target_percent: 66.7, // A and C within 4 h: 2 of 3
  slowest_step: 'Director 董事',
  slowest_step_average_hours: 5,
  steps: [
    { step: 'Director 董事', visits: 1, average_hours: 5, max_hours: 5 },
    { step: 'Department Manager 部門主管', visits: 3, average_hours: 2.67, max_hours: 3 }, // (2 + 3 + 3) ÷ 3
  ],
};

test('a day of claims: from the ledger for no metered call, and from a bounded scan that costs what it says', async () => {
  const { sandbox } = suite;
  const watched = await new Connection(sandbox).connect();
  const zap = await new Zap(watched, 'approval_finished').turnOn();

  clock.advance(5 * MINUTE);
  const a = await watched.startApproval(people.chan, expenseForm('Client lunch', [['Lunch', 480]]));
  clock.advance(MINUTE);
  const b = await watched.startApproval(people.wong, expenseForm('Trade fair booth', [['Booth', 4280], ['Banners', 2200]]));
  clock.advance(MINUTE);
  const c = await watched.startApproval(people.chan, expenseForm('Taxi', [['Taxi to airport', 300]]));

  clock.advance(2 * HOUR - 2 * MINUTE); // 12:05
  sandbox.org.act(a.id, people.lee, 'agree');
  clock.advance(HOUR + MINUTE); // 13:06
  sandbox.org.act(b.id, people.lee, 'agree');
  clock.advance(MINUTE); // 13:07
  sandbox.org.act(c.id, people.lee, 'refuse', 'Taxis are not claimable.');
  clock.advance(8 * MINUTE); // 13:15
  await zap.poll();
  clock.advance(4 * HOUR + 51 * MINUTE); // 18:06
  sandbox.org.act(b.id, people.director, 'agree');
  clock.advance(9 * MINUTE); // 18:15
  await zap.poll();
  clock.advance(5 * MINUTE); // 18:20
  const d = await watched.startApproval(people.wong, expenseForm('Stationery', [['Notebooks', 120]]));
  clock.advance(10 * MINUTE); // 18:30
  await zap.poll();
  expect(zap.fired.map((record) => record.id).sort()).toEqual([a.id, b.id, c.id].sort());

  clock.advance(10 * MINUTE); // 18:40
  const fromLedger = await costOf(sandbox, () => watched.run<Row[]>(search, INPUT));
  expect(fromLedger.cost.metered).toBe(0);
  expect(fromLedger.result).toHaveLength(1);
  const ledgerRecord = fromLedger.result[0]!;
  expect(ledgerRecord).toMatchObject({ ...TEMPLATE_FIGURES, source: 'ledger', metered_calls: 0, data_as_of: '2026-11-25T18:30:00+08:00', template_code: EXPENSE });
  expect(ledgerRecord.id).toBe(`${EXPENSE}:2026-11-25T10:01:00+08:00/2026-11-25T18:40:00+08:00`);
  // D and the sandbox's claim were only seen in the running list: the ledger path never fetches a running approval
  // for its department, so they are counted under a department not known yet.
  const departments = ledgerRecord.departments as Row[];
  expect(departments.at(-1)).toMatchObject({ department_id: null, department_name: 'Not known yet (still running, details not read)', submitted: 1, still_running: 2, finished: 0 });
  expect(departments.reduce((sum, department) => sum + (department.submitted as number), 0)).toBe(4);
  expect(departments.reduce((sum, department) => sum + (department.finished as number), 0)).toBe(3);
  expect(departments.find((department) => department.department_name === 'Sales 銷售部')).toMatchObject({ approved: expect.any(Number), rejected: 1 });
  void d;

  // Another connection, with no trigger: a scan. 2 list calls (running, and the period) + 5 details (A B C D and
  // the sandbox's running claim).
  const unwatched = await new Connection(sandbox).connect();
  const scanned = await costOf(sandbox, () => unwatched.run<Row[]>(search, INPUT));
  expect(scanned.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 2, GetProcessInstance: 5 });
  expect(scanned.result[0]).toMatchObject({ ...TEMPLATE_FIGURES, source: 'scan', metered_calls: 7 });
  expect(scanned.result[0]!.source_note).toMatch(/^Read from DingTalk because no approval trigger watches this template/);
  // Every running approval's department is read in a scan.
  expect((scanned.result[0]!.departments as Row[]).every((department) => department.department_id !== null)).toBe(true);

  // Run again: the details read the first time were kept, so only the two list calls are spent.
  const again = await costOf(sandbox, () => unwatched.run<Row[]>(search, INPUT));
  expect(again.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 2 });
  expect(again.result[0]).toMatchObject({ ...TEMPLATE_FIGURES, metered_calls: 2 });
});

test('bad input is refused before anything is sent, every problem at once', async () => {
  const connection = await new Connection(suite.sandbox).connect();
  const attempt = costOf(suite.sandbox, () =>
    connection.run(search, { processCode: EXPENSE, period: 'custom', from: '2026-02-30', to: 'next week', targetHours: '-1' }),
  );
  const error = await attempt.then(() => undefined, (thrown: Error) => thrown);
  const message = JSON.parse(error!.message) as { message: string; code: string };
  expect(message).toEqual({
    message:
      'From "2026-02-30" is not a real date (write it like 2026-11-24, 2026-11-24 14:30, 2026-11-24T14:30:00+08:00 or 24/11/2026 (day first)); ' +
      'To "next week" is not a date (write it like 2026-11-24, 2026-11-24 14:30, 2026-11-24T14:30:00+08:00 or 24/11/2026 (day first)); ' +
      'Target (Hours) must be a number of hours above 0 and at most 8,760, like 48 or 4.5.',
    code: 'InvalidInput',
    status: 400,
  });
});
