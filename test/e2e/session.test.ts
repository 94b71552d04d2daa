/**
 * The access token over real HTTP: DingTalk refusing an expired token in the middle of a poll becomes Zapier's
 * RefreshAuthError, Zapier runs sessionConfig.perform again and reruns the poll, and nothing is lost or delivered
 * twice. A token close to its expiry is refreshed before any request is sent.
 */
import { EXPIRY_MARGIN_MS } from '../../authentication';
import { Connection, MINUTE, Zap, app, clock, costOf, e2eSuite, expenseForm, failure, ids, people } from './harness';

const suite = e2eSuite();

test('a token that expired between polls: one refused call, RefreshAuthError, and the poll rerun after the refresh delivers', async () => {
  const { sandbox, arrivals } = suite;
  const connection = await new Connection(sandbox).connect();
  const submitted = await new Zap(connection, 'new_approval').turnOn();
  clock.advance(5 * MINUTE);
  const claim = await connection.startApproval(people.chan, expenseForm('Taxi to Kwun Tong', [['Taxi', 186]]));
  clock.advance(10 * MINUTE);

  sandbox.faults.expireTokens();
  arrivals.splice(0);
  const refused = await costOf(sandbox, () => failure(submitted.attempt()));
  expect(refused.result.name).toBe('RefreshAuthError');
  expect(refused.result.message).toContain('The DingTalk access token expired or is invalid (ListProcessInstanceIds); it will be refreshed. [DingTalk InvalidAuthentication');
  // One request, refused and so not metered; the app does not retry it itself.
  expect(arrivals.map((a) => a.endpoint)).toEqual(['ListProcessInstanceIds']);
  expect(refused.cost).toEqual({ metered: 0, free: 0, byEndpoint: {} });
  expect(submitted.fired).toEqual([]);

  // Zapier's answer to RefreshAuthError: sessionConfig.perform again, then the same poll again.
  const expiredToken = connection.authData.accessToken;
  await connection.connect();
  expect(connection.authData.accessToken).not.toBe(expiredToken);
  const rerun = await costOf(sandbox, () => submitted.attempt());
  expect(ids(rerun.result)).toEqual([claim.id]);
  expect(rerun.cost).toEqual({ metered: 1, free: 0, byEndpoint: { ListProcessInstanceIds: 1 } });

  clock.advance(15 * MINUTE);
  expect(await submitted.poll()).toEqual([]);
  expect(ids(submitted.fired)).toEqual([claim.id]);
});

test('a token that expires in the middle of a poll (after the running list, at the detail fetch) loses nothing', async () => {
  const { sandbox, arrivals } = suite;
  const connection = await new Connection(sandbox).connect();
  const approved = await new Zap(connection, 'approval_approved').turnOn();
  const rejected = await new Zap(connection, 'approval_rejected').turnOn();
  clock.advance(5 * MINUTE);
  const claim = await connection.startApproval(people.chan, expenseForm('Printer toner', [['Toner', 640]]));
  clock.advance(10 * MINUTE);
  expect(await approved.poll()).toEqual([]); // the claim is in the running set now
  clock.advance(5 * MINUTE);
  sandbox.org.act(claim.id, people.lee, 'agree');
  clock.advance(10 * MINUTE);

  // The running list is answered; the token dies just before the detail fetch that classifies the claim.
  suite.onNextArrival('GetProcessInstance', () => sandbox.faults.expireTokens());
  arrivals.splice(0);
  const refused = await costOf(sandbox, () => failure(approved.attempt()));
  expect(refused.result.name).toBe('RefreshAuthError');
  expect(refused.result.message).toContain('(GetProcessInstance); it will be refreshed');
  expect(arrivals.map((a) => a.endpoint)).toEqual(['ListProcessInstanceIds', 'GetProcessInstance']);
  expect(refused.cost.byEndpoint).toEqual({ ListProcessInstanceIds: 1 });

  // Through Zapier: the refresh and the rerun happen inside `poll`, and the approval fires once.
  const rerun = await costOf(sandbox, () => approved.poll());
  expect(connection.refreshes).toBe(1);
  expect(rerun.result).toEqual([expect.objectContaining({ id: claim.id, status: 'COMPLETED', outcome: 'approved' })]);
  expect(rerun.cost.byEndpoint).toEqual({ GetAccessToken: 1, ListProcessInstanceIds: 1, GetProcessInstance: 1 });

  clock.advance(15 * MINUTE);
  const quiet = await costOf(sandbox, async () => [...(await approved.poll()), ...(await rejected.poll())]);
  expect(quiet.result).toEqual([]);
  // Two quiet polls: one running list each, the outcome already known.
  expect(quiet.cost).toEqual({ metered: 2, free: 0, byEndpoint: { ListProcessInstanceIds: 2 } });
  expect(ids(approved.fired)).toEqual([claim.id]);
  expect(rejected.fired).toEqual([]);
});

test('authData past its expiry: RefreshAuthError before any request is sent', async () => {
  const { sandbox, arrivals } = suite;
  const connection = await new Connection(sandbox).connect();
  const submitted = await new Zap(connection, 'new_approval').turnOn();
  clock.advance(15 * MINUTE);

  // The sandbox would still accept this token: had a request gone out, it would have been answered and metered.
  connection.authData = { ...connection.authData, accessTokenExpiresAt: String(Date.now() - 1000) };
  arrivals.splice(0);
  const early = await costOf(sandbox, () => failure(submitted.attempt()));
  expect(early.result.name).toBe('RefreshAuthError');
  expect(early.result.message).toMatch(/^The DingTalk access token is about to expire; fetching a new one\./);
  expect(arrivals).toEqual([]);
  expect(early.cost).toEqual({ metered: 0, free: 0, byEndpoint: {} });

  const rerun = await costOf(sandbox, () => submitted.poll());
  expect(rerun.result).toEqual([]);
  expect(connection.refreshes).toBe(1);
  // DingTalk hands back the live token with a new expiry; the rerun poll is one metered call.
  expect(Number(connection.authData.accessTokenExpiresAt)).toBe(Date.now() + 7200 * 1000);
  expect(rerun.cost).toEqual({ metered: 1, free: 1, byEndpoint: { GetAccessToken: 1, ListProcessInstanceIds: 1 } });
});

test('near the two-hour expiry: a poll refreshes inside the last 5 minutes, Approve or Reject inside the last 5½, both before sending anything', async () => {
  const { sandbox, arrivals } = suite;
  const connection = await new Connection(sandbox).connect();
  const submitted = await new Zap(connection, 'new_approval').turnOn();
  const claim = await connection.startApproval(people.wong, expenseForm('Courier', [['SF Express', 95]]));
  const expiresAt = Number(connection.authData.accessTokenExpiresAt);

  // 5 min 15 s before expiry: a poll still goes out with the current token...
  clock.advance(expiresAt - EXPIRY_MARGIN_MS - 15 * 1000 - Date.now());
  expect(ids(await submitted.attempt())).toEqual([claim.id]);
  // ...but Approve or Reject refuses to start a read-write-read it might not finish with this token.
  arrivals.splice(0);
  const write = await failure(connection.attempt(app.creates.approve_or_reject!.operation.perform, { processInstanceId: claim.id, actionerUserId: people.lee, result: 'agree' }));
  expect(write.name).toBe('RefreshAuthError');
  expect(arrivals).toEqual([]);

  // 4 minutes before expiry: every request waits for a new session.
  clock.advance(75 * 1000);
  const poll = await failure(submitted.attempt());
  expect(poll.name).toBe('RefreshAuthError');
  expect(arrivals).toEqual([]);

  // Zapier refreshes once, and both steps run.
  const decided = await connection.decide(claim.id, people.lee, 'agree', 'OK');
  expect(connection.refreshes).toBe(1);
  expect(decided).toMatchObject({ id: claim.id, status: 'COMPLETED', outcome: 'approved' });
  expect(await submitted.poll()).toEqual([]);
  expect(connection.refreshes).toBe(1);
});

/**
 * Start Approval writes, then reads the new approval back. If the token reached the refresh margin between the
 * two, the read would throw RefreshAuthError and Zapier would rerun the whole step, submitting the claim twice;
 * so the action renews a token that could expire mid-action before writing (as Approve or Reject and Revoke do).
 */
test('Start Approval near the refresh margin submits the approval once', async () => {
  const { sandbox, arrivals } = suite;
  const connection = await new Connection(sandbox).connect();
  await connection.startApproval(people.chan, expenseForm('Warm-up', [['Schema and names cached', 1]]));
  const expiresAt = Number(connection.authData.accessTokenExpiresAt);
  // 100 ms before the poll margin; the write takes 200 ms.
  clock.advance(expiresAt - EXPIRY_MARGIN_MS - 100 - Date.now());
  suite.onNextArrival('StartProcessInstance', () => clock.advance(200));
  arrivals.splice(0);

  const claim = await connection.startApproval(people.chan, expenseForm('Airport Express', [['Airport Express', 115]]));
  expect(connection.refreshes).toBe(1);
  expect(arrivals.filter((a) => a.endpoint === 'StartProcessInstance')).toHaveLength(1);
  expect(claim.status).toBe('RUNNING');
});
