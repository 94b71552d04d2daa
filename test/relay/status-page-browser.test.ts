/**
 * The status page in a real browser, on the relay as `npm run relay` runs it (serve: intake, delivery, the status
 * page) with the sandbox's DingTalk behind it: Chromium from @sparticuz/chromium (inside its npm package, so
 * `npm ci` is all it needs), driven by puppeteer-core in a child process (browser/replay-from-page.mjs).
 *
 * An approval decided in the sandbox reaches the relay over Stream; its delivery fails until it is a dead letter.
 * The page shows the tenant's live figures (both connections open, the events, the pushes against the quota, the
 * subscription, the dead letter, the receiver's error as text, not markup), and its Replay button sends the dead
 * letter again: the local receiver posing as Zapier gets the POST, signed.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { deliveryWorker } from '../../relay/delivery/worker';
import { createLogger } from '../../relay/log';
import { openRelay, type Relay } from '../../relay/open';
import { serve, type Serving } from '../../relay/serve';
import { expenseClaim, sandboxSuite } from '../sandbox/helpers';
import { subscribe } from './delivery-fixtures';
import { waitFor } from './intake-helpers';
import { startReceiver, verifyStandardWebhook } from './receiver';
import { MARKUP } from './status-page-fixtures';

jest.setTimeout(120_000);

const start = sandboxSuite();
// The delivery fixtures' master key, so the relay opens the subscription they seal.
const MASTER_KEY = 'delivery test master key, 32+ characters';
let dir: string;
let serving: Serving | undefined;
let hook: Awaited<ReturnType<typeof startReceiver>> | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relay-page-'));
});

afterEach(async () => {
  await serving?.stop();
  await hook?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * @sparticuz/chromium unpacks its browser to `$TMPDIR/chromium` and reuses whatever is there, whichever version put
 * it there; a folder per version keeps a stale browser from another version (another checkout, an upgrade) out.
 */
function browserTmpdir(): string {
  // The package's exports do not include package.json; read it from where npm installed it.
  const manifest = join(__dirname, '..', '..', 'node_modules', '@sparticuz', 'chromium', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const folder = join(tmpdir(), `sparticuz-chromium-${version}`);
  mkdirSync(folder, { recursive: true });
  return folder;
}

function drive(url: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const options = { timeout: 90_000, env: { ...process.env, TMPDIR: browserTmpdir() } };
    execFile(process.execPath, [join(__dirname, 'browser', 'replay-from-page.mjs'), url], options, (error, stdout, stderr) => {
      if (error) return reject(new Error(`The browser run failed: ${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!));
    });
  });
}

test('a browser sees the live tenant, replays a dead letter from the page, and the receiver gets it signed', async () => {
  const { sandbox, transport } = await start({ qpsLimit: 10_000 });
  const env = { RELAY_PORT: '0', RELAY_MASTER_KEY: MASTER_KEY, RELAY_DATABASE_URL: `sqlite:${join(dir, 'relay.db')}`, DINGTALK_API_BASE_URL: sandbox.url };
  const log = createLogger(() => undefined);
  let relay: Relay = await openRelay({ env, log });
  const tenantId = sandbox.credentials.appKey;
  await relay.tenants.add({ clientId: tenantId, clientSecret: sandbox.credentials.appSecret });
  // Zapier is down (its error page quotes markup) until the dead letter is replayed.
  let zapierUp = false;
  hook = await startReceiver(() => (zapierUp ? { status: 200 } : { status: 500, body: MARKUP }));
  const secret = await subscribe(relay.store, 'sub-1', `${hook.url}/hooks/catch/1/abc/`, { kinds: ['approved'] }, tenantId);

  // An expense claim approved in DingTalk reaches the relay over Stream; its first delivery fails.
  serving = await serve(relay);
  await waitFor('two open Stream connections', () => sandbox.events.connections().length === 2, 15_000);
  const approvalId = await expenseClaim(transport);
  const task = (sandbox.org.instance(approvalId) as { tasks: { userId: string; status: string }[] }).tasks.find((t) => t.status === 'RUNNING')!;
  sandbox.org.act(approvalId, task.userId, 'agree');
  await waitFor('the first delivery failed', async () => Number((await relay.store.deliveries.counts(tenantId))?.retrying ?? 0) === 1, 15_000);
  await serving.stop();
  serving = undefined;

  // The rest of the schedule (about 28 hours of retries) in one step: a worker whose clock is past the next
  // attempt, with a schedule that ends there. The receiver is still down, so the delivery becomes a dead letter.
  relay = await openRelay({ env, log });
  await deliveryWorker({ store: relay.store, sealer: relay.sealer, log, schedule: [0], now: () => Date.now() + 3_600_000 }).runOnce();
  expect(await relay.store.deliveries.counts(tenantId)).toMatchObject({ dead: 1 });
  expect(hook.received).toHaveLength(2);

  // The relay again, as after a restart: the page shows its live figures.
  zapierUp = true;
  serving = await serve(relay);
  const statusUrl = `${serving.server.url}/status`;
  await waitFor('both connections open again', async () => {
    const [tenant] = (await axios.get(statusUrl)).data.tenants;
    return tenant.connections.filter((c: { state: string }) => c.state === 'open').length === 2;
  }, 15_000);
  const emitted = sandbox.events.emitted().length;

  const seen = await drive(`${serving.server.url}/`);

  expect(seen.problems).toEqual([]);
  expect(seen.before).toHaveLength(1);
  const [tenant] = seen.before;
  expect(tenant).toMatchObject({
    clientId: tenantId, heading: tenantId, connections: ['open', 'open'], eventsToday: String(emitted), pushesUsed: String(emitted), pushesQuota: '3,000',
    subscriptions: '1 active', sent: '0', dead: '1', replayButtons: 1, injected: 0, chartBars: 14,
  });
  expect(emitted).toBeGreaterThanOrEqual(2); // the approval's start and finish at least
  expect(tenant.text).toContain(`HTTP 500: ${MARKUP}`); // the receiver's answer, shown as text, not run as markup
  expect(tenant.text).toMatch(/on average over 1 approvals/);
  expect(seen.message).toContain('1 dead letter(s) sent again');

  await waitFor('the replayed delivery', () => hook!.received.length === 3, 10_000);
  const delivered = hook.received[2]!;
  expect(delivered.path).toBe('/hooks/catch/1/abc/');
  expect(verifyStandardWebhook(secret, delivered.headers, delivered.body)).toBe(true);
  expect(delivered.json).toMatchObject({ kind: 'approved', approval_id: approvalId, client_id: tenantId });
  expect(seen.after[0]).toMatchObject({ clientId: tenantId, dead: '0', replayButtons: 0 });
});
