/**
 * Refresh Interval "Auto" end to end, over real HTTP against the sandbox: a connection with a small budget, a Zap
 * on New Approval left on its default, Zapier polling every 15 minutes, and approvals started through the Start
 * Approval action (which spends the same budget and is never blocked). As the budget runs down, DingTalk is asked
 * less and less often; every approval still runs the Zap exactly once; Find API Usage shows the spend.
 */
import { Connection, EXPENSE, MINUTE, Zap, app, clock, e2eSuite, expenseForm, ids, people } from './harness';

const suite = e2eSuite();
const HOUR = 60 * MINUTE;

test('Auto slows the polls as the budget runs down, and no approval is lost', async () => {
  const { sandbox } = suite;
  // 1 December, 00:30 China time: a new quota month, so the new connection's meter starts near zero.
  clock.advance(Date.parse('2026-11-30T16:30:00Z') - clock.now());
  // A custom org quota of 1,200 calls, half of it for this integration: 540 to plan with (10 % held back).
  const connection = await new Connection(sandbox, { dingtalkEdition: 'custom', monthlyCallQuota: '1200', quotaSharePercent: '50' }).connect();
  const zap = await new Zap(connection, 'new_approval', { processCode: EXPENSE }).turnOn();

  const started: string[] = [];
  const refreshes: number[] = [];
  const lists = () => sandbox.meter.byEndpoint.ListProcessInstanceIds ?? 0;
  // A day and a half of 15-minute polls; every hour of the first day someone starts a claim (a few metered calls each).
  for (let poll = 1; poll <= 36 * 4; poll += 1) {
    clock.advance(15 * MINUTE);
    if (poll % 4 === 0 && poll <= 24 * 4) started.push((await connection.startApproval(people.chan, expenseForm(`Claim ${poll}`, [['Taxi', 120]]))).id);
    const before = lists();
    await zap.poll();
    if (lists() > before) refreshes.push(clock.now());
  }
  clock.advance(24 * HOUR + 15 * MINUTE);
  await zap.poll();

  // Every claim ran the Zap exactly once, however long Auto waited.
  expect(ids(zap.fired).sort()).toEqual([...started].sort());
  expect(new Set(ids(zap.fired)).size).toBe(zap.fired.length);

  // The gaps between refreshes widen as the budget runs down.
  const gaps = refreshes.slice(1).map((at, i) => (at - refreshes[i]!) / MINUTE);
  expect(gaps.length).toBeGreaterThanOrEqual(3);
  expect(gaps[gaps.length - 1]!).toBeGreaterThan(1.5 * gaps[0]!);
  for (let i = 1; i < gaps.length; i += 1) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]! - 15);

  // The usage search shows the month's spend: never less than DingTalk metered, and within the budget.
  const [usage] = await connection.run<Record<string, number | string>[]>(app.searches.find_api_usage!.operation.perform, {});
  expect(usage).toMatchObject({ month: '2026-12', budget: 600, org_quota: 1200, share_percent: 50 });
  expect(Number(usage!.calls_used)).toBeGreaterThanOrEqual(sandbox.meter.metered - Number(usage!.calls_estimated));
  expect(Number(usage!.calls_action)).toBeGreaterThan(0);
  expect(Number(usage!.calls_used)).toBeLessThanOrEqual(600);
}, 120_000);
