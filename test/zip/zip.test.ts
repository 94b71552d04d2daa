/**
 * The zip Zapier runs. `npm run zip` builds it as `push` does (`zapier-platform build --skip-dep-install
 * --skip-validation` on a copy with production dependencies only, scripts/build-zip.js); this test unpacks it into
 * an empty temporary folder and calls its own zapierwrapper.js handler in a fresh Node process (lambda.js), with
 * nock as DingTalk. The CLI's "Testing build" step only loads the files, so a zip without the app passes it
 * (../shared/zapier-platform.md §0); this test runs a trigger and a create and fails instead.
 *
 * Nothing here writes the project's dist/ or build/, so it cannot race the other test files.
 */
import { execFile, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pkg from '../../package.json';
import listPage1 from '../fixtures/list-templates-page1.json';
import listPage2 from '../fixtures/list-templates-page2.json';

// The CLI's own unzip, the one its "Testing build" step uses (zapier-platform-cli 19.1.0), so no system unzip is needed.
const decompress = require('zapier-platform-cli/src/utils/decompress') as (zip: string, dir: string) => Promise<{ path: string; type: string }[]>;

const ROOT = path.resolve(__dirname, '../..');
/** Compiling, zipping and the CLI's own checks: about 30 s on a busy two-core machine. */
const BUILD_TIMEOUT_MS = 240_000;
const RUN_TIMEOUT_MS = 30_000;

const TOKEN = 'zip-test-access-token-0001';
const authData = { appKey: 'dingziptestkey0001', appSecret: 'zip-test-secret-0001', accessToken: TOKEN, accessTokenExpiresAt: String(Date.now() + 3600 * 1000) };
const meta = { isLoadingSample: false, isFillingDynamicDropdown: false, isPopulatingDedupe: false, isTestingAuth: false, limit: -1, page: 0 };
const API = 'https://api.dingtalk.com';

interface Route {
  method: 'GET' | 'POST';
  url: string;
  reply: unknown;
}
interface Run {
  results?: unknown;
  error?: string;
  received: { method: string; url: string; token?: string; body: unknown }[];
  pending: string[];
}

let work: string;
let zipDir: string;
let entries: string[];

/** Zapier's Lambda event for one operation (see createAppTester in zapier-platform-core); z.cache in memory. */
const event = (method: string, inputData: Record<string, unknown>) => ({ command: 'execute', method, bundle: { authData, inputData, meta }, zcacheTestObj: {} });

/** One event through the unpacked zip's handler, in a fresh Node process whose working directory is the zip. */
function runInZip(zapierEvent: object, routes: Route[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'lambda.js'), [], { cwd: zipDir, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('message', (message) => resolve(message as Run));
    child.once('exit', (code) => reject(new Error(`The zip's process exited (${code}) without an answer:\n${stderr}`)));
    child.send({ zipDir, event: zapierEvent, routes });
  });
}

/** "node_modules/a" or "node_modules/a/node_modules/@b/c" for a file inside a package, as package-lock.json keys them. */
const packageOf = (file: string) => /^((?:node_modules\/(?:@[^/]+\/)?[^/]+\/?)+)/.exec(file)?.[1]?.replace(/\/$/, '');

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'dingtalk-zip-'));
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts/build-zip.js'), '--out', work], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).catch((error: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`npm run zip failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
  });
  zipDir = path.join(work, 'zip');
  entries = (await decompress(path.join(work, 'build.zip'), zipDir)).map((entry) => entry.path).sort();
  const kb = Math.round(fs.statSync(path.join(work, 'build.zip')).size / 1024);
  const topLevel = [...new Set(entries.map((entry) => entry.split('/')[0]))];
  console.log(`build.zip: ${kb} KB, ${entries.length} files; top level: ${topLevel.join(', ')}`);
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('build.zip', () => {
  test('holds the entry points, the compiled app and production dependencies, nothing else', () => {
    const topLevel = [...new Set(entries.map((entry) => entry.split('/')[0]))].sort();
    // No sandbox/, bench/, scripts/, test/, relay/, build/, TypeScript sources or .env.
    expect(topLevel).toEqual(['definition.json', 'dist', 'index.js', 'node_modules', 'package.json', 'zapierwrapper.js']);
    expect(entries).toEqual(expect.arrayContaining(['dist/index.js', 'dist/triggers/list_templates.js', 'dist/creates/add_comment.js']));

    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const production = new Set(Object.entries(lock.packages).filter(([key, entry]) => key && !entry.dev).map(([key]) => key));
    const shipped = [...new Set(entries.filter((entry) => entry.startsWith('node_modules/')).map(packageOf))];
    expect(shipped.filter((key) => !production.has(key!))).toEqual([]);
    const devDependencies = Object.keys(pkg.devDependencies);
    expect(shipped.filter((key) => devDependencies.some((name) => key === `node_modules/${name}`))).toEqual([]);
    expect(shipped).toEqual(expect.arrayContaining(['node_modules/zapier-platform-core', 'node_modules/zod']));
  });

  test('its handler runs a trigger: List Approval Templates, both pages', async () => {
    const templates = `${API}/v1.0/workflow/processes/userVisibilities/templates`;
    const run = await runInZip(event('triggers.list_templates.operation.perform', {}), [
      { method: 'GET', url: `${templates}?maxResults=100&nextToken=0`, reply: listPage1 },
      { method: 'GET', url: `${templates}?maxResults=100&nextToken=100`, reply: listPage2 },
    ]);
    expect(run.error).toBeUndefined();
    expect(run.received).toEqual([
      { method: 'GET', url: `${templates}?maxResults=100&nextToken=0`, token: TOKEN, body: '' },
      { method: 'GET', url: `${templates}?maxResults=100&nextToken=100`, token: TOKEN, body: '' },
    ]);
    const all = [...listPage1.result.processList, ...listPage2.result.processList];
    expect(run.results).toEqual(all.map((t) => ({ id: t.processCode, name: `${t.name} (${t.dirName})` })));
    expect(run.pending).toEqual([]);
  }, RUN_TIMEOUT_MS);

  test('its handler runs a create: Add Comment', async () => {
    const comment = { processInstanceId: 'zip-test-instance-0001', commentUserId: 'user-chan-0001', text: 'Receipts checked. 單據已核對。' };
    const run = await runInZip(event('creates.add_comment.operation.perform', comment), [
      { method: 'POST', url: `${API}/v1.0/workflow/processInstances/comments`, reply: { result: true, success: true } },
    ]);
    expect(run.error).toBeUndefined();
    expect(run.received).toEqual([{ method: 'POST', url: `${API}/v1.0/workflow/processInstances/comments`, token: TOKEN, body: comment }]);
    expect(run.results).toEqual({
      id: comment.processInstanceId,
      approval_id: comment.processInstanceId,
      comment: comment.text,
      comment_user_id: comment.commentUserId,
      commented_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
    });
  }, RUN_TIMEOUT_MS);

  test('without index.js the same handler fails: this test can tell a zip with no app', async () => {
    const index = path.join(zipDir, 'index.js');
    fs.renameSync(index, `${index}.hidden`);
    try {
      const run = await runInZip(event('triggers.list_templates.operation.perform', {}), []);
      expect(run.results).toBeUndefined();
      expect(run.error).toMatch(/Cannot find module .*index\.js/);
      expect(run.received).toEqual([]);
    } finally {
      fs.renameSync(`${index}.hidden`, index);
    }
  }, RUN_TIMEOUT_MS);
});
