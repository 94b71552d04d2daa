/**
 * Failover with real processes on a real PostgreSQL: two relays share a tenant's two connection slots, one per
 * process; `kill -9` one of them and the other holds both slots within 30 s, with the production timings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createLogger } from '../../relay/log';
import { openRelay } from '../../relay/open';
import type { Store } from '../../relay/store';
import { startTestPostgres, type TestPostgres } from './postgres-server';

const ROOT = resolve(__dirname, '..', '..');
const MASTER_KEY = 'failover test master key, 32+ chars';

let postgres: TestPostgres;
let store: Store;
const children: ChildProcess[] = [];
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  postgres = await startTestPostgres();
  const url = await postgres.createDatabase('failover');
  // No DingTalk here: intake's connection attempts fail fast on a closed local port and back off, never the internet.
  env = { ...process.env, RELAY_DATABASE_URL: url, RELAY_MASTER_KEY: MASTER_KEY, RELAY_PORT: '0', DINGTALK_API_BASE_URL: 'http://127.0.0.1:9' };
  const relay = await openRelay({ env, log: createLogger(() => undefined), checkCredentials: async () => undefined });
  await relay.tenants.add({ clientId: 'dingA', clientSecret: 'client-secret-dingA' });
  store = relay.store;
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await store?.close();
  await postgres?.stop();
});

function startRelayProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-r', join(__dirname, 'ts-register.js'), '-e', "require('./relay/cli').main([])"], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

const holders = async () => (await store.leases.all()).map((lease) => lease.holder);

async function waitFor(what: string, condition: (holders: string[]) => boolean, withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (condition(await holders())) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`${what} did not happen within ${withinMs} ms; leases: ${JSON.stringify(await store.leases.all())}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

test('kill -9 of one relay: the other takes over its connection slot within 30 s', async () => {
  startRelayProcess();
  await waitFor('the first relay holding both slots', (h) => h.length === 2 && h[0] === h[1], 20_000);
  startRelayProcess();
  await waitFor('the slots spreading over both relays', (h) => h.length === 2 && h[0] !== h[1], 20_000);

  const victim = (await store.leases.all()).find((lease) => lease.slot === 0)!.holder;
  const pid = Number(victim.split('-').at(-2));
  process.kill(pid, 'SIGKILL');
  const tookMs = await waitFor('the survivor holding both slots', (h) => h.length === 2 && h[0] === h[1] && h[0] !== victim, 30_000);
  expect(tookMs).toBeLessThanOrEqual(30_000);
}, 120_000);
