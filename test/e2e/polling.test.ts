/**
 * Approvals changing state between polls, watched by three Zaps on one template (New Approval, Approval Approved,
 * Approval Rejected) through one DingTalk connection: approvals are started with Start Approval and decided with
 * Approve or Reject Approval or in the DingTalk app; Zapier polls every 15 minutes. Every event must run the right
 * Zap exactly once, including an approval that starts and finishes between two polls (found by the hourly sweep).
 */
import { Connection, EXPENSE, MINUTE, Zap, clock, costOf, e2eSuite, expenseForm, ids, people, type Cost } from './harness';

const suite = e2eSuite();

type Zaps = { submitted: Zap; approved: Zap; rejected: Zap };

/** One Zapier polling round: every Zap polls once, at the same moment. */
async function round(zaps: Zaps): Promise<{ fired: Record<keyof Zaps, string[]>; cost: Cost }> {
  const { result, cost } = await costOf(suite.sandbox, async () => ({
    submitted: ids(await zaps.submitted.poll()).sort(),
    approved: ids(await zaps.approved.poll()).sort(),
    rejected: ids(await zaps.rejected.poll()).sort(),
  }));
  return { fired: result, cost };
}

const sorted = (...values: string[]) => [...values].sort();

test('three Zaps, approvals changing between polls: every event runs the right Zap once, nothing is missed', async () => {
  const { sandbox } = suite;
  const connection = await new Connection(sandbox).connect();
  const zaps: Zaps = {
    submitted: new Zap(connection, 'new_approval'),
    approved: new Zap(connection, 'approval_approved'),
    rejected: new Zap(connection, 'approval_rejected'),
  };
  // Turning the Zaps on: the first builds the shared ledger (template check, running list, sweep); the others
  // only refresh the running list. No approval is fetched in detail.
  const turnOn = await costOf(sandbox, async () => {
    for (const zap of Object.values(zaps)) await zap.turnOn();
  });
  expect(turnOn.cost.byEndpoint).toEqual({ QuerySchemaByProcessCode: 1, ListProcessInstanceIds: 4 });
  const seeded = [...zaps.submitted.seen];
  expect(seeded.length).toBeGreaterThan(0); // the sandbox's own approvals: they never run a Zap

  // 10:05–10:07 three claims are submitted; B is over HK$5,000, so the Director approves it after the manager.
  clock.advance(5 * MINUTE);
  const a = await connection.startApproval(people.chan, expenseForm('Client lunch', [['Lunch at Tsim Sha Tsui', 480]]));
  clock.advance(MINUTE);
  const b = await connection.startApproval(people.wong, expenseForm('Trade fair booth', [['Booth', 4280], ['Banners', 2200]]));
  clock.advance(MINUTE);
  const c = await connection.startApproval(people.chan, expenseForm('Taxi', [['Taxi to airport', 300]]));
  expect(b.tasks).toEqual([expect.objectContaining({ user_id: people.lee, status: 'RUNNING' })]);

  // 10:15
  clock.advance(8 * MINUTE);
  let polled = await round(zaps);
  expect(polled.fired).toEqual({ submitted: sorted(a.id, b.id, c.id), approved: [], rejected: [] });
  expect(polled.cost).toEqual({ metered: 3, free: 0, byEndpoint: { ListProcessInstanceIds: 3 } });

  // 10:20 the manager approves A (through the action) and B (which now waits for the Director); C is refused in the app.
  clock.advance(5 * MINUTE);
  await connection.decide(a.id, people.lee, 'agree', 'OK');
  const bAfterManager = await connection.decide(b.id, people.lee, 'agree', 'Over 5,000: to the Director.');
  expect(bAfterManager).toMatchObject({ status: 'RUNNING', outcome: 'pending' });
  sandbox.org.act(c.id, people.lee, 'refuse', 'Use the airport express: taxis are not claimable.');

  // 10:30: one detail fetch per approval that left the running set, shared by all three Zaps.
  clock.advance(10 * MINUTE);
  polled = await round(zaps);
  expect(polled.fired).toEqual({ submitted: [], approved: [a.id], rejected: [c.id] });
  expect(polled.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 3, GetProcessInstance: 2 });

  // 10:35 D is submitted and approved at once, between two polls; at 10:37 the Director approves B.
  clock.advance(5 * MINUTE);
  const d = await connection.startApproval(people.chan, expenseForm('Stationery', [['Notebooks', 120]]));
  clock.advance(MINUTE);
  await connection.decide(d.id, people.lee, 'agree');
  clock.advance(MINUTE);
  sandbox.org.act(b.id, people.director, 'agree', 'Approved for the fair.');

  // 10:45: D never was in the running set, so only the sweep can find it; B fires.
  clock.advance(8 * MINUTE);
  polled = await round(zaps);
  expect(polled.fired).toEqual({ submitted: [], approved: [b.id], rejected: [] });
  expect(polled.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 3, GetProcessInstance: 1 });

  // 11:00, an hour after the last sweep: the sweep finds D, which is both a New Approval and an Approval Approved.
  clock.advance(15 * MINUTE);
  polled = await round(zaps);
  expect(polled.fired).toEqual({ submitted: [d.id], approved: [d.id], rejected: [] });
  expect(polled.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 4, GetProcessInstance: 1 });

  // 11:15 and 11:30: quiet polls cost one metered call each, and fire nothing.
  for (let quiet = 0; quiet < 2; quiet += 1) {
    clock.advance(15 * MINUTE);
    polled = await round(zaps);
    expect(polled.fired).toEqual({ submitted: [], approved: [], rejected: [] });
    expect(polled.cost).toEqual({ metered: 3, free: 0, byEndpoint: { ListProcessInstanceIds: 3 } });
  }

  // Every event ran the right Zap exactly once; nothing from before the Zaps were on ran any.
  expect(ids(zaps.submitted.fired).sort()).toEqual(sorted(a.id, b.id, c.id, d.id));
  expect(ids(zaps.approved.fired)).toEqual([a.id, b.id, d.id]);
  expect(ids(zaps.rejected.fired)).toEqual([c.id]);
  expect(zaps.approved.fired.map((r) => r.outcome)).toEqual(['approved', 'approved', 'approved']);
  expect(zaps.rejected.fired).toEqual([expect.objectContaining({ id: c.id, status: 'COMPLETED', result: 'refuse', outcome: 'rejected' })]);
  for (const zap of Object.values(zaps)) expect(ids(zap.fired).filter((id) => seeded.includes(id))).toEqual([]);
});

test('a longer refresh interval shares one refresh between the Zaps on the template', async () => {
  const { sandbox } = suite;
  const connection = await new Connection(sandbox).connect();
  const every15 = { processCode: EXPENSE, refreshMinutes: '15' };
  const zaps: Zaps = {
    submitted: new Zap(connection, 'new_approval', every15),
    approved: new Zap(connection, 'approval_approved', every15),
    rejected: new Zap(connection, 'approval_rejected', every15),
  };
  for (const zap of Object.values(zaps)) await zap.turnOn();

  clock.advance(5 * MINUTE);
  const e = await connection.startApproval(people.wong, expenseForm('Parking', [['Car park', 85]]));
  // 10 minutes after the ledger was refreshed: the Zaps reuse it, without a single call, and see nothing yet.
  clock.advance(5 * MINUTE);
  let polled = await round(zaps);
  expect(polled.fired).toEqual({ submitted: [], approved: [], rejected: [] });
  expect(polled.cost.metered).toBe(0);

  // 15 minutes after: the first Zap refreshes for all three.
  clock.advance(5 * MINUTE);
  polled = await round(zaps);
  expect(polled.fired).toEqual({ submitted: [e.id], approved: [], rejected: [] });
  expect(polled.cost).toEqual({ metered: 1, free: 0, byEndpoint: { ListProcessInstanceIds: 1 } });

  sandbox.org.act(e.id, people.lee, 'refuse', 'Parking is covered by the transport allowance.');
  clock.advance(15 * MINUTE);
  polled = await round(zaps);
  expect(polled.fired).toEqual({ submitted: [], approved: [], rejected: [e.id] });
  expect(polled.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 1, GetProcessInstance: 1 });
});
