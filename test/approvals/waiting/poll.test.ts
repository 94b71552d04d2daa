/**
 * Approval Waiting Too Long's poll against the sandbox over HTTP, on simulated time: a 2-hour and a 24-hour Zap
 * poll every 15 minutes for 30 hours while an expense claim waits, is transferred at 24 hours, and waits again.
 */
import { pollWaiting, CHECK_BUDGET, type WaitingDelivery, type WaitingInput } from '../../../approvals/waiting/poll';
import { getProcessInstance, redirectWorkflowTask } from '../../../dingtalk/workflow';
import { memoryStore } from '../../../lib/store';
import { HOUR_MS, MINUTE_MS } from '../../../lib/time';
import { codes, expenseClaim, people, sandboxSuite } from '../../sandbox/helpers';

const start = sandboxSuite();
const T0 = Date.parse('2026-11-23T01:00:00Z');
const POLL_MS = 15 * MINUTE_MS;

const zap = (hours: number, extra: Partial<WaitingInput> = {}): WaitingInput => ({ processCode: codes.expense, thresholdMs: hours * HOUR_MS, approverIds: [], freshnessMs: 0, ...extra });

async function setUp() {
  let clock = T0;
  const running = await start({ now: () => clock, tokenTtlSeconds: 10 ** 9 });
  const store = memoryStore();
  const detailFetches = () => running.sent.filter((endpoint) => endpoint.name === 'GetProcessInstance').length;
  const poll = (input: WaitingInput, seedingDedupe = false) => pollWaiting(running.transport, store, input, { seedingDedupe, now: clock });
  return { ...running, store, poll, detailFetches, tick: (ms: number) => (clock += ms), now: () => clock };
}

/** A Zap: the ids it has delivered (Zapier's dedupe), with when each first appeared. */
function zapDedupe() {
  const first = new Map<string, { at: number; delivery: WaitingDelivery }>();
  return {
    first,
    take(deliveries: WaitingDelivery[], at: number) {
      const fresh = deliveries.filter((delivery) => !first.has(delivery.id));
      for (const delivery of fresh) first.set(delivery.id, { at, delivery });
      return fresh;
    },
  };
}

test('each task fires once per threshold, never before it, and again after a transfer; records carry approver and manager', async () => {
  const { sandbox, transport, poll, tick, now } = await setUp();
  const two = zapDedupe();
  const day = zapDedupe();
  two.take(await poll(zap(2), true), now());
  day.take(await poll(zap(24), true), now());

  const id = await expenseClaim(transport, '80'); // Sales Manager approves; under HK$5,000 nobody else
  let transferredAt = 0;
  while (now() < T0 + 30 * HOUR_MS) {
    tick(POLL_MS);
    two.take(await poll(zap(2)), now());
    const escalations = day.take(await poll(zap(24)), now());
    for (const escalation of escalations.filter((delivery) => delivery.approvalId === id)) {
      // The 24-hour Zap escalates: the waiting task moves to the approver's manager.
      expect(escalation.approver).toEqual({ userId: people.salesManager, name: '李偉文 Lee Wai Man', managerUserId: people.director, managerName: '吳美玲 Ng Mei Ling' });
      await redirectWorkflowTask(transport, { taskId: escalation.task.taskId, toUserId: escalation.approver.managerUserId!, operateUserId: escalation.task.userId });
      transferredAt = now();
    }
  }

  const mine = (dedupe: ReturnType<typeof zapDedupe>) => [...dedupe.first.values()].filter(({ delivery }) => delivery.approvalId === id);
  const twos = mine(two);
  const days = mine(day);
  expect(days).toHaveLength(1);
  expect(days[0]!.at - T0).toBeGreaterThanOrEqual(24 * HOUR_MS);
  expect(days[0]!.at - T0).toBeLessThanOrEqual(24 * HOUR_MS + POLL_MS);
  expect(transferredAt).toBe(days[0]!.at);

  expect(twos.map(({ delivery }) => delivery.task.userId)).toEqual([people.salesManager, people.director]);
  const [first, second] = twos;
  expect(first!.at - T0).toBeGreaterThanOrEqual(2 * HOUR_MS);
  expect(first!.at - T0).toBeLessThanOrEqual(2 * HOUR_MS + POLL_MS);
  expect(first!.delivery.id).toBe(`${id}:task-${first!.delivery.task.taskId}:after-2h`);
  expect(second!.delivery.task.taskId).not.toBe(first!.delivery.task.taskId);
  expect(second!.at - transferredAt).toBeGreaterThanOrEqual(2 * HOUR_MS);
  expect(second!.at - transferredAt).toBeLessThanOrEqual(2 * HOUR_MS + POLL_MS);
  expect(second!.delivery.approver).toMatchObject({ userId: people.director, name: '吳美玲 Ng Mei Ling' });

  // The director approves; the approval leaves the running set and nothing more is delivered for it.
  sandbox.org.act(id, people.director, 'agree');
  tick(POLL_MS);
  expect((await poll(zap(2))).filter((delivery) => delivery.approvalId === id)).toEqual([]);
  expect((await getProcessInstance(transport, id)).status).toBe('COMPLETED');
});

test('detail fetches: none before a threshold can be crossed, none on polls the Refresh Interval skips, at most CHECK_BUDGET a poll', async () => {
  const { sandbox, transport, poll, tick, detailFetches } = await setUp();
  // The sandbox's clock stands still between ticks, so its one-second window would hold a whole poll's checks;
  // the poll's own limiter keeps them under DingTalk's 20 a second in real time.
  sandbox.faults.setQpsLimit(1000);
  const ids: string[] = [];
  for (let i = 0; i < CHECK_BUDGET + 3; i += 1) ids.push(await expenseClaim(transport, '80'));
  await poll(zap(2), true);
  const hourly = zap(2, { freshnessMs: 60 * MINUTE_MS });

  let fetches = detailFetches();
  for (let i = 0; i < 7; i += 1) {
    tick(POLL_MS);
    await poll(hourly);
  }
  expect(detailFetches() - fetches).toBe(0); // 1 h 45 min: no task can have waited 2 hours yet

  tick(POLL_MS); // 2 h: the ledger refreshes (an hour since the last refresh) and checks are due
  fetches = detailFetches();
  const firstBatch = await poll(hourly);
  expect(detailFetches() - fetches).toBe(CHECK_BUDGET);
  expect(firstBatch.filter((delivery) => ids.includes(delivery.approvalId)).length).toBeLessThanOrEqual(CHECK_BUDGET);

  fetches = detailFetches();
  for (let i = 0; i < 3; i += 1) {
    tick(POLL_MS);
    await poll(hourly); // the Refresh Interval reuses the ledger: the checks left over wait for the next refresh
  }
  expect(detailFetches() - fetches).toBe(0);
  tick(POLL_MS);
  const all = await poll(hourly);
  expect(all.filter((delivery) => ids.includes(delivery.approvalId)).map((delivery) => delivery.approvalId).sort()).toEqual([...ids].sort());
});

test('Approvers limits deliveries to the chosen approvers; seeding a new Zap fetches nothing', async () => {
  const { transport, poll, tick, detailFetches } = await setUp();
  const before = detailFetches();
  await poll(zap(2), true);
  expect(detailFetches()).toBe(before);
  const id = await expenseClaim(transport, '80');
  tick(POLL_MS);
  await poll(zap(2)); // seen 15 minutes after its submission
  tick(2 * HOUR_MS);
  expect((await poll(zap(2, { approverIds: [people.finance] }))).filter((delivery) => delivery.approvalId === id)).toEqual([]);
  expect((await poll(zap(2, { approverIds: [people.salesManager] }))).filter((delivery) => delivery.approvalId === id)).toHaveLength(1);
});
