/**
 * The benchmark: a script, not a test. It prints one table per part and writes bench/results/bench.json.
 *
 * 1. Quota: metered DingTalk calls per month for the reference workload (one template, 300 approvals a month,
 *    each finishing within 48 hours, three Zaps) at 15-, 2- and 1-minute polling, ours against the naive window
 *    scan and DingTalk's 5,000 free calls (the quota cost model, bench/cost-model.ts).
 * 2. Poll time: the triggers' real poll (`pollLedger`) through the project's axios client against the local
 *    DingTalk sandbox over HTTP, at 50 ms latency under the 20 QPS limit, with 20, 200 and 2,000 approvals in
 *    the 7-day look-back window; wall time and calls, ours against the naive window scan.
 * 3. Cold start: the time to load the compiled app (dist/index.js) in a fresh Node process.
 *
 *   npm run bench          builds dist/ and the tools first; takes several minutes
 *
 * While working on it: `node build/tools/bench/run.js --parts=2,3 --sizes=20,200` runs a subset and writes no JSON.
 * `--latency=250` sets DingTalk's latency for part 2 (default 50 ms) and checks the poll-time targets.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_LOOK_BACK_DAYS, KINDS, type KindName } from '../approvals/ledger/kinds';
import type { Ledger } from '../approvals/ledger/entry';
import { mapLimited } from '../lib/limiter';
import { pollLedger, type PollInput } from '../approvals/ledger/ledger';
import { cacheKeys } from '../lib/cache-keys';
import { DAY_MS, HOUR_MS as HOUR, MINUTE_MS as MINUTE } from '../lib/time';
import { memoryStore } from '../lib/store';
import { getUser } from '../dingtalk/contact';
import type { Endpoint } from '../dingtalk/endpoints';
import { DingTalkError } from '../dingtalk/errors';
import { axiosTransport } from '../dingtalk/axios-transport';
import { getProcessInstance, listProcessInstanceIds, startProcessInstance, type FormComponentValueInput } from '../dingtalk/workflow';
import { createSandbox, type Sandbox } from '../sandbox';
import { costModelRows, FREE_QUOTA, printSections, random, type CostRow } from './cost-model';

const ROOT = join(__dirname, '..', '..', '..');
const LOOK_BACK_MS = DEFAULT_LOOK_BACK_DAYS * DAY_MS;

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const PARTS = (arg('parts') ?? '1,2,3').split(',').map(Number);
const SIZES = (arg('sizes') ?? '20,200,2000').split(',').map(Number);
const PARTIAL = arg('parts') !== undefined || arg('sizes') !== undefined;
/**
 * DingTalk's latency per call. 50 ms is a call from inside China; Zapier runs in the United States, so
 * `--latency=250` is what a Zap sees (⚠ an estimate of a trans-Pacific round trip plus DingTalk's own time).
 */
const LATENCY_MS = Number(arg('latency') ?? 50);
/** Targets at real-world latency (issue 9): a rebuild of 2,000 approvals, a steady-state poll, any poll. */
const TARGETS = { rebuildMs: 10_000, steadyMs: 2_000, anyPollMs: 20_000 };
const QPS_LIMIT = 20;
/** Zapier stops a trigger's perform after 30 seconds. */
const ZAPIER_LIMIT_MS = 30_000;
/** The seeded Business Travel template: its only seeded approval is 10 days old, so the window holds exactly ours. */
const TEMPLATE = 'PROC-SBX-TRAVEL-0002';
const ORIGINATOR = 'user-chan-0001';
const FINISHED_BEFORE_POLL = 5;
const COLD_START_RUNS = 15;

const format = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => format(Math.round(n));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

// ─── 1. Quota ────────────────────────────────────────────────────────────────────────────────────────────────

async function quota(): Promise<CostRow[]> {
  const rows = await costModelRows();
  console.log('\n## 1. Metered DingTalk calls per month (the cost model)\n');
  console.log(`DingTalk free edition quota: ${format(FREE_QUOTA)} metered calls/month for the whole org.`);
  printSections(rows);
  return rows;
}

// ─── 2. Poll wall time and calls against the sandbox ─────────────────────────────────────────────────────────

const v = (name: string, value: unknown): FormComponentValueInput => ({ name, value: typeof value === 'string' ? value : JSON.stringify(value) });

/** A trip to a low-risk destination: the manager alone decides it. */
const tripForm: FormComponentValueInput[] = [
  v('Trip Purpose 出差目的', 'Supplier audit 供應商審核'),
  v('Destination 目的地', 'Japan 日本'),
  v(JSON.stringify(['Departure 出發日期', 'Return 返回日期']), ['2026-12-01', '2026-12-04']),
  v('Estimated Cost (HKD) 預計費用', '9000'),
];

interface Counter {
  requests: number;
  metered: number;
  byEndpoint: Record<string, number>;
}

interface Measurement {
  size: number;
  poll: string;
  wallMs: number;
  /** Metered calls the client sent (onRequest), and what the sandbox's meter counted (a cross-check). */
  metered: number;
  sandboxMetered: number;
  /** Every request, free ones (token, contacts) included. */
  requests: number;
  byEndpoint: Record<string, number>;
  records: number;
  throttledRetries?: number;
  error?: string;
  notes: string[];
}

interface SizeResult {
  size: number;
  running: number;
  finished: number;
  setupSeconds: number;
  ledgerBytes: number;
  measurements: Measurement[];
}

/** Who has the approval's running task. */
function runningApprover(sandbox: Sandbox, id: string): string {
  const instance = sandbox.org.instance(id) as { tasks: { userId: string; status: string }[] } | undefined;
  const task = instance?.tasks.find((candidate) => candidate.status === 'RUNNING');
  if (!task) throw new Error(`approval ${id} has no running task`);
  return task.userId;
}

/**
 * `size` approvals submitted evenly over the 7-day window (newest 30 minutes ago), each decided 5 minutes to 48 hours
 * later (80 % approved, 15 % rejected, 5 % revoked) unless that is still in the future: the cost model's mix, except
 * that the five newest are kept running.
 * Submitted through the API with the sandbox clock set to each submission time; decided through sandbox.org.
 */
async function populate(sandbox: Sandbox, clock: { offset: number }, size: number): Promise<{ ids: string[]; running: string[] }> {
  const next = random(size);
  const base = Date.now();
  const plan = Array.from({ length: size }, (_, i) => {
    const createdAt = base - LOOK_BACK_MS + 30 * MINUTE + ((i + next()) / size) * (LOOK_BACK_MS - 60 * MINUTE);
    // The five newest still run, so a poll can watch five finish even in the smallest window.
    const decidedAfter = 5 * MINUTE + next() * 48 * HOUR;
    const finishedAt = i >= size - FINISHED_BEFORE_POLL ? base + HOUR : createdAt + decidedAfter;
    const roll = next();
    return { createdAt, finishedAt, outcome: roll < 0.8 ? ('agree' as const) : roll < 0.95 ? ('refuse' as const) : ('revoke' as const) };
  });
  const events = plan.flatMap((approval, i) => [
    { at: approval.createdAt, i, kind: 'start' as const },
    ...(approval.finishedAt < base ? [{ at: approval.finishedAt, i, kind: 'finish' as const }] : []),
  ]);
  events.sort((a, b) => a.at - b.at);

  const transport = axiosTransport(sandbox.credentials);
  const ids: string[] = new Array(size);
  for (const event of events) {
    clock.offset = event.at - Date.now();
    if (event.kind === 'start') {
      ids[event.i] = await startProcessInstance(transport, { processCode: TEMPLATE, originatorUserId: ORIGINATOR, deptId: 100, formComponentValues: tripForm });
      continue;
    }
    const id = ids[event.i]!;
    const { outcome } = plan[event.i]!;
    if (outcome === 'revoke') sandbox.org.revoke(id, ORIGINATOR);
    else sandbox.org.act(id, runningApprover(sandbox, id), outcome);
  }
  clock.offset = 0;
  // Oldest first: the next to finish.
  const running = plan.map((approval, i) => ({ approval, id: ids[i]! })).filter(({ approval }) => approval.finishedAt >= base).map(({ id }) => id);
  return { ids, running };
}

const ledgerOf = (store: ReturnType<typeof memoryStore>): Ledger | undefined => {
  const raw = store.data.get(cacheKeys.ledger({ processCode: TEMPLATE }));
  return raw === undefined ? undefined : (JSON.parse(raw) as Ledger);
};

async function pollSize(size: number): Promise<SizeResult> {
  const clock = { offset: 0 };
  const setupStarted = performance.now();
  // Setup runs fast (no latency, no QPS limit); tokens live a month so the back-dated clock cannot expire them.
  const sandbox = await createSandbox({ now: () => Date.now() + clock.offset, latencyMs: 0, qpsLimit: 1_000_000, tokenTtlSeconds: 30 * 24 * 3600 });
  process.env.DINGTALK_API_BASE_URL = sandbox.url;
  process.env.DINGTALK_OAPI_BASE_URL = sandbox.url;
  try {
    const { ids, running } = await populate(sandbox, clock, size);
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    sandbox.faults.setLatency(LATENCY_MS);
    sandbox.faults.setQpsLimit(QPS_LIMIT);
    let counter: Counter = { requests: 0, metered: 0, byEndpoint: {} };
    const onRequest = (endpoint: Endpoint) => {
      counter.requests += 1;
      if (endpoint.metered) counter.metered += 1;
      counter.byEndpoint[endpoint.name] = (counter.byEndpoint[endpoint.name] ?? 0) + 1;
    };
    const transport = axiosTransport({ ...sandbox.credentials, onRequest });
    // Inside Zapier the connection already holds a token: fetch ours (with one free call) before measuring.
    await getUser(transport, ORIGINATOR);

    const measurements: Measurement[] = [];
    const measure = async (poll: string, work: () => Promise<{ records: number; notes?: string[]; throttledRetries?: number }>) => {
      // Polls are minutes apart in Zapier: start each in a fresh second, so the last one's calls do not count against its QPS.
      await sleep(1100);
      counter = { requests: 0, metered: 0, byEndpoint: {} };
      sandbox.meter.reset();
      const started = performance.now();
      let outcome: { records: number; notes?: string[]; throttledRetries?: number } = { records: 0 };
      let error: string | undefined;
      try {
        outcome = await work();
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught);
      }
      const wallMs = performance.now() - started;
      const notes = [...(outcome.notes ?? [])];
      if (wallMs > ZAPIER_LIMIT_MS) notes.push(`over Zapier's 30 s limit (${(wallMs / ZAPIER_LIMIT_MS).toFixed(1)}×)`);
      if (poll.startsWith('ours')) {
        const target = poll.includes('rebuild') ? (size >= 2000 ? TARGETS.rebuildMs : TARGETS.anyPollMs) : TARGETS.steadyMs;
        notes.push(wallMs <= target ? `within the ${target / 1000} s target` : `OVER the ${target / 1000} s target`);
      }
      if (error) notes.push(`failed: ${error}`);
      const measurement: Measurement = {
        size,
        poll,
        wallMs: Math.round(wallMs),
        metered: counter.metered,
        sandboxMetered: sandbox.meter.metered,
        requests: counter.requests,
        byEndpoint: counter.byEndpoint,
        records: outcome.records,
        ...(outcome.throttledRetries !== undefined ? { throttledRetries: outcome.throttledRetries } : {}),
        ...(error ? { error } : {}),
        notes,
      };
      measurements.push(measurement);
      console.log(`   ${format(size)} approvals · ${poll}: ${ms(wallMs)} ms, ${measurement.metered} metered calls${notes.length ? ` (${notes.join('; ')})` : ''}`);
    };

    const input: PollInput = { processCode: TEMPLATE, userIds: [], lookBackMs: LOOK_BACK_MS, freshnessMs: 0 };
    const ours = (store: ReturnType<typeof memoryStore>, kind: KindName, seedingDedupe: boolean) =>
      pollLedger(transport, store, KINDS[kind], input, { seedingDedupe, now: Date.now() });

    // The Zap is turned on: Zapier polls with isPopulatingDedupe, and the ledger is built.
    const zap = memoryStore();
    await measure('ours: first poll, Zap turned on (rebuild, isPopulatingDedupe)', async () => ({ records: (await ours(zap, 'submitted', true)).length }));
    const ledgerBytes = zap.data.get(cacheKeys.ledger({ processCode: TEMPLATE }))?.length ?? 0;

    // A poll that finds no ledger (z.cache lost it): rebuilt, and finished approvals are classified 25 a poll.
    const lost = memoryStore();
    await measure('ours: first poll, ledger missing (rebuild)', async () => {
      const records = (await ours(lost, 'approved', false)).length;
      const pending = Object.values(ledgerOf(lost)?.entries ?? {}).filter((entry) => entry.status === 'PENDING').length;
      return { records, notes: pending ? [`${format(pending)} finished approvals still to classify, 25 a poll`] : [] };
    });

    await measure('ours: steady state (nothing changed)', async () => ({ records: (await ours(zap, 'submitted', false)).length }));

    const finishing = running.slice(0, FINISHED_BEFORE_POLL);
    for (const id of finishing) sandbox.org.act(id, runningApprover(sandbox, id), 'agree');
    await measure(`ours: after ${finishing.length} approvals finished`, async () => ({ records: (await ours(zap, 'approved', false)).length }));

    await measure('naive: list the window, fetch every approval', async () => {
      const now = Date.now();
      const windowIds: string[] = [];
      for (let token: number | undefined = 0; token !== undefined; ) {
        const page = await listProcessInstanceIds(transport, { processCode: TEMPLATE, startTime: now - LOOK_BACK_MS, endTime: now }, token);
        windowIds.push(...page.items);
        token = page.next;
      }
      let throttledRetries = 0;
      // Up to 20 fetches a second (DingTalk's per-API limit), a throttled one waits a second and is sent again.
      await mapLimited(
        windowIds,
        async (id) => {
          for (;;) {
            try {
              return await getProcessInstance(transport, id);
            } catch (error) {
              if (!(error instanceof DingTalkError) || error.problem.kind !== 'throttled') throw error;
              throttledRetries += 1;
              await sleep(1000);
            }
          }
        },
        { concurrency: 4, perSecond: QPS_LIMIT },
      );
      return { records: windowIds.length, throttledRetries, notes: throttledRetries ? [`${throttledRetries} throttled and retried`] : [] };
    });

    const finished = ids.length - running.length;
    return { size, running: running.length, finished, setupSeconds: Math.round(setupSeconds * 10) / 10, ledgerBytes, measurements };
  } finally {
    await sandbox.stop();
  }
}

async function polls(): Promise<SizeResult[]> {
  console.log(`\n## 2. Poll wall time and calls (sandbox over HTTP, ${LATENCY_MS} ms latency, ${QPS_LIMIT} QPS per API)\n`);
  const results: SizeResult[] = [];
  for (const size of SIZES) {
    console.log(` ${format(size)} approvals in the window: setting up…`);
    results.push(await pollSize(size));
  }
  console.log('');
  console.log('| Approvals in window (running) | Poll | Wall time (ms) | Metered calls | Sandbox meter | All requests | Records returned | Notes |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const result of results) {
    for (const m of result.measurements) {
      console.log(
        `| ${format(result.size)} (${format(result.running)}) | ${m.poll} | ${ms(m.wallMs)} | ${format(m.metered)} | ${m.sandboxMetered === m.metered ? '=' : format(m.sandboxMetered)} | ${format(m.requests)} | ${format(m.records)} | ${m.notes.join('; ') || ''} |`,
      );
    }
  }
  console.log('');
  for (const result of results) {
    console.log(`- ${format(result.size)} approvals: ledger ${(result.ledgerBytes / 1024).toFixed(1)} KB in z.cache; set up in ${result.setupSeconds} s.`);
  }
  return results;
}

// ─── 3. Cold start ───────────────────────────────────────────────────────────────────────────────────────────

interface ColdStart {
  what: string;
  runs: number;
  requireMs: { median: number; min: number; max: number };
  processMs: { median: number; min: number; max: number };
}

/** The `node -e` program that loads `module` and prints how long require() took (nothing loaded: the baseline). */
const loader = (module: string | undefined) =>
  module ? `const t = performance.now(); require(${JSON.stringify(module)}); process.stdout.write(String(performance.now() - t));` : `process.stdout.write('0');`;

/** Every variant once per round, round-robin, so a slow spell of the machine hits all of them alike. */
function coldStartRounds(variants: { what: string; module: string | undefined }[]): ColdStart[] {
  const run = (module: string | undefined) => {
    const started = performance.now();
    const child = spawnSync(process.execPath, ['-e', loader(module)], { cwd: ROOT, encoding: 'utf8' });
    const processMs = performance.now() - started;
    if (child.status !== 0) throw new Error(`node -e failed for ${module ?? 'the baseline'}: ${child.stderr}`);
    return { requireMs: Number(child.stdout.trim()), processMs };
  };
  variants.forEach(({ module }) => run(module)); // one unmeasured round, so every measured one finds the files in the OS cache
  const samples = variants.map(() => [] as { requireMs: number; processMs: number }[]);
  for (let round = 0; round < COLD_START_RUNS; round += 1) variants.forEach(({ module }, i) => samples[i]!.push(run(module)));
  const stats = (values: number[]) => ({
    median: Math.round(median(values) * 10) / 10,
    min: Math.round(Math.min(...values) * 10) / 10,
    max: Math.round(Math.max(...values) * 10) / 10,
  });
  return variants.map(({ what }, i) => ({
    what,
    runs: COLD_START_RUNS,
    requireMs: stats(samples[i]!.map((s) => s.requireMs)),
    processMs: stats(samples[i]!.map((s) => s.processMs)),
  }));
}

function sizeOf(dir: string, keep: (name: string) => boolean): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = sizeOf(path, keep);
      bytes += inner.bytes;
      files += inner.files;
    } else if (keep(entry.name)) {
      bytes += statSync(path).size;
      files += 1;
    }
  }
  return { bytes, files };
}

function coldStarts() {
  const app = join(ROOT, 'dist', 'index.js');
  // The app's own dependencies alone show where its load time goes; the app row is the cold start itself.
  const rows = coldStartRounds([
    { what: 'node -e (empty, baseline)', module: undefined },
    { what: "require('zapier-platform-core') alone", module: 'zapier-platform-core' },
    { what: "require('axios') alone", module: 'axios' },
    { what: "require('zod') alone", module: 'zod' },
    { what: "require('dist/index.js'): the app, core included", module: app },
  ]);
  const dist = sizeOf(join(ROOT, 'dist'), () => true);
  const distJs = sizeOf(join(ROOT, 'dist'), (name) => name.endsWith('.js'));
  console.log(`\n## 3. Cold start (${COLD_START_RUNS} fresh \`node -e\` processes each, round-robin, Node ${process.version})\n`);
  console.log('| Load | require() median (min–max) ms | Whole process median (min–max) ms |');
  console.log('|---|---|---|');
  for (const row of rows) {
    const range = (s: ColdStart['requireMs']) => `${s.median} (${s.min}–${s.max})`;
    console.log(`| ${row.what} | ${row.what.startsWith('node -e') ? '–' : range(row.requireMs)} | ${range(row.processMs)} |`);
  }
  console.log(`\ndist/: ${(dist.bytes / 1024).toFixed(0)} KB in ${dist.files} files (${(distJs.bytes / 1024).toFixed(0)} KB of .js in ${distJs.files} files; the rest are source maps).`);
  return { rows, dist, distJs };
}

// ─── main ────────────────────────────────────────────────────────────────────────────────────────────────────

async function main() {
  const started = performance.now();
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, platform: platform(), release: release(), memoryGB: Math.round(totalmem() / 1024 ** 3) };
  console.log(`npm run bench — ${new Date().toISOString()} — Node ${process.version} — ${machine.cpu}, ${machine.cores} cores, ${machine.platform} ${machine.release}`);

  const quotaRows = PARTS.includes(1) ? await quota() : [];
  const pollResults = PARTS.includes(2) ? await polls() : [];
  const cold = PARTS.includes(3) ? coldStarts() : undefined;

  const runtimeSeconds = Math.round((performance.now() - started) / 1000);
  const dir = join(ROOT, 'bench', 'results');
  if (PARTIAL) {
    // Poll times alone at every size (`--parts=2 --latency=250`) are a result of their own: kept per latency.
    if (PARTS.join() === '2' && arg('sizes') === undefined) {
      const file = `bench-polls-${LATENCY_MS}ms.json`;
      mkdirSync(dir, { recursive: true });
      const polls = { latencyMs: LATENCY_MS, qpsLimit: QPS_LIMIT, lookBackDays: DEFAULT_LOOK_BACK_DAYS, template: TEMPLATE, targets: TARGETS, sizes: pollResults };
      writeFileSync(join(dir, file), `${JSON.stringify({ generatedAt: new Date().toISOString(), command: `npm run bench -- --parts=2 --latency=${LATENCY_MS}`, node: process.version, machine, runtimeSeconds, polls }, null, 2)}\n`);
      console.log(`\nWrote bench/results/${file} in ${runtimeSeconds} s.`);
      return;
    }
    console.log(`\nA partial run (${process.argv.slice(2).join(' ')}) in ${runtimeSeconds} s: bench/results/bench.json left as it was.`);
    return;
  }
  mkdirSync(dir, { recursive: true });
  const report = {
    generatedAt: new Date().toISOString(),
    command: 'npm run bench',
    node: process.version,
    machine,
    runtimeSeconds,
    quota: { freeQuota: FREE_QUOTA, rows: quotaRows },
    polls: { latencyMs: LATENCY_MS, qpsLimit: QPS_LIMIT, lookBackDays: DEFAULT_LOOK_BACK_DAYS, template: TEMPLATE, sizes: pollResults },
    coldStart: cold,
  };
  writeFileSync(join(dir, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote bench/results/bench.json in ${runtimeSeconds} s.`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
