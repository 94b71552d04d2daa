/**
 * What each action costs in metered DingTalk calls, measured against the sandbox's meter, and the figure its
 * description states. A description that says "Costs three metered DingTalk calls" must stay true when the code
 * changes, so the number is read back out of the description and compared with what the sandbox counted.
 */
import { app, clock, Connection, costOf, e2eSuite, expenseForm, MINUTE, people, type Row } from './harness';

const suite = e2eSuite();
const NUMBERS: Record<string, number> = { no: 0, one: 1, two: 2, three: 3, four: 4, five: 5 };

/** The N of "Costs N metered DingTalk calls", as the action's description says it. */
function statedCost(key: string): number {
  const description = (app.creates[key] as unknown as { display: { description: string } }).display.description;
  const stated = /Costs (\w+) metered DingTalk calls?/.exec(description)?.[1];
  if (stated === undefined || NUMBERS[stated] === undefined) throw new Error(`${key}'s description does not state its cost in words: ${description}`);
  return NUMBERS[stated];
}

async function metered(connection: Connection, key: string, inputData: Row): Promise<number> {
  const { cost } = await costOf(suite.sandbox, () => connection.run(app.creates[key]!.operation.perform, inputData));
  return cost.metered;
}

test('every action costs what its description says (the template form cached, as within 10 minutes of another start)', async () => {
  const connection = await new Connection(suite.sandbox).connect();
  const form = expenseForm('Taxi to the client 的士', [['Taxi', 180]]);
  const first = await connection.startApproval(people.chan, form);
  const costs: Record<string, number> = {};
  costs.start_approval = await metered(connection, 'start_approval', { processCode: 'PROC-SBX-EXPENSE-0001', originatorUserId: people.wong, ...form });
  clock.advance(MINUTE);
  costs.add_comment = await metered(connection, 'add_comment', { processInstanceId: first.id, commentUserId: people.lee, text: 'Receipt received 已收收據' });
  costs.approve_or_reject = await metered(connection, 'approve_or_reject', { processInstanceId: first.id, actionerUserId: people.lee, result: 'agree' });
  const second = await connection.startApproval(people.wong, form);
  clock.advance(MINUTE); // DingTalk refuses a revoke within 15 seconds of the start.
  costs.transfer_approval_task = await metered(connection, 'transfer_approval_task', { processInstanceId: second.id, target: 'user', toUserId: people.director });
  costs.revoke_approval = await metered(connection, 'revoke_approval', { processInstanceId: second.id, operatingUserId: people.wong });
  costs.send_work_notification = await metered(connection, 'send_work_notification', { userIds: [people.chan], msgType: 'text', content: 'Your claim was approved 已批核' });

  expect(costs).toEqual(Object.fromEntries(Object.keys(costs).map((key) => [key, statedCost(key)])));
});
