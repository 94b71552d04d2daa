/**
 * Approval Waiting Too Long and Transfer Approval Task through Zapier's test harness against the sandbox, on
 * simulated time: a 2-hour and a 24-hour Zap poll every 30 minutes while an expense claim waits for its approver;
 * the 24-hour Zap escalates with Transfer Approval Task to the approver's manager.
 */
import { Connection, EXPENSE, MINUTE, app, clock, costOf, e2eSuite, expenseForm, failure, people, type Delivered, type Row } from './harness';

const suite = e2eSuite();
const waiting = app.triggers.approval_waiting_too_long!.operation.perform;
const transfer = app.creates.transfer_approval_task!.operation.perform;
/** Zapier polls every 15 minutes or faster; half-hour rounds keep the test quick with the same rules. */
const POLL = 30 * MINUTE;
const HOUR = 60 * MINUTE;

/** A waiting Zap: Zapier's dedupe on `id`, seeded when turned on. */
function waitingZap(connection: Connection, hours: number) {
  const seen = new Set<string>();
  const inputData = { processCode: EXPENSE, hours: String(hours) };
  return {
    async turnOn() {
      for (const { id } of await connection.run<Delivered[]>(waiting, inputData, { isPopulatingDedupe: true })) seen.add(id);
    },
    async poll(): Promise<Delivered[]> {
      const fresh = (await connection.run<Delivered[]>(waiting, inputData)).filter((record) => !seen.has(record.id));
      for (const record of fresh) seen.add(record.id);
      return fresh;
    },
  };
}

test('2 h reminder, 24 h escalation to the manager, and a new 2 h wait for the manager: each once, hydrated for free', async () => {
  const { sandbox } = suite;
  // Refresh Interval is left on Auto. On Professional, Auto can pay for a refresh and a round of checks at every
  // 30-minute poll, so this story is about thresholds; test/approvals/waiting/budget.test.ts is about the budget.
  const connection = await new Connection(sandbox, { dingtalkEdition: 'professional' }).connect();
  const two = waitingZap(connection, 2);
  const day = waitingZap(connection, 24);
  await two.turnOn();
  await day.turnOn();
  const claim = await connection.startApproval(people.chan, expenseForm('Client lunch', [['Lunch', 380]]));
  const startedAt = clock.now();

  const fired: { zap: string; at: number; record: Delivered }[] = [];
  let transferred: Row | undefined;
  while (clock.now() < startedAt + 27 * HOUR) {
    clock.advance(POLL);
    for (const record of await two.poll()) if (record.approval_id === claim.id) fired.push({ zap: '2h', at: clock.now() - startedAt, record });
    for (const record of await day.poll()) {
      if (record.approval_id !== claim.id) continue;
      fired.push({ zap: '24h', at: clock.now() - startedAt, record });
      transferred = await connection.run<Row>(transfer, { processInstanceId: claim.id, taskId: record.task_id, target: 'manager', remark: 'Escalated after 24 hours 已逾24小時' });
    }
  }

  expect(fired.map(({ zap, record }) => `${zap}@${String(record.approver_user_id)}`)).toEqual([`2h@${people.lee}`, `24h@${people.lee}`, `2h@${people.director}`]);
  const [reminder, escalation, again] = fired;
  expect(reminder!.at).toBeGreaterThanOrEqual(2 * HOUR);
  expect(reminder!.at).toBeLessThanOrEqual(2 * HOUR + POLL);
  expect(escalation!.at).toBeGreaterThanOrEqual(24 * HOUR);
  expect(escalation!.at).toBeLessThanOrEqual(24 * HOUR + POLL);
  expect(again!.at - escalation!.at).toBeGreaterThanOrEqual(2 * HOUR);
  expect(reminder!.record).toMatchObject({
    id: `${claim.id}:task-${String(reminder!.record.task_id)}:after-2h`,
    status: 'RUNNING',
    outcome: 'pending',
    approver_name: '李偉文 Lee Wai Man',
    manager_user_id: people.director,
    manager_name: '吳美玲 Ng Mei Ling',
    threshold_hours: 2,
  });
  expect(reminder!.record.hours_waited).toBeGreaterThanOrEqual(2);
  expect(escalation!.record).toMatchObject({ threshold_hours: 24, task_id: reminder!.record.task_id });

  expect(transferred).toMatchObject({ id: claim.id, from_user_id: people.lee, to_user_id: people.director, transferred_task_id: escalation!.record.task_id, note: null });
  expect((transferred!.tasks as Row[]).map((task) => `${String(task.user_id)}:${String(task.status)}:${String(task.result)}`)).toEqual([
    `${people.lee}:COMPLETED:REDIRECTED`,
    `${people.director}:RUNNING:NONE`,
  ]);

  // Hydration uses the detail the check fetched: no metered call.
  const pointer = JSON.parse(String(again!.record.$HOIST$).replace(/^hydrate\|\|\|/, '').replace(/\|\|\|hydrate$/, '')) as { method: string; bundle: Row };
  expect(pointer.method).toBe('hydrators.waitingApproval');
  const hydrated = await costOf(sandbox, () => connection.run<Row>(app.hydrators.waitingApproval!, pointer.bundle));
  expect(hydrated.cost.metered).toBe(0);
  expect(hydrated.result).toMatchObject({ id: again!.record.id, title: claim.title, approval_id: claim.id, approver_user_id: people.director });
}, 60_000);

test('Transfer Approval Task checks before sending and never sends a second transfer on a rerun', async () => {
  const { sandbox } = suite;
  const connection = await new Connection(sandbox).connect();
  const claim = await connection.startApproval(people.wong, expenseForm('Taxi', [['Taxi', 120]]));
  const run = (inputData: Row) => connection.run<Row>(transfer, { processInstanceId: claim.id, ...inputData });

  const problems = await failure(run({ target: 'user', remark: 'x'.repeat(257) }));
  expect(problems.message).toContain('User is required when Transfer To is \\"A chosen user\\"');
  expect(problems.message).toContain('Remark is 257 characters long; DingTalk accepts at most 256');

  const same = await failure(run({ target: 'user', toUserId: people.lee }));
  expect(same.message).toContain('already holds this task');

  const { result: moved, cost } = await costOf(sandbox, () => run({ target: 'user', toUserId: people.director }));
  expect(moved).toMatchObject({ to_user_id: people.director, note: null });
  expect(cost.byEndpoint).toMatchObject({ GetProcessInstance: 2, RedirectWorkflowTask: 1 });

  // Zapier (or the user) replays the step with the original Task ID: success, nothing sent.
  const replay = await costOf(sandbox, () => run({ target: 'user', toUserId: people.director, taskId: moved.transferred_task_id }));
  expect(replay.result.note).toBe('This transfer was already in place; nothing was sent to DingTalk.');
  expect(replay.cost.byEndpoint.RedirectWorkflowTask).toBeUndefined();

  // A replay of the step as it was (no Task ID) finds the same transfer rather than moving the director's new task;
  // so does "to the approver's manager", since Lee's manager is the director: the replay of an escalation never
  // escalates twice.
  for (const inputData of [{ target: 'user', toUserId: people.director }, { target: 'manager' }]) {
    const again = await costOf(sandbox, () => run(inputData));
    expect(again.result).toMatchObject({ transferred_task_id: moved.transferred_task_id, from_user_id: people.lee, to_user_id: people.director });
    expect(again.result.note).toBe('This transfer was already in place; nothing was sent to DingTalk. To transfer the task again, map its Task ID.');
    expect(again.cost.byEndpoint.RedirectWorkflowTask).toBeUndefined();
  }

  // The director has no manager in the seeded organisation: the error says so and what to do.
  const noManager = await failure(run({ target: 'manager', approverUserId: people.director }));
  expect(noManager.message).toContain("has no manager set in DingTalk's contacts");
  expect(noManager.message).toContain('吳美玲 Ng Mei Ling');

  sandbox.org.act(claim.id, people.director, 'agree');
  const finished = await failure(run({ target: 'user', toUserId: people.lee }));
  expect(finished.message).toContain('This approval has no pending task');
  expect(finished.message).toContain('COMPLETED');
});
