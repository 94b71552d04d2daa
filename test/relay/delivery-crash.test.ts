/**
 * `kill -9` of a real relay process (npm run relay's serve path) while it delivers a burst of 1,000 events to ten
 * hooks, on SQLite and on a real PostgreSQL. Another worker then takes over the dead process's claims: every
 * event reaches its hook, and every event a hook got twice is marked `redelivery: true` the second time and
 * counted in the store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import nock from 'nock';
import { deliveryWorker } from '../../relay/delivery/worker';
import { createLogger } from '../../relay/log';
import { openRelay, type Relay } from '../../relay/open';
import { newSigningSecret } from '../../relay/delivery/signature';
import { sealSubscription } from '../../relay/delivery/subscription-secrets';
import { describeEachBackend } from './backends';
import { approvalEvent } from './delivery-fixtures';
import { startReceiver, type Received } from './receiver';

const ROOT = resolve(__dirname, '..', '..');
const MASTER_KEY = 'delivery crash test master key, 32+';
const EVENTS = 1000;
const HOOKS = 10;
/** The serve path's claim lock (relay/delivery/worker.ts): after it, another worker may take a claim over. */
const LOCK_MS = 60_000;

jest.setTimeout(120_000);
beforeAll(() => nock.enableNetConnect('127.0.0.1'));
afterAll(() => nock.disableNetConnect());

const until = async (what: string, condition: () => boolean | Promise<boolean>, withinMs: number) => {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > withinMs) throw new Error(`${what} did not happen within ${withinMs} ms`);
    await new Promise((done) => setTimeout(done, 50));
  }
};

describeEachBackend((backend) => {
  let child: ChildProcess | undefined;
  let relay: Relay | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await relay?.store.close();
  });

  test('kill -9 mid-burst loses nothing, and every duplicate is marked and counted', async () => {
    const hook = await startReceiver(() => ({ status: 200, delayMs: 5 }));
    try {
      const env = { ...process.env, RELAY_DATABASE_URL: await backend().newDatabaseUrl(), RELAY_MASTER_KEY: MASTER_KEY, RELAY_PORT: '0' };
      relay = await openRelay({ env, log: createLogger(() => undefined) });
      const { store, sealer } = relay;
      for (let i = 0; i < HOOKS; i += 1) {
        const id = `sub-${i}`;
        const sealed = sealSubscription(sealer, id, `${hook.url}/hook/${i}`, newSigningSecret());
        await store.subscriptions.add({ id, tenantId: 'dingA', kind: 'webhook', ...sealed, filters: { kinds: ['approved'], processCodes: [`PROC-${i}`] } }, Date.now());
      }

      child = spawn(process.execPath, ['-r', join(__dirname, 'ts-register.js'), '-e', "require('./relay/cli').main([])"], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
      const burst = Array.from({ length: EVENTS }, (_, i) => approvalEvent({ eventId: `ev-${i}`, processInstanceId: `pi-${i}`, processCode: `PROC-${i % HOOKS}` }));
      let recorded = 0;
      const recording = (async () => {
        for (; recorded < EVENTS; recorded += 50) await store.events.record(burst.slice(recorded, recorded + 50), Date.now());
      })();
      await until('the relay delivering a third of the burst', () => hook.received.length >= EVENTS / 3, 60_000);
      child.kill('SIGKILL');
      await new Promise((done) => child!.once('exit', done));
      const atKill = hook.received.length;
      await recording;

      // The survivor: the same worker the relay runs, its clock past the dead process's claim locks.
      const survivor = deliveryWorker({ store, sealer, log: createLogger(() => undefined), now: () => Date.now() + LOCK_MS + 1000 });
      await until('every delivery done', async () => {
        await survivor.runOnce();
        const counts = await store.deliveries.counts('dingA');
        return Number(counts?.sent) === EVENTS;
      }, 60_000);

      const byId = new Map<string, Received[]>();
      for (const request of hook.received) byId.set(request.json.id, [...(byId.get(request.json.id) ?? []), request]);
      expect(byId.size).toBe(EVENTS);
      const duplicates = [...byId.values()].filter((copies) => copies.length > 1);
      for (const copies of duplicates) {
        expect(copies).toHaveLength(2);
        expect(copies.map((c) => c.json.redelivery)).toEqual([false, true]);
        expect(copies[1]!.headers['webhook-id']).toBe(copies[0]!.headers['webhook-id']);
      }
      const counted = Number((await store.deliveries.counts('dingA'))?.redeliveries);
      expect(counted).toBeGreaterThanOrEqual(duplicates.length);
      // Marked but not duplicated: claimed by the dead process, not yet POSTed when it died.
      const markedOnce = [...byId.values()].filter((copies) => copies.length === 1 && copies[0]!.json.redelivery).length;
      expect(counted).toBe(duplicates.length + markedOnce);
      process.stderr.write(`${backend().name}: killed after ${atKill} POSTs; ${duplicates.length} duplicates, ${counted} redeliveries marked\n`);
    } finally {
      await hook.close();
    }
  });
});
