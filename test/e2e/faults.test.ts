/**
 * DingTalk refusing calls, over real HTTP: QPS throttling comes back as Zapier's ThrottledError (a retry after a
 * delay) and loses nothing; an exhausted monthly quota comes back as a HaltedError with the quota sentence, one
 * refused request per attempt and no retries of its own; a missing permission names the permission to apply for.
 */
import type { Ledger } from '../../approvals/ledger/entry';
import { cacheKeys } from '../../lib/cache-keys';
import { Connection, EXPENSE, MINUTE, Zap, app, clock, costOf, e2eSuite, expenseForm, failure, ids, people, type Delivered } from './harness';

const suite = e2eSuite();

const QUOTA_SENTENCE =
  'Your DingTalk organisation has used up its API quota for ';

/** A connection with Zaps turned on and one claim they already watch in the running set. */
async function watching(...keys: Zap['key'][]) {
  const connection = await new Connection(suite.sandbox).connect();
  const zaps: Zap[] = [];
  for (const key of keys) zaps.push(await new Zap(connection, key).turnOn());
  clock.advance(5 * MINUTE);
  const claim = await connection.startApproval(people.chan, expenseForm('Team lunch', [['Lunch', 520]]));
  clock.advance(10 * MINUTE);
  for (const zap of zaps) expect(await zap.poll()).toEqual([]);
  return { connection, zaps, claim };
}

const ledgerEntry = (connection: Connection, id: string) => (JSON.parse(connection.cache[cacheKeys.ledger({ processCode: EXPENSE })]!) as Ledger).entries[id];

describe('throttling', () => {
  test('two Zaps polling in the same second under a limit of 1: the second gets ThrottledError with a delay; its retry delivers', async () => {
    const { sandbox, arrivals } = suite;
    const { zaps, claim } = await watching('approval_approved', 'approval_rejected');
    const [approved, rejected] = zaps as [Zap, Zap];
    clock.advance(5 * MINUTE);
    sandbox.org.act(claim.id, people.lee, 'refuse', 'Team lunches come out of the team budget.');
    clock.advance(10 * MINUTE);

    sandbox.faults.setQpsLimit(1);
    const first = await costOf(sandbox, () => approved.poll());
    expect(first.result).toEqual([]); // it classified the claim: rejected
    expect(first.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 1, GetProcessInstance: 1 });

    arrivals.splice(0);
    const second = await costOf(sandbox, () => failure(rejected.poll()));
    expect(second.result.name).toBe('ThrottledError');
    const { message, delay } = JSON.parse(second.result.message) as { message: string; delay: number };
    expect(delay).toBe(2);
    expect(message).toContain('DingTalk is rate-limiting this app (ListProcessInstanceIds)');
    expect(message).toContain('Zapier will try again in 2 seconds. [DingTalk Forbidden.AccessDenied.QpsLimitForAppkeyAndApi');
    // One refused request, not metered, and no retry of its own.
    expect(arrivals.map((a) => a.endpoint)).toEqual(['ListProcessInstanceIds']);
    expect(second.cost.metered).toBe(0);

    // Zapier retries after the delay: a new second, a new budget.
    clock.advance(delay * 1000);
    const retry = await costOf(sandbox, () => rejected.attempt());
    expect(retry.result).toEqual([expect.objectContaining({ id: claim.id, outcome: 'rejected' })]);
    expect(retry.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 1 });
    expect(approved.fired).toEqual([]);
  });

  test('throttled in the middle of a poll (the detail fetch): what the poll learned is kept, and the next poll after the limit is lifted delivers once', async () => {
    const { sandbox, arrivals } = suite;
    const { connection, zaps, claim } = await watching('approval_approved');
    const [approved] = zaps as [Zap];
    clock.advance(5 * MINUTE);
    await connection.decide(claim.id, people.lee, 'agree', 'Fine.');
    clock.advance(10 * MINUTE);

    // Another Zap's Find Approval step spends this second's only GetProcessInstance call.
    sandbox.faults.setQpsLimit(1);
    const found = await connection.run<Delivered[]>(app.searches.find_approval!.operation.perform, { approvalId: claim.id });
    expect(ids(found)).toEqual([claim.id]);

    arrivals.splice(0);
    const throttled = await costOf(sandbox, () => failure(approved.poll()));
    expect(throttled.result.name).toBe('ThrottledError');
    expect(JSON.parse(throttled.result.message)).toMatchObject({ delay: 2, message: expect.stringContaining('(GetProcessInstance)') });
    expect(arrivals.map((a) => a.endpoint)).toEqual(['ListProcessInstanceIds', 'GetProcessInstance']);
    expect(throttled.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 1 });
    // The refresh saved what it learned: the claim left the running set and waits to be classified.
    expect(ledgerEntry(connection, claim.id)).toMatchObject({ status: 'PENDING' });
    expect(approved.fired).toEqual([]);

    sandbox.faults.setQpsLimit(20);
    const next = await costOf(sandbox, () => approved.poll());
    expect(next.result).toEqual([expect.objectContaining({ id: claim.id, outcome: 'approved' })]);
    expect(next.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 1, GetProcessInstance: 1 });

    clock.advance(15 * MINUTE);
    const quiet = await costOf(sandbox, () => approved.poll());
    expect(quiet.result).toEqual([]);
    expect(quiet.cost).toEqual({ metered: 1, free: 0, byEndpoint: { ListProcessInstanceIds: 1 } });
    expect(ids(approved.fired)).toEqual([claim.id]);
  });
});

describe('monthly quota', () => {
  test('an exhausted quota halts the poll with the quota sentence: one refused request per attempt, no retries; the event waits for the reset', async () => {
    const { sandbox, arrivals } = suite;
    const { connection, zaps, claim } = await watching('approval_approved');
    const [approved] = zaps as [Zap];
    clock.advance(5 * MINUTE);
    sandbox.org.act(claim.id, people.lee, 'agree');
    clock.advance(10 * MINUTE);

    sandbox.faults.setMonthlyQuota(sandbox.meter.metered);
    arrivals.splice(0);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const halted = await costOf(sandbox, () => failure(approved.poll()));
      expect(halted.result.name).toBe('HaltedError');
      expect(halted.result.message).toContain(QUOTA_SENTENCE);
      expect(halted.result.message).toContain('[DingTalk Forbidden.AccessDenied.ApiCountLimitForOrg');
      expect(halted.cost.metered).toBe(0);
      expect(arrivals.map((a) => a.endpoint)).toEqual(Array(attempt).fill('ListProcessInstanceIds'));
      clock.advance(15 * MINUTE);
    }
    // Free calls (contacts) still work: the connection test passes.
    const test = await costOf(sandbox, () => connection.run<{ connection_label: string }>(app.authentication.test));
    expect(test.result.connection_label).toBeTruthy();
    expect(test.cost.metered).toBe(0);
    expect(approved.fired).toEqual([]);

    // The next month: the approval made during the halt is delivered once.
    sandbox.faults.setMonthlyQuota(undefined);
    const resumed = await costOf(sandbox, () => approved.poll());
    expect(ids(resumed.result)).toEqual([claim.id]);
    // The running list, the hourly sweep (due by now: the halted polls never got that far) and one detail fetch.
    expect(resumed.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 2, GetProcessInstance: 1 });
    clock.advance(15 * MINUTE);
    expect(await approved.poll()).toEqual([]);
  });

  test('a quota that runs out in the middle of a poll halts it after the running list; nothing is lost', async () => {
    const { sandbox, arrivals } = suite;
    const { connection, zaps, claim } = await watching('approval_rejected');
    const [rejected] = zaps as [Zap];
    clock.advance(5 * MINUTE);
    sandbox.org.act(claim.id, people.lee, 'refuse');
    clock.advance(10 * MINUTE);

    sandbox.faults.setMonthlyQuota(sandbox.meter.metered + 1);
    arrivals.splice(0);
    const halted = await costOf(sandbox, () => failure(rejected.poll()));
    expect(halted.result.name).toBe('HaltedError');
    expect(halted.result.message).toContain(QUOTA_SENTENCE);
    expect(arrivals.map((a) => a.endpoint)).toEqual(['ListProcessInstanceIds', 'GetProcessInstance']);
    expect(halted.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 1 });
    expect(ledgerEntry(connection, claim.id)).toMatchObject({ status: 'PENDING' });

    sandbox.faults.setMonthlyQuota(undefined);
    clock.advance(15 * MINUTE);
    expect(ids(await rejected.poll())).toEqual([claim.id]);
    clock.advance(15 * MINUTE);
    expect(await rejected.poll()).toEqual([]);
    expect(ids(rejected.fired)).toEqual([claim.id]);
  });
});

describe('permissions', () => {
  test('without Workflow.Instance.Read the poll fails naming it, after one request', async () => {
    const { sandbox, arrivals } = suite;
    const connection = await new Connection(sandbox).connect();
    const submitted = await new Zap(connection, 'new_approval').turnOn();
    clock.advance(15 * MINUTE);

    sandbox.faults.denyPermission('ListProcessInstanceIds');
    arrivals.splice(0);
    const denied = await failure(submitted.poll());
    expect(denied.name).toBe('AppError');
    const { message, code, status } = JSON.parse(denied.message) as { message: string; code: string; status: number };
    expect(message).toContain('The DingTalk app lacks the permission "Workflow.Instance.Read" (ListProcessInstanceIds).');
    expect(message).toContain('search for Workflow.Instance.Read and apply for it');
    expect([code, status]).toEqual(['Forbidden.AccessDenied.AccessTokenPermissionDenied', 403]);
    expect(arrivals.map((a) => a.endpoint)).toEqual(['ListProcessInstanceIds']);

    // Turning on a new Zap fails the same way, after the (permitted) template check.
    const another = new Zap(await new Connection(sandbox).connect(), 'approval_approved');
    arrivals.splice(0);
    expect(JSON.parse((await failure(another.turnOn())).message)).toMatchObject({ message: expect.stringContaining('lacks the permission "Workflow.Instance.Read"'), status: 403 });
    expect(arrivals.map((a) => a.endpoint)).toEqual(['QuerySchemaByProcessCode', 'ListProcessInstanceIds']);

    // Once granted, the existing Zap carries on.
    sandbox.faults.denyPermission('ListProcessInstanceIds', false);
    expect(await submitted.poll()).toEqual([]);
  });
});
