/**
 * The replica test: three real relay processes sharing a real PostgreSQL (started by this file), the sandbox's
 * Stream gateway, a burst of approval changes, and `kill -9` of a process holding one of the tenant's connections
 * mid-burst. Each event is stored once, and the killed process's connection is taken over within 30 s.
 */
import { createLogger } from '../../relay/log';
import { openRelay, type Relay } from '../../relay/open';
import { sandboxSuite } from '../sandbox/helpers';
import { startTestPostgres, type TestPostgres } from './postgres-server';
import { approvalBurst, MASTER_KEY, startRelayProcess, waitFor, type RelayProcess } from './intake-helpers';

const start = sandboxSuite();
let postgres: TestPostgres;
let relay: Relay | undefined;
const processes: RelayProcess[] = [];

beforeAll(async () => {
  postgres = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  for (const { child } of processes.splice(0)) child.kill('SIGKILL');
  await relay?.store.close();
  await postgres?.stop();
});

test('three relays on PostgreSQL: each event stored once; a killed relay\'s connection taken over within 30 s', async () => {
  const { sandbox, transport } = await start({ qpsLimit: 10_000, events: { duplicateRate: 0.05, redeliverAfterMs: 1000 } });
  const env = { ...process.env, RELAY_PORT: '0', RELAY_MASTER_KEY: MASTER_KEY, RELAY_DATABASE_URL: await postgres.createDatabase('replicas'), DINGTALK_API_BASE_URL: sandbox.url };
  relay = await openRelay({ env, log: createLogger(() => undefined) });
  const tenantId = sandbox.credentials.appKey;
  await relay.tenants.add({ clientId: tenantId, clientSecret: sandbox.credentials.appSecret });
  const store = relay.store;

  for (let i = 0; i < 3; i++) processes.push(startRelayProcess(env));
  const holders = async () => (await store.leases.all()).map((lease) => lease.holder);
  await waitFor('the two slots on two different relays', async () => {
    const h = await holders();
    return h.length === 2 && h[0] !== h[1] && sandbox.events.connections().length === 2;
  }, 90_000, 200); // three processes starting at once on a busy 2-core machine

  let killedAt = 0;
  let victim = '';
  await approvalBurst(sandbox, transport, 60, async (decided) => {
    if (decided !== 20) return;
    victim = (await holders())[0]!;
    const pid = Number(victim.split('-').at(-2));
    processes.find((p) => p.child.pid === pid)!.child.kill('SIGKILL');
    killedAt = Date.now();
  });

  const tookMs = await waitFor('both slots held by live relays, with two connections open', async () => {
    const h = await holders();
    return h.length === 2 && !h.includes(victim) && h[0] !== h[1] && sandbox.events.connections().length === 2 && Date.now() - killedAt;
  }, 35_000, 200);
  expect(tookMs).toBeLessThanOrEqual(30_000);

  await waitFor('every event acknowledged', () => sandbox.events.unsettled() === 0, 30_000, 250);
  await new Promise((done) => setTimeout(done, 300));
  const emitted = sandbox.events.emitted();
  const rows = await store.events.latest(tenantId, 100_000);
  expect(rows).toHaveLength(emitted.length);
  expect(rows.map((row) => row.eventId).sort()).toEqual(emitted.map((event) => event.eventId).sort());
  const survivors = processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  expect(survivors).toHaveLength(2);
}, 240_000);
