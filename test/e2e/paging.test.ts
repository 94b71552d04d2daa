/**
 * More than 20 approvals running on one template: DingTalk lists them 20 to a page, newest first, with an offset
 * cursor. Approvals on the page boundary change state between polls, and during a poll (between the two page
 * requests), and every event still runs its Zap exactly once.
 */
import { axiosTransport } from '../../dingtalk/axios-transport';
import type { Transport } from '../../dingtalk/transport';
import { startProcessInstance } from '../../dingtalk/workflow';
import { Connection, EXPENSE, MINUTE, Zap, clock, costOf, e2eSuite, ids, people } from './harness';

// A fresh sandbox: its expense template has exactly one running approval (seeded two days ago).
const suite = e2eSuite();

/**
 * Claims are started straight through the DingTalk client, not as Zapier steps: this test is about paging (Start
 * Approval has its own), and each Zapier step costs a fifth of a second of a shared machine's CPU.
 */
let dingtalk: Transport | undefined;
async function startClaim(originatorUserId: string, amountHkd: number): Promise<{ id: string }> {
  dingtalk ??= axiosTransport({ ...suite.sandbox.credentials });
  const id = await startProcessInstance(dingtalk, {
    processCode: EXPENSE,
    originatorUserId,
    deptId: 100,
    formComponentValues: [
      { name: 'Claim Title 報銷事由', value: 'Mileage 里數' },
      { name: 'Expense Type 費用類型', value: 'Transport' },
      { name: 'Claim Date 申請日期', value: '2026-11-24' },
      { name: 'Total Amount (HKD) 總金額', value: String(amountHkd) },
    ],
  });
  return { id };
}

test('approvals on the page boundary change state between polls and mid-poll: nothing is missed or delivered twice', async () => {
  const { sandbox, arrivals } = suite;
  const connection = await new Connection(sandbox).connect();
  const submitted = await new Zap(connection, 'new_approval').turnOn();
  const approved = await new Zap(connection, 'approval_approved').turnOn();
  const [seededRunning] = [...submitted.seen].filter((id) => !approved.seen.has(id));
  expect(seededRunning).toBeDefined();

  // 20 claims a minute apart: 21 running, so page 1 ends with E[0] and page 2 holds only the seeded approval.
  const claims: { id: string }[] = [];
  for (let i = 0; i < 20; i += 1) {
    clock.advance(MINUTE);
    claims.push(await startClaim(i % 2 ? people.wong : people.chan, 50 + i));
  }
  const at = (i: number) => claims[i]!.id;

  clock.advance(5 * MINUTE);
  let polled = await costOf(sandbox, async () => ({ submitted: ids(await submitted.poll()), approved: ids(await approved.poll()) }));
  expect(polled.result.submitted.sort()).toEqual(claims.map((c) => c.id).sort());
  expect(polled.result.approved).toEqual([]);
  // Two pages per refresh.
  expect(polled.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 4 });

  // The claim at the end of page 1 is approved while a new one arrives at the top: still 21 running, page 1 now
  // ends one claim later. A poll that compared counts or only read page 1 would see no change.
  clock.advance(MINUTE);
  sandbox.org.act(at(0), people.lee, 'agree');
  clock.advance(MINUTE);
  const late = await startClaim(people.chan, 99);
  clock.advance(13 * MINUTE);
  polled = await costOf(sandbox, async () => ({ submitted: ids(await submitted.poll()), approved: ids(await approved.poll()) }));
  expect(polled.result).toEqual({ submitted: [late.id], approved: [at(0)] });
  expect(polled.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 4, GetProcessInstance: 1 });

  // Mid-poll: between the two page requests a claim on page 1 is approved, so everything below it moves up one
  // place and the page-2 request (offset 20) misses the approval that moved onto page 1. The complete-looking
  // listing therefore lacks a running approval: it costs one detail fetch, which finds it still running.
  clock.advance(15 * MINUTE);
  const decidedMidPoll = at(10);
  suite.onNextArrival('ListProcessInstanceIds', () => sandbox.org.act(decidedMidPoll, people.lee, 'agree'), 1);
  arrivals.splice(0);
  polled = await costOf(sandbox, async () => ({ approved: ids(await approved.poll()), submitted: ids(await submitted.poll()) }));
  expect(polled.result).toEqual({ approved: [], submitted: [] });
  expect(arrivals.map((a) => a.endpoint)).toEqual([
    'ListProcessInstanceIds', // page 1: 21 running
    'ListProcessInstanceIds', // page 2, after the approval: empty
    'GetProcessInstance', // the approval that slipped past: still running, so no event
    'ListProcessInstanceIds', // the second Zap's refresh: 20 running, one page, without the approved claim...
    'GetProcessInstance', // ...which is classified once, for every Zap
  ]);
  expect(polled.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 3, GetProcessInstance: 2 });

  // Approval Approved delivers the claim decided mid-poll on its next poll, from the shared ledger. This poll also
  // runs the hourly sweep, which finds nothing new.
  clock.advance(15 * MINUTE);
  polled = await costOf(sandbox, async () => ({ approved: ids(await approved.poll()), submitted: ids(await submitted.poll()) }));
  expect(polled.result).toEqual({ approved: [decidedMidPoll], submitted: [] });
  expect(polled.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 3 });

  // Quiet: 19 running now, one page, one call per Zap.
  clock.advance(15 * MINUTE);
  polled = await costOf(sandbox, async () => ({ approved: ids(await approved.poll()), submitted: ids(await submitted.poll()) }));
  expect(polled.result).toEqual({ approved: [], submitted: [] });
  expect(polled.cost).toEqual({ metered: 2, free: 0, byEndpoint: { ListProcessInstanceIds: 2 } });

  expect(ids(approved.fired)).toEqual([at(0), decidedMidPoll]);
  expect(ids(submitted.fired).sort()).toEqual([...claims.map((c) => c.id), late.id].sort());
  expect(submitted.fired.map((r) => r.id)).not.toContain(seededRunning);
});
