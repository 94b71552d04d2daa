/**
 * `kill -9` of a relay process (node build/tools/relay/cli.js, SQLite) in the middle of a burst of 1,000 DingTalk
 * events (250 expense claims: start, first task, decision, finish), while it delivers them to two instant Zaps,
 * then a restart. The kill comes from the receiver itself, the moment a POST reaches it and before it answers, so
 * at least one POST's outcome is lost with the process: the receiver got it, the relay never recorded it.
 * Nothing is lost, and every POST a hook got twice says `redelivery: true` the second time and is counted in
 * the relay's /status. The sandbox also duplicates 5 % of events after their ack and redelivers un-acked ones;
 * those are stored once and never reach a hook twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { axiosTransport } from '../../dingtalk/axios-transport';
import { createSandbox, type Sandbox } from '../../sandbox';
import type { Received } from '../relay/receiver';
import { approvalBurst } from '../relay/intake-helpers';
import { codes } from '../sandbox/helpers';
import { Connection } from './harness';
import { bothConnectionsOpen, checkRelayBuild, InstantZap, relayApi, relayEnv, startHooks, startRelay, waitFor, type Hooks, type RelayChild } from './relay-harness';

const ENV_KEYS = ['DINGTALK_API_BASE_URL', 'DINGTALK_OAPI_BASE_URL'] as const;
const APPROVALS = 250;
/** The submitted hook's POST that kills the relay (0-based): well into the burst, with most of it to come. */
const KILL_AT = 80;

let dir: string;
let sandbox: Sandbox | undefined;
let hooks: Hooks | undefined;
const relays: RelayChild[] = [];

beforeAll(() => {
  checkRelayBuild();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(async () => {
  for (const relay of relays) await relay.kill9();
  await hooks?.close();
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  for (const key of ENV_KEYS) delete process.env[key];
  nock.disableNetConnect();
});

test('kill -9 mid-burst of 1,000 events and restart: every approval reaches each Zap, and every duplicate POST is marked and counted', async () => {
  sandbox = await createSandbox({ qpsLimit: 10_000, events: { duplicateRate: 0.05, redeliverAfterMs: 1000 } });
  for (const key of ENV_KEYS) process.env[key] = sandbox.url;
  dir = mkdtempSync(join(tmpdir(), 'relay-e2e-crash-'));
  const env = relayEnv(sandbox, `sqlite:${join(dir, 'relay.db')}`);
  const first = await startRelay(env);
  relays.push(first);
  const api = relayApi(first.url, sandbox.credentials);
  hooks = await startHooks();
  const zapier = await new Connection(sandbox).connect();
  zapier.authData = { ...zapier.authData, relayUrl: first.url };
  const submitted = await new InstantZap(zapier, hooks, '/hooks/submitted', { event: 'submitted', processCode: codes.expense }).turnOn();
  const finished = await new InstantZap(zapier, hooks, '/hooks/finished', { event: 'finished', processCode: codes.expense }).turnOn();
  await waitFor('both Stream connections open', async () => bothConnectionsOpen(await api.status()), 20_000, 200);

  // Each answer takes 20 ms, so POSTs overlap; the KILL_AT-th is received and never answered.
  let emittedAtKill = 0;
  const killed = new Promise<void>((resolve) =>
    hooks!.answer(submitted.path, (nth) => {
      if (nth === KILL_AT) {
        first.child.kill('SIGKILL');
        emittedAtKill = sandbox!.events.emitted().length;
        resolve();
      }
      return { status: 200, delayMs: 20 };
    }),
  );
  hooks.answer(finished.path, () => ({ status: 200, delayMs: 20 }));
  const transport = axiosTransport({ ...sandbox.credentials });
  const burst = approvalBurst(sandbox, transport, APPROVALS);
  await killed;
  await first.exited;
  expect(first.child.signalCode).toBe('SIGKILL');
  const second = await startRelay(env);
  relays.push(second);
  const ids = await burst;

  // The restarted relay takes the Stream slots once the dead process's leases expire (15 s), and its deliveries
  // once their claim locks run out (60 s, relay/delivery/worker.ts).
  const restarted = relayApi(second.url, sandbox.credentials);
  const status = await waitFor(
    'every delivery sent',
    async () => {
      const tenant = await restarted.status();
      return sandbox!.events.unsettled() === 0 && tenant?.deliveries.sent === 2 * APPROVALS && tenant.deliveries.queued === 0 && tenant.deliveries.retrying === 0 && tenant;
    },
    120_000,
    500,
  );

  const emitted = sandbox.events.emitted().length;
  expect(emitted).toBeGreaterThanOrEqual(4 * APPROVALS);
  expect(emittedAtKill).toBeGreaterThan(0);
  expect(emittedAtKill).toBeLessThan(emitted);

  // Nothing lost: each approval reached the submitted Zap and the finished Zap, with the right outcome.
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

  // Twice at most, and only with the mark: same webhook-id, `redelivery: true` on the second copy.
  const duplicates = [...submissions.values(), ...finishes.values()].filter((copies) => copies.length > 1);
  expect(duplicates.length).toBeGreaterThanOrEqual(1);
  for (const copies of duplicates) {
    expect(copies).toHaveLength(2);
    expect(copies.map((copy) => copy.json.redelivery)).toEqual([false, true]);
    expect(copies[1]!.headers['webhook-id']).toBe(copies[0]!.headers['webhook-id']);
  }
  // Counted: every duplicate, plus deliveries the dead process had claimed but not yet POSTed (marked, sent once).
  const markedOnce = [...submissions.values(), ...finishes.values()].filter((copies) => copies.length === 1 && copies[0]!.json.redelivery).length;
  expect(status.deliveries.redeliveries).toBe(duplicates.length + markedOnce);
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
