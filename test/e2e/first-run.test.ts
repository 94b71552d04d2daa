/**
 * The README's first ten minutes, run as a user runs them: `npm start` and every `npm run sandbox` example, each a
 * Node process on the compiled tools (what those npm scripts run after `npm run build:tools`).
 *
 * The tools are compiled once into a folder of this test's own under build/, so nothing here races another test
 * file over build/tools; with --noCheck (emit only, the same JavaScript in a third of the time), because
 * `npm run typecheck` already checks these files. Tests never use fixed ports: each example's `--port` is swapped for `--port 0`, and a
 * separate test checks that the examples' own ports cannot collide.
 */
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import nock from 'nock';
import pkg from '../../package.json';

const ROOT = path.resolve(__dirname, '../..');
const COMPILE_TIMEOUT_MS = 180_000;
/** The sandbox CLI's default port (sandbox/cli.ts). */
const DEFAULT_PORT = 8787;

/** The `npm run sandbox -- …` lines of the README's sandbox section, comments removed. */
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/^npm run sandbox(?: -- (.*?))?\s*(?:#.*)?$/gm)].map((match) => (match[1] ?? '').split(/\s+/).filter(Boolean));

let tools: string;
let work: string;

beforeAll(async () => {
  tools = path.join(ROOT, 'build', `first-run-${crypto.randomBytes(4).toString('hex')}`);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'first-run-'));
  await promisify(execFile)(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.tools.json', '--outDir', tools, '--noCheck'], { cwd: ROOT });
  nock.enableNetConnect('127.0.0.1');
}, COMPILE_TIMEOUT_MS);

afterAll(() => {
  nock.disableNetConnect();
  fs.rmSync(tools, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a compiled tool to its end. */
function runTool(script: string, args: string[] = [], cwd = ROOT): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(tools, script), ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts the sandbox CLI, waits until it says how to stop it, then lets `use` talk to it and stops it with Ctrl-C. */
function withSandboxCli(args: string[], use: (stdout: string) => Promise<void>): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(tools, 'sandbox/cli.js'), ...args], { cwd: work });
    let stdout = '';
    let stderr = '';
    let ready = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (ready || !stdout.includes('Ctrl-C to stop.')) return;
      ready = true;
      use(stdout).then(() => child.kill('SIGINT'), (error: unknown) => {
        child.kill('SIGKILL');
        reject(error);
      });
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm start', () => {
  test('runs the real integration script that npm start runs', () => {
    expect(pkg.scripts.start).toBe('npm run build:tools && node build/tools/scripts/demo.js');
  });

  test('an office manager can follow it: fields by their labels, and the calls counted against the monthly quota', async () => {
    const { code, stdout, stderr } = await runTool('scripts/demo.js');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // No internal keys: not form__DDSelectField_EXP02, not the component ids inside table rows.
    expect(stdout).not.toMatch(/form__|[A-Za-z]+Field_[A-Z0-9]+/);
    expect(stdout).toContain('Expense Type 費用類型: Meals');
    expect(stdout).toContain('Total Amount (HKD) 總金額: 6480.50');
    expect(stdout).toMatch(/1\. Description 說明: Dinner for 4 at Harbour City; Receipt Date 單據日期: 2026-11-24; Amount \(HKD\) 金額: 6480\.50/);
    // The week's statistics read as a summary: the search's labels, hours with units, the slowest step named.
    expect(stdout).toMatch(/Processing Time Average: [\d.]+ hours · Median: [\d.]+ hours/);
    expect(stdout).toMatch(/Slowest Step: \S.*, [\d.]+ hours on average/);
    expect(stdout).not.toMatch(/processing_hours|still_running|slowest_step|source_note/);
    const total = /This story spent (\d+) metered DingTalk calls: (\d+) of your 5,000 this month\./.exec(stdout);
    expect(total?.[2]).toBe(total?.[1]);
    // The per-step figures add up to the total.
    const steps = [...stdout.matchAll(/^ {3}\((\d+) metered DingTalk calls?\)$/gm)].map((match) => Number(match[1]));
    expect(steps.reduce((sum, n) => sum + n, 0)).toBe(Number(total?.[1]));
  }, 120_000);
});

describe('the README sandbox examples', () => {
  const portOf = (args: string[]) => (args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : DEFAULT_PORT);
  const onFreePort = (args: string[]) => (args.includes('--port') ? args.map((arg, i) => (args[i - 1] === '--port' ? '0' : arg)) : [...args, '--port', '0']);

  test('there are examples, and no two of them use the same port, so they can run side by side', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const ports = examples.map(portOf);
    expect(new Set(ports).size).toBe(ports.length);
  });

  test.each(examples.map((args) => [args.join(' ') || '(no options)', args] as const))('npm run sandbox -- %s runs as written', async (_name, args) => {
    const empty = args.includes('--no-seed');
    const run = await withSandboxCli(onFreePort(args), async (stdout) => {
      // The printed .env lines work: the credentials get a token from the printed URL.
      const env = Object.fromEntries([...stdout.matchAll(/^(DINGTALK_API_BASE_URL|authData_appKey|authData_appSecret)=(.*)$/gm)].map((m) => [m[1], m[2]]));
      const response = await fetch(`${env.DINGTALK_API_BASE_URL}/v1.0/oauth2/accessToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appKey: env.authData_appKey, appSecret: env.authData_appSecret }),
      });
      expect(await response.json()).toMatchObject({ accessToken: expect.any(String) });
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('replace these lines in your .env');
    // An empty organisation says so, and what to do next.
    if (empty) expect(run.stdout).toMatch(/organisation is empty[\s\S]*start again without --no-seed/);
    else expect(run.stdout).toMatch(/templates: Expense Claim/);
  }, 30_000);

  test('a port already in use gets a sentence that says what to do, not a stack trace', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const { code, stderr } = await runTool('sandbox/cli.js', ['--port', String(port)], work);
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        `Port ${port} is already in use, probably by another sandbox. Stop that one (Ctrl-C in its terminal), or start this one on another port, for example --port ${port + 1}, or --port 0 for any free port.`,
      );
    } finally {
      blocker.close();
    }
  }, 30_000);
});
