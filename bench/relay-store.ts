/**
 * The relay store's write path: how fast events can be made durable, which bounds how fast the relay can
 * acknowledge them ("persist, then ack"). A script, not a test; it prints one table.
 *
 * Rows: SQLite as the relay runs it (WAL, synchronous=FULL: every commit fsynced): one event per call, one call
 * at a time (the worst case: one fsync per event); 16 calls at once (as when events arrive together: calls
 * waiting on a commit are grouped into the next one); 20 events per call. The baseline is the same file with
 * synchronous=NORMAL (no fsync per commit, not durable against power loss), measured in the same run.
 * "commit" latency is from the call to its events being committed: the earliest the relay can ack.
 * With RELAY_BENCH_DATABASE_URL=postgres://… it adds the same rows on that Postgres.
 *
 *   npm run build:tools && node build/tools/bench/relay-store.js [--events=2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore, type NewEvent, type Store } from '../relay/store';

const count = Number(process.argv.find((a) => a.startsWith('--events='))?.slice(9) ?? 2000);

const eventAt = (run: string, i: number): NewEvent => ({
  tenantId: 'dingBench', eventId: `${run}-${i}`, eventType: 'bpms_task_change', changeType: 'finish', result: 'agree',
  processInstanceId: `pi-${i % 300}`, processCode: 'PROC-BENCH', taskId: String(800000 + i), staffId: 'manager75', bornAt: Date.now(), via: 'stream',
  raw: { eventId: `${run}-${i}`, data: { result: 'agree', processInstanceId: `pi-${i % 300}`, taskId: 800000 + i, remark: '同意' } },
});

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Records `count` events in batches of `batch`, `inFlight` batches at a time; per-event latency = its batch's commit. */
async function measure(store: Store, run: string, batch: number, inFlight: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const events = Array.from({ length: Math.min(batch, count - next) }, () => eventAt(run, next++));
      const t = performance.now();
      await store.events.record(events, Date.now());
      const ms = performance.now() - t;
      for (let i = 0; i < events.length; i++) latencies.push(ms);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function rows(label: string, url: string, baseline?: (store: Store) => Promise<void>) {
  const store = await openStore(url);
  await baseline?.(store);
  const results = [
    [`${label}, 1 event per call, one call at a time`, await measure(store, `${label}-1`, 1, 1)],
    [`${label}, 1 event per call, 16 calls at once`, await measure(store, `${label}-16`, 1, 16)],
    [`${label}, 20 events per call`, await measure(store, `${label}-20`, 20, 1)],
  ] as const;
  await store.close();
  return results;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'relay-bench-'));
  try {
    const durable = await rows('SQLite FULL', `sqlite:${join(dir, 'full.db')}`);
    const normal = await rows('SQLite NORMAL (baseline)', `sqlite:${join(dir, 'normal.db')}`, async (store) => {
      await store.db.run('PRAGMA synchronous = NORMAL');
    });
    const postgres = process.env.RELAY_BENCH_DATABASE_URL ? await rows('Postgres', process.env.RELAY_BENCH_DATABASE_URL) : [];
    console.log(`Relay store write path, ${count} events per row (${new Date().toISOString()})`);
    console.log('| Row | events/s | commit p50 ms | commit p99 ms | events/s vs baseline |');
    console.log('|---|---:|---:|---:|---:|');
    [...durable, ...normal, ...postgres].forEach(([label, r], i) => {
      const base = normal[i % 3]![1].perSecond;
      console.log(`| ${label} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(r.perSecond / base).toFixed(2)} |`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
