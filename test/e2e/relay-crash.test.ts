/**
 * `kill -9` of a relay process (node build/tools/relay/cli.js, SQLite) in the middle of a burst of 1,000 DingTalk
 * events (250 expense claims: start, first task, decision, finish), while it delivers them to two instant Zaps,
 * then a restart. The kill comes from the receiver itself, the moment a POST reaches it and before it answers, so
 * at least one POST's outcome is lost with the process: the receiver got it, the relay never recorded it.
 * Nothing is lost, and every POST a hook got twice says `redelivery: true` the second time and is counted in
 * the relay's /status. The sandbox also duplicates 5 % of events after their ack and redelivers un-acked ones;
 * those are stored once and never reach a hook twice.
 */
import { axiosTransport } from '../../dingtalk/axios-transport';
import { approvalBurst } from '../relay/intake-helpers';
import { codes } from '../sandbox/helpers';
import { Connection } from './harness';
import { bothConnectionsOpen, expectMarkedRedeliveries, InstantZap, postsByApproval, relayApi, relayEnv, relaySuite, waitFor } from './relay-harness';

const APPROVALS = 250;
/** The submitted hook's POST that kills the relay (0-based): well into the burst, with most of it to come. */
const KILL_AT = 80;

const suite = relaySuite();

test('kill -9 mid-burst of 1,000 events and restart: every approval reaches each Zap, and every duplicate POST is marked and counted', async () => {
  const sandbox = await suite.sandbox({ qpsLimit: 10_000, events: { duplicateRate: 0.05, redeliverAfterMs: 1000 } });
  const env = relayEnv(sandbox, suite.sqliteUrl());
  const first = await suite.relay(env);
  const api = relayApi(first.url, sandbox.credentials);
  const hooks = await suite.hooks();
  const zapier = await new Connection(sandbox).connect();
  zapier.authData = { ...zapier.authData, relayUrl: first.url };
  const submitted = await new InstantZap(zapier, hooks, '/hooks/submitted', { event: 'submitted', processCode: codes.expense }).turnOn();
  const finished = await new InstantZap(zapier, hooks, '/hooks/finished', { event: 'finished', processCode: codes.expense }).turnOn();
  await waitFor('both Stream connections open', async () => bothConnectionsOpen(await api.status()), 20_000, 200);

  // Each answer takes 20 ms, so POSTs overlap; the KILL_AT-th is received and never answered.
  let emittedAtKill = 0;
  const killed = new Promise<void>((resolve) =>
    hooks.answer(submitted.path, (nth) => {
      if (nth === KILL_AT) {
        first.child.kill('SIGKILL');
        emittedAtKill = sandbox.events.emitted().length;
        resolve();
      }
      return { status: 200, delayMs: 20 };
    }),
  );
  hooks.answer(finished.path, () => ({ status: 200, delayMs: 20 }));
  const transport = axiosTransport({ ...sandbox.credentials });
  // The burst's decisions wait for the kill after the 100th, so the kill always lands mid-burst however fast
  // either side runs.
  const burst = approvalBurst(sandbox, transport, APPROVALS, (decided) => (decided === 100 ? killed : undefined));
  await killed;
  await first.exited;
  expect(first.child.signalCode).toBe('SIGKILL');
  const second = await suite.relay(env);
  const ids = await burst;

  // The restarted relay takes the Stream slots once the dead process's leases expire (15 s), and its deliveries
  // once their claim locks run out (60 s, relay/delivery/worker.ts).
  const restarted = relayApi(second.url, sandbox.credentials);
  const status = await waitFor(
    'every delivery sent',
    async () => {
      const tenant = await restarted.status();
      return sandbox.events.unsettled() === 0 && tenant?.deliveries.sent === 2 * APPROVALS && tenant.deliveries.queued === 0 && tenant.deliveries.retrying === 0 && tenant;
    },
    120_000,
    500,
  );

  const emitted = sandbox.events.emitted().length;
  expect(emitted).toBeGreaterThanOrEqual(4 * APPROVALS);
  expect(emittedAtKill).toBeGreaterThan(0);
  expect(emittedAtKill).toBeLessThan(emitted);

  // Nothing lost: each approval reached the submitted Zap and the finished Zap, with the right outcome.
  const finishes = postsByApproval(finished);
  expect([...postsByApproval(submitted).keys()].sort()).toEqual([...ids].sort());
  expect([...finishes.keys()].sort()).toEqual([...ids].sort());
  ids.forEach((id, index) => expect([id, finishes.get(id)![0]!.json.kind]).toEqual([id, index % 5 === 0 ? 'rejected' : 'approved']));

  // Twice at most, and only with the mark; every marked delivery counted. The unanswered POST is one of them.
  const duplicates = expectMarkedRedeliveries([submitted, finished], status.deliveries.redeliveries);
  expect(duplicates.length).toBeGreaterThanOrEqual(1);
  expect(status.deliveries.dead).toBe(0);

  // Delivery fetched no approval: the relays' only DingTalk calls were free (tokens, Stream tickets); the metered
  // calls were the burst's own submissions.
  expect(sandbox.meter.byEndpoint.GetProcessInstance ?? 0).toBe(0);
  expect(sandbox.meter.byEndpoint.StartProcessInstance).toBe(APPROVALS);

  // A redelivered record runs the Zap like any other (Zapier does not deduplicate instant triggers).
  const redelivered = duplicates[0]![1]!;
  const zap = redelivered.path === submitted.path ? submitted : finished;
  await expect(zap.perform(redelivered)).resolves.toEqual([expect.objectContaining({ id: redelivered.json.approval_id })]);
  process.stderr.write(`relay-crash: killed after ${emittedAtKill} of ${emitted} events; ${duplicates.length} duplicate POSTs, ${status.deliveries.redeliveries} marked\n`);
}, 180_000);
