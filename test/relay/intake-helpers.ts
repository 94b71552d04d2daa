/**
 * For the intake tests: real relay processes (`kill -9`-able) or an in-process relay, against the sandbox's Stream
 * gateway, and a burst of approval changes made the way people make them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import nock from 'nock';
import { join, resolve } from 'node:path';
import type { Transport } from '../../dingtalk/transport';
import type { Sandbox } from '../../sandbox';
import { expenseClaim } from '../sandbox/helpers';

const ROOT = resolve(__dirname, '..', '..');

/** Polls `check` until it returns something truthy; fails saying what it waited for. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, everyMs));
  }
}

export interface RelayProcess {
  child: ChildProcess;
  /** Structured log lines, parsed. */
  logs: { msg: string; [field: string]: unknown }[];
  exited: Promise<void>;
}

/** `npm run relay` as a child process running the TypeScript directly (test/relay/ts-register.js). */
export function startRelayProcess(env: NodeJS.ProcessEnv): RelayProcess {
  const child = spawn(process.execPath, ['-r', join(__dirname, 'ts-register.js'), '-e', "require('./relay/cli').main([])"], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const logs: RelayProcess['logs'] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as RelayProcess['logs'][number]);
      } catch {
        // not a log line
      }
    }
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return { child, logs, exited };
}

/**
 * Starts `count` expense claims (instance start + first task start: 2 events each), then decides each one (task
 * finish + instance finish: 2 more), so about 4 × count approval changes reach DingTalk's event side. `pause`
 * runs after each decision, so a test can act mid-burst.
 */
export async function approvalBurst(sandbox: Sandbox, transport: Transport, count: number, pause?: (decided: number) => Promise<void> | void): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await expenseClaim(transport));
  for (const [index, id] of ids.entries()) {
    const instance = sandbox.org.instance(id) as { tasks: { userId: string; status: string }[] };
    const task = instance.tasks.find((candidate) => candidate.status === 'RUNNING')!;
    sandbox.org.act(id, task.userId, index % 5 === 0 ? 'refuse' : 'agree');
    await pause?.(index + 1);
  }
  return ids;
}

export const MASTER_KEY = 'intake test master key, 32+ chars long';

/**
 * For a test file whose relay runs with no DingTalk: allows loopback, and points DINGTALK_API_BASE_URL at a closed
 * local port, so intake's connection attempts fail fast and back off; puts both back afterwards.
 */
export function withoutDingTalk(): void {
  const saved = process.env.DINGTALK_API_BASE_URL;
  beforeAll(() => {
    nock.enableNetConnect('127.0.0.1');
    process.env.DINGTALK_API_BASE_URL = 'http://127.0.0.1:9';
  });
  afterAll(() => {
    nock.disableNetConnect();
    if (saved === undefined) delete process.env.DINGTALK_API_BASE_URL;
    else process.env.DINGTALK_API_BASE_URL = saved;
  });
}
