/**
 * The status page in a real browser: Chromium from @sparticuz/chromium (inside its npm package, so `npm ci` is
 * all it needs), driven by puppeteer-core in a child process (browser/replay-from-page.mjs). The page shows the
 * tenant, renders an error with markup in it as text, and its Replay button sends the dead letter again: the
 * local receiver posing as Zapier gets the POST, signed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { startServer, type RunningServer } from '../../relay/api/server';
import { statusPage } from '../../relay/api/status-page';
import { deliveryStatus } from '../../relay/delivery/status';
import { deliveryWorker, type DeliveryWorker } from '../../relay/delivery/worker';
import { createLogger } from '../../relay/log';
import { openStore, type Store } from '../../relay/store';
import { sealer } from './delivery-fixtures';
import { startReceiver, verifyStandardWebhook } from './receiver';
import { MARKUP, storeWithDeadLetter } from './status-page-fixtures';

jest.setTimeout(120_000);

let dir: string;
let store: Store;
let server: RunningServer;
let worker: DeliveryWorker;
let hook: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(() => nock.enableNetConnect('127.0.0.1'));
afterAll(() => nock.disableNetConnect());

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relay-page-'));
  store = await openStore(`sqlite:${join(dir, 'relay.db')}`);
});

afterEach(async () => {
  await worker?.stop();
  await server?.close();
  await hook?.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function drive(url: string): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(__dirname, 'browser', 'replay-from-page.mjs'), url], { timeout: 90_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`The browser run failed: ${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!));
    });
  });
}

async function until(check: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
  return check();
}

test('a browser sees the tenant, replays a dead letter from the page, and the receiver gets it signed', async () => {
  hook = await startReceiver((_request, index) => ({ status: index === 0 ? 500 : 200 }));
  const secret = await storeWithDeadLetter(store, hook, Date.now());
  expect(hook.received).toHaveLength(1);

  const log = createLogger(() => undefined);
  worker = deliveryWorker({ store, sealer, log });
  worker.start();
  const statusSources = [deliveryStatus(store)];
  server = await startServer({
    config: { host: '127.0.0.1', port: 0, statusToken: undefined },
    store,
    log,
    statusSources,
    routes: statusPage({ config: { statusToken: undefined }, store, log, statusSources, replayed: worker.wake }),
  });

  const seen = await drive(`${server.url}/`);

  expect(seen.problems).toEqual([]);
  expect(seen.before).toHaveLength(1);
  const [tenant] = seen.before;
  expect(tenant).toMatchObject({ clientId: 'dingA', heading: 'dingA', eventsToday: '2', subscriptions: '1 active', sent: '0', dead: '1', replayButtons: 1, injected: 0, chartBars: 14 });
  expect(tenant.pushes).toContain('2 of the free edition\'s 3,000');
  expect(tenant.text).toContain(MARKUP); // shown as text, not run as markup
  expect(tenant.text).toContain('2 h 0 min on average over 1 approvals');
  expect(tenant.text).toContain('HTTP 500');
  expect(seen.message).toContain('1 dead letter(s) sent again');

  expect(await until(() => hook.received.length === 2)).toBe(true);
  const delivered = hook.received[1]!;
  expect(delivered.path).toBe('/hooks/catch/1/abc/');
  expect(verifyStandardWebhook(secret, delivered.headers, delivered.body)).toBe(true);
  expect(delivered.json).toMatchObject({ kind: 'approved', approval_id: 'pi-1', event_id: 'ev-finish', client_id: 'dingA' });
  expect(seen.after[0]).toMatchObject({ clientId: 'dingA', dead: '0', replayButtons: 0 });
});
