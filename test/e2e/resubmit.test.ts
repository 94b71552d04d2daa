/**
 * Reject, edit and resubmit: an expense claim is rejected, the employee corrects it and submits it again (DingTalk
 * has no edit: a resubmission is a new approval), and the corrected claim is approved. Each Zap runs once per
 * event, for the right approval, and the approved record carries the corrected form values.
 */
import { Connection, MINUTE, Zap, clock, costOf, e2eSuite, ids, people, type Row } from './harness';

const suite = e2eSuite();

/** What the expense form in another app sends; the first submission claims the wine and files it under Meals. */
const firstClaim = {
  form__TextField_EXP01: 'Client dinner with Harbour Logistics 與港灣物流晚宴',
  form__DDSelectField_EXP02: 'Meals',
  form__DDDateField_EXP03: '2026-11-24',
  form__MoneyField_EXP04: '6480.50',
  form__TableField_EXP05: [
    { TextField_EXP05A: 'Dinner for 6, Lung King Heen', DDDateField_EXP05B: '2026-11-24', MoneyField_EXP05C: '4280.50' },
    { TextField_EXP05A: 'Wine', DDDateField_EXP05B: '2026-11-24', MoneyField_EXP05C: '2200' },
  ],
};

test('a rejected claim, edited and resubmitted, then approved: each Zap runs once, for the right approval', async () => {
  const { sandbox } = suite;
  const connection = await new Connection(sandbox).connect();
  const submitted = await new Zap(connection, 'new_approval').turnOn();
  const approved = await new Zap(connection, 'approval_approved').turnOn();
  const rejected = await new Zap(connection, 'approval_rejected').turnOn();
  const poll = async () => ({ submitted: ids(await submitted.poll()), approved: ids(await approved.poll()), rejected: ids(await rejected.poll()) });

  // 10:05 the first claim: over HK$5,000, so it would need the Director too.
  clock.advance(5 * MINUTE);
  const first = await connection.startApproval(people.chan, firstClaim);
  expect(first).toMatchObject({ status: 'RUNNING', form__Total_Amount_HKD_總金額: 6480.5 });
  clock.advance(10 * MINUTE);
  expect(await poll()).toEqual({ submitted: [first.id], approved: [], rejected: [] });

  // 10:20 the manager rejects it through Approve or Reject Approval.
  clock.advance(5 * MINUTE);
  const refused = await connection.decide(first.id, people.lee, 'refuse', 'Wine is not claimable, and a client dinner is Client Entertainment. Please resubmit.');
  expect(refused).toMatchObject({ status: 'COMPLETED', result: 'refuse', outcome: 'rejected' });
  clock.advance(10 * MINUTE);
  expect(await poll()).toEqual({ submitted: [], approved: [], rejected: [first.id] });

  // The rejection, as the rejected Zap's next step sees it: hydrated from the detail the poll cached, for free.
  const rejection = await costOf(sandbox, () => connection.hydrate(first.id));
  expect(rejection.cost.metered).toBe(0);
  expect(rejection.result).toMatchObject({ id: first.id, outcome: 'rejected', originator_user_id: people.chan });
  const remark = (rejection.result.operations as Row[]).find((op) => op.result === 'REFUSE');
  expect(remark).toMatchObject({ user_id: people.lee, user_name: '李偉文 Lee Wai Man', remark: expect.stringContaining('Please resubmit') });

  // 10:35 the employee resubmits with the corrected values: a new approval.
  clock.advance(5 * MINUTE);
  const corrected = {
    ...firstClaim,
    form__TextField_EXP01: 'Client dinner with Harbour Logistics 與港灣物流晚宴 (resubmitted)',
    form__DDSelectField_EXP02: 'Client Entertainment',
    form__MoneyField_EXP04: '4280.50',
    form__TableField_EXP05: [firstClaim.form__TableField_EXP05[0]],
    form__TextareaField_EXP07: `Resubmission of ${String(first.business_id)}: wine removed.`,
  };
  const second = await connection.startApproval(people.chan, corrected);
  expect(second.id).not.toBe(first.id);
  // Under HK$5,000 now: the manager alone approves.
  expect(second.tasks).toEqual([expect.objectContaining({ user_id: people.lee, status: 'RUNNING' })]);
  clock.advance(10 * MINUTE);
  expect(await poll()).toEqual({ submitted: [second.id], approved: [], rejected: [] });

  // 10:50 approved.
  clock.advance(5 * MINUTE);
  const agreed = await connection.decide(second.id, people.lee, 'agree', 'OK now.');
  expect(agreed).toMatchObject({ status: 'COMPLETED', outcome: 'approved' });
  clock.advance(10 * MINUTE);
  expect(await poll()).toEqual({ submitted: [], approved: [second.id], rejected: [] });

  // Quiet afterwards.
  clock.advance(15 * MINUTE);
  expect(await poll()).toEqual({ submitted: [], approved: [], rejected: [] });
  expect(ids(submitted.fired)).toEqual([first.id, second.id]);
  expect(ids(rejected.fired)).toEqual([first.id]);
  expect(ids(approved.fired)).toEqual([second.id]);

  // What the approved Zap's next step maps: the corrected values, flattened and typed.
  const record = await costOf(sandbox, () => connection.hydrate(second.id));
  expect(record.cost.metered).toBe(0);
  expect(record.result).toMatchObject({
    id: second.id,
    template_name: 'Expense Claim 費用報銷',
    status: 'COMPLETED',
    result: 'agree',
    outcome: 'approved',
    originator_name: '陳嘉欣 Chan Ka Yan',
    created_at: '2026-11-25T10:35:00+08:00',
    finished_at: '2026-11-25T10:50:00+08:00',
    processing_minutes: 15,
  });
  const form = Object.fromEntries(Object.entries(record.result).filter(([key]) => key.startsWith('form__')));
  expect(form).toEqual({
    form__Claim_Title_報銷事由: 'Client dinner with Harbour Logistics 與港灣物流晚宴 (resubmitted)',
    form__Expense_Type_費用類型: 'Client Entertainment',
    form__Claim_Date_申請日期: '2026-11-24',
    form__Total_Amount_HKD_總金額: 4280.5,
    form__Expense_Details_費用明細: [{ Description_說明: 'Dinner for 6, Lung King Heen', Receipt_Date_單據日期: '2026-11-24', Amount_HKD_金額: 4280.5 }],
    form__Remarks_備註: `Resubmission of ${String(first.business_id)}: wine removed.`,
  });
  expect((record.result.tasks as Row[]).map((task) => [task.user_id, task.result])).toEqual([[people.lee, 'AGREE']]);
});
