/**
 * The loss test: the sandbox's Stream gateway, a real relay process on SQLite, a burst of about 1,000 approval
 * changes, `kill -9` of the relay mid-burst and a restart. Every event DingTalk emitted is stored exactly once,
 * including the duplicates the sandbox injects after acks and its redeliveries (slow acks make every event come
 * twice, the second time behind newer events), before and after the kill.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../relay/log';
import { openRelay, type Relay } from '../../relay/open';
import { sandboxSuite } from '../sandbox/helpers';
import { approvalBurst, MASTER_KEY, startRelayProcess, waitFor, type RelayProcess } from './intake-helpers';

const start = sandboxSuite();
let dir: string;
let relay: Relay | undefined;
const processes: RelayProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relay-loss-'));
});
afterEach(async () => {
  for (const { child } of processes.splice(0)) child.kill('SIGKILL');
  await relay?.store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('kill -9 mid-burst and restart: every event stored exactly once, duplicates and redeliveries included', async () => {
  // Acks take effect 600 ms late and unacked events are pushed again after 500 ms: every event is redelivered once,
  // behind newer events, whether or not the kill catches it in flight; 5% are duplicated after their ack.
  const { sandbox, transport } = await start({ qpsLimit: 10_000, events: { duplicateRate: 0.05, redeliverAfterMs: 500, ackDelayMs: 600 } });
  const env = { ...process.env, RELAY_PORT: '0', RELAY_MASTER_KEY: MASTER_KEY, RELAY_DATABASE_URL: `sqlite:${join(dir, 'relay.db')}`, DINGTALK_API_BASE_URL: sandbox.url };
  relay = await openRelay({ env, log: createLogger(() => undefined) });
  const tenantId = sandbox.credentials.appKey;
  await relay.tenants.add({ clientId: tenantId, clientSecret: sandbox.credentials.appSecret });
  const stored = async () => relay!.store.events.latest(tenantId, 100_000);

  const first = startRelayProcess(env);
  processes.push(first);
  await waitFor('the relay holding two connections', () => sandbox.events.connections().length === 2, 30_000);

  let killedAt = 0;
  await approvalBurst(sandbox, transport, 250, async (decided) => {
    if (decided !== 100) return;
    first.child.kill('SIGKILL');
    killedAt = Date.now();
    await first.exited;
  });
  const storedAtKill = (await stored()).length;
  expect(storedAtKill).toBeGreaterThan(0);
  expect(storedAtKill).toBeLessThan(sandbox.events.emitted().length);

  const second = startRelayProcess(env);
  processes.push(second);
  // The dead process's leases expire (15 s) before the new one takes its slots.
  await waitFor('every event acknowledged', () => sandbox.events.unsettled() === 0, 60_000, 250);
  await new Promise((done) => setTimeout(done, 300)); // late duplicates, pushed 20 ms after an ack

  const emitted = sandbox.events.emitted();
  const rows = await stored();
  expect(emitted.length).toBeGreaterThanOrEqual(1000);
  expect(rows).toHaveLength(emitted.length);
  expect(rows.map((row) => row.eventId).sort()).toEqual(emitted.map((event) => event.eventId).sort());
  const byId = new Map(rows.map((row) => [row.eventId, row]));
  for (const event of emitted) {
    expect(byId.get(event.eventId)).toMatchObject({ eventType: event.eventType, changeType: event.data.type, processInstanceId: event.data.processInstanceId, via: 'stream' });
  }

  const deliveries = sandbox.events.deliveries();
  expect(deliveries.filter((d) => d.kind === 'duplicate').length).toBeGreaterThan(0);
  // Redeliveries, after the kill too, behind events pushed later: out of order, and stored once all the same.
  const redelivered = deliveries.filter((d) => d.kind === 'redelivery');
  expect(redelivered.filter((d) => d.at > killedAt).length).toBeGreaterThan(0);
  const firstPushOf = new Map(deliveries.filter((d) => d.kind === 'push').map((d) => [d.eventId, d.at]));
  const overtaken = redelivered.filter((d) => firstPushOf.has(d.eventId) && deliveries.some((other) => other.kind === 'push' && other.at > firstPushOf.get(d.eventId)! && other.at < d.at));
  expect(overtaken.length).toBeGreaterThan(100);
  expect(second.logs.some((line) => line.msg === 'stream.open')).toBe(true);
}, 120_000);
