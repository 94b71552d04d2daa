/**
 * Start Approval against Zapier's 30 s limit: the real action, through Zapier's createAppTester, against the local
 * DingTalk sandbox over HTTP with every call delayed (default 6 s, DingTalk on a bad day). Prints the calls, the
 * sequential rounds of calls and the wall time, with nothing cached (a Zap's first run) and with the template's
 * form, the originator's department and the users' names cached (the runs after it, for 10 minutes). test/creates/start_approval-rounds.test.ts asserts the
 * rounds; this script is where the time is measured.
 *
 *   npm run bench:start                       6 s per call; about a minute
 *   node build/tools/bench/start-approval.js --latency=1000
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { createSandbox } from '../sandbox';

const LATENCY_MS = Number(process.argv.find((a) => a.startsWith('--latency='))?.slice(10) ?? 6000);
const ZAPIER_LIMIT_MS = 30_000;

type Operation = (z: ZObject, bundle: Bundle) => unknown;
type Row = Record<string, unknown>;
type Field = { key: string; label?: string; type?: string; list?: boolean; choices?: Record<string, string>; children?: Field[] };

/** A valid value for one of the sandbox expense template's fields. */
function fill(field: Field, deptId: string): unknown {
  if (field.children) return [Object.fromEntries(field.children.map((child) => [child.key, fill(child, deptId)]))];
  if (field.choices) return field.list ? [Object.keys(field.choices)[0]] : Object.keys(field.choices)[0];
  if (field.type === 'number') return '100';
  if (field.type === 'datetime') return '2026-11-24';
  if (field.key.includes('InnerContact')) return 'user-wong-0003';
  if (field.key.includes('Department')) return [deptId];
  return 'Taxi to the client';
}

/** Sequential rounds: a request that arrives after another one was answered is one round later. */
function roundsOf(arrivals: number[]): number {
  const rounds: number[] = [];
  arrivals.forEach((at, i) => rounds.push(1 + Math.max(0, ...arrivals.slice(0, i).flatMap((earlier, j) => (earlier + LATENCY_MS <= at + LATENCY_MS / 3 ? [rounds[j]!] : [])))));
  return Math.max(0, ...rounds);
}

async function main() {
  process.env.NODE_ENV ??= 'test';
  const sandbox = await createSandbox();
  process.env.DINGTALK_API_BASE_URL = sandbox.url;
  process.env.DINGTALK_OAPI_BASE_URL = sandbox.url;
  const App = (await import('../index')).default as unknown as {
    authentication: { sessionConfig: { perform: Operation } };
    creates: Record<string, { operation: { perform: Operation; inputFields: unknown[] } }>;
  };
  const { createAppTester } = await import('zapier-platform-core');
  const appTester = createAppTester(App);
  const cache = (appTester as unknown as { zcacheTestObj: Record<string, string> }).zcacheTestObj;
  const meta = { isLoadingSample: false, isFillingDynamicDropdown: false, isPopulatingDedupe: false, isTestingAuth: false, limit: -1, page: 0 };

  const arrivals: { at: number; path: string }[] = [];
  subscribe('http.server.request.start', (message) => {
    const request = (message as { request: IncomingMessage }).request;
    arrivals.push({ at: performance.now(), path: `${request.method} ${(request.url ?? '').split('?')[0]}` });
  });

  const session = (await appTester(App.authentication.sessionConfig.perform, { authData: sandbox.credentials, meta })) as Row;
  const authData = { ...sandbox.credentials, ...session };
  const expense = sandbox.org.templates().find((t) => /expense/i.test(t.name))!;
  const staff = sandbox.org.users().find((u) => u.userid === 'user-chan-0001')!;
  const fields = (await appTester(App.creates.start_approval!.operation.inputFields as never, { authData, inputData: { processCode: expense.processCode }, meta })) as Field[];
  const form = Object.fromEntries(fields.filter((f) => f.key.startsWith('form__') && f.type !== 'copy').map((f) => [f.key, fill(f, String(staff.deptIds[0]))]));
  const inputData = { processCode: expense.processCode, originatorUserId: staff.userid, ...form };

  console.log(`Start Approval on the sandbox, every DingTalk call delayed ${LATENCY_MS.toLocaleString('en-US')} ms; Zapier stops an action at 30 s.`);
  console.log('| run | calls | sequential rounds | wall time (ms) | within 30 s | record |');
  console.log('|---|---|---|---|---|---|');
  sandbox.faults.setLatency(LATENCY_MS);
  for (const run of ['nothing cached', 'form, department and names cached']) {
    if (run === 'nothing cached') for (const key of Object.keys(cache)) delete cache[key];
    arrivals.length = 0;
    const started = performance.now();
    const record = (await appTester(App.creates.start_approval!.operation.perform, { authData, inputData, meta })) as Row;
    const wallMs = performance.now() - started;
    const tasks = (record.tasks as Row[] | undefined) ?? [];
    const outcome = record.note ? 'id only (read-back cut at the deadline)' : `full, ${tasks.length} task(s), approver ${String(tasks[0]?.user_name ?? tasks[0]?.user_id ?? '-')}`;
    console.log(`| ${run} | ${arrivals.length} (${arrivals.map((a) => a.path).join(', ')}) | ${roundsOf(arrivals.map((a) => a.at))} | ${Math.round(wallMs).toLocaleString('en-US')} | ${wallMs < ZAPIER_LIMIT_MS ? 'yes' : 'NO'} | ${outcome} |`);
  }
  await sandbox.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
