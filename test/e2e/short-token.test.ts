/**
 * A DingTalk that issues 60-second tokens (the sandbox's `--token-ttl 60`). The refresh margin used to be a fixed
 * 5 minutes: every new token was "about to expire" at once, so every step asked for a new session and failed
 * again after it. The margin now scales with the token's lifetime.
 */
import { Connection, Zap, app, clock, e2eSuite, expenseForm, failure, people } from './harness';

const suite = e2eSuite({ tokenTtlSeconds: 60 });

test('a fresh 60-second token is used, not refreshed; it is refreshed once it is close to its end', async () => {
  const { sandbox, arrivals } = suite;
  const connection = await new Connection(sandbox).connect();
  expect(connection.authData.accessTokenLifetimeSeconds).toBe('60');

  const submitted = await new Zap(connection, 'new_approval').turnOn();
  clock.advance(5 * 1000);
  const claim = await connection.startApproval(people.chan, expenseForm('Taxi to Kwun Tong', [['Taxi', 186]]));
  const decided = await connection.decide(claim.id, people.lee, 'agree');
  expect(decided).toMatchObject({ id: claim.id, decision: 'agree', note: null });
  await submitted.poll();
  expect(connection.refreshes).toBe(0);

  // 6 s (a tenth of the lifetime) before the end, a poll asks for a new session before sending anything...
  clock.advance(Number(connection.authData.accessTokenExpiresAt) - 5 * 1000 - Date.now());
  arrivals.splice(0);
  expect((await failure(submitted.attempt())).name).toBe('RefreshAuthError');
  expect(arrivals).toEqual([]);
  // ...and the new token works at once.
  await connection.connect();
  expect(await submitted.attempt()).toEqual([]);
});

test('an action needs its 30 s only within what a 60-second token can give: half its lifetime', async () => {
  const { sandbox } = suite;
  const connection = await new Connection(sandbox).connect();
  const claim = await connection.startApproval(people.wong, expenseForm('Courier', [['SF Express', 95]]));
  // 31 s left: more than half the lifetime, so Revoke starts with this token rather than refreshing forever.
  clock.advance(Number(connection.authData.accessTokenExpiresAt) - 31 * 1000 - Date.now());
  const revoked = await connection.attempt<Record<string, unknown>>(app.creates.revoke_approval!.operation.perform, { processInstanceId: claim.id, operatingUserId: people.wong });
  expect(revoked).toMatchObject({ id: claim.id, status: 'TERMINATED' });
  expect(connection.refreshes).toBe(0);
});
