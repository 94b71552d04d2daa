/**
 * The status page over HTTP, on the relay as `npm run relay` runs it (serve: intake, delivery, the page), on SQLite
 * and on a real PostgreSQL: who may see it (this machine by a loopback Host, or the token as a Basic password, the
 * same rule as /status; a rebinding Host is refused), what it renders (intake's connection states and push quota,
 * delivery's counts, escaped markup, the chart, the approval time), and how replay is guarded against other sites
 * (custom header, Origin, Sec-Fetch-Site) and against a subscription of another tenant.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../relay/api/server';
import { statusPage } from '../../relay/api/status-page';
import { PUSH_QUOTA_SOURCE } from '../../relay/intake/ingest';
import { createLogger } from '../../relay/log';
import { openRelay, type Relay } from '../../relay/open';
import { serve, type Serving } from '../../relay/serve';
import { describeEachBackend } from './backends';
import { subscribe } from './delivery-fixtures';
import { waitFor, withoutDingTalk } from './intake-helpers';
import { startReceiver } from './receiver';
import { storeWithDeadLetter } from './status-page-fixtures';

const TOKEN = 'status-token-0123456789abcdef';
// The delivery fixtures' master key, so the relay opens the secrets they seal.
const MASTER_KEY = 'delivery test master key, 32+ characters';

// No DingTalk here: intake's connection attempts fail, and the page says why.
withoutDingTalk();

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function call(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const basic = (password: string) => `Basic ${Buffer.from(`anyone:${password}`).toString('base64')}`;
const FROM_PAGE = { 'x-relay-status-page': 'replay' };

describeEachBackend((backend) => {
  let relay: Relay;
  let serving: Serving;
  let server: { url: string };
  let hook: Awaited<ReturnType<typeof startReceiver>>;

  beforeEach(async () => {
    const env = { RELAY_PORT: '0', RELAY_MASTER_KEY: MASTER_KEY, RELAY_DATABASE_URL: await backend().newDatabaseUrl(), RELAY_STATUS_TOKEN: TOKEN, RELAY_PUSH_QUOTA: '50000' };
    relay = await openRelay({ env, log: createLogger(() => undefined) });
    hook = await startReceiver(() => ({ status: 500 }));
    await storeWithDeadLetter(relay.store, hook, Date.now());
    serving = await serve(relay);
    server = serving.server;
    // Both connection slots leased, each connection attempt refused: intake's live state, as the page shows it.
    await waitFor('both connections waiting', async () => (await call(server.url, 'GET', '/')).text.match(/data-state="waiting"/g)?.length === 2, 10_000);
  });
  afterEach(async () => {
    await serving.stop();
    await hook.close();
  });

  test('the page renders every figure from intake and delivery, with markup from outside escaped, under a strict CSP', async () => {
    await relay.store.errors.record({ tenantId: 'dingA', at: Date.now(), source: PUSH_QUOTA_SOURCE, message: 'DingTalk withheld an event: 20001.' });
    const page = await call(server.url, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'nonce-[^']+'/);
    expect(page.text).toContain('<section class="tenant" data-client-id="dingA">');
    expect(page.text).toContain('&lt;img src=x onerror=&quot;document.title=&#39;owned&#39;&quot;&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toContain('<img');
    expect(page.text.match(/<li class="connection" data-state="waiting">slot [01]: <b>waiting<\/b>: [^<]+; next attempt at \d{4}-[^<]+ on [^<]+<\/li>/g)).toHaveLength(2);
    expect(page.text).toContain('<span class="events-today">2</span> today');
    expect(page.text).toContain('<span class="pushes-used">2</span> of <span class="pushes-quota">50,000</span> (0%) (RELAY_PUSH_QUOTA)');
    expect(page.text).toContain('DingTalk reported the quota spent at');
    expect(page.text).toContain('<dd class="subscriptions">1 active</dd>');
    expect(page.text).toContain('<span class="sent">0</span> sent, 0 queued, <span class="retrying">0</span> retrying, <span class="dead">1</span> dead');
    expect(page.text).toContain('<td>delivery to sub-1 (dead)</td><td>The hook answered HTTP 500: nope</td>');
    expect(page.text).toContain('<dd class="reconcile">no run yet');
    expect(page.text).toContain('2 h 0 min on average over 1 approvals');
    expect(page.text.match(/<rect /g)).toHaveLength(14);
    expect(page.text).toMatch(/<title>\d{4}-\d\d-\d\d: 2 events<\/title>/);
  });

  test('the reconcile line counts the finishes that arrived twice', async () => {
    const run = await relay.store.reconcileRuns.claim({ tenantId: 'dingA', processCode: 'PROC-1', day: '2026-11-19', holder: 'p' }, Date.now(), 3_600_000);
    await relay.store.reconcileRuns.finish(run!, { meteredCalls: 2, recovered: 1 }, Date.now());
    const finish = { tenantId: 'dingA', eventType: 'bpms_instance_change', changeType: 'finish', result: 'agree', processInstanceId: 'pi-late', bornAt: Date.now() };
    await relay.store.events.record([{ ...finish, eventId: 'reconcile-finish-pi-late', via: 'reconcile', raw: {} }], Date.now());
    expect(await relay.store.events.record([{ ...finish, eventId: 'pushed-late', via: 'stream', raw: {} }], Date.now())).toEqual([{ stored: false, deliveries: 0 }]);
    const page = await call(server.url, 'GET', '/');
    expect(page.text).toContain('2026-11-19: ok, 2 metered calls, 1 events recovered; finishes that arrived twice this month (for example recovered by the reconcile, then pushed late by DingTalk), each stored and delivered once: <span class="repeated-finishes">1</span>');
  });

  test('off this machine the token is needed (as a Basic password, so a browser can send it), as for /status; a rebinding Host is refused', async () => {
    const proxied = { 'x-forwarded-for': '203.0.113.9' };
    expect((await call(server.url, 'GET', '/status', proxied)).status).toBe(401);
    expect((await call(server.url, 'GET', '/status', { ...proxied, authorization: basic(TOKEN) })).status).toBe(200);
    const asked = await call(server.url, 'GET', '/', proxied);
    expect(asked.status).toBe(401);
    expect(asked.headers['www-authenticate']).toContain('Basic realm=');
    expect(asked.text).toContain('RELAY_STATUS_TOKEN as the password');
    expect((await call(server.url, 'GET', '/', { ...proxied, authorization: basic('wrong-token-0123456789') })).status).toBe(401);
    expect((await call(server.url, 'GET', '/', { ...proxied, authorization: basic(TOKEN) })).status).toBe(200);
    expect((await call(server.url, 'GET', '/', { ...proxied, authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    // A site whose name resolves to 127.0.0.1 reaches the relay from this machine, with its own name as Host.
    expect((await call(server.url, 'GET', '/', { host: 'evil.example:8790' })).status).toBe(403);
    expect((await call(server.url, 'GET', '/', { host: 'evil.example:8790', authorization: basic(TOKEN) })).status).toBe(200);
    expect((await call(server.url, 'GET', '/', { host: 'localhost:8790' })).status).toBe(200);
    // /status follows the same rule, so a rebinding page cannot read it as JSON either.
    expect((await call(server.url, 'GET', '/status', { host: 'evil.example:8790' })).status).toBe(403);
    expect((await call(server.url, 'GET', '/status', { host: 'evil.example:8790', authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await call(server.url, 'GET', '/status', { host: 'localhost:8790' })).status).toBe(200);
  });

  test('a replay must come from the page itself: without its header, or from another origin, nothing is replayed', async () => {
    const body = { client_id: 'dingA' };
    const refused = [
      await call(server.url, 'POST', '/status/replay', {}, body),
      await call(server.url, 'POST', '/status/replay', { ...FROM_PAGE, origin: 'https://evil.example' }, body),
      await call(server.url, 'POST', '/status/replay', { ...FROM_PAGE, 'sec-fetch-site': 'cross-site' }, body),
      await call(server.url, 'POST', '/status/replay', { ...FROM_PAGE, 'x-forwarded-for': '203.0.113.9' }, body),
    ];
    expect(refused.map((reply) => reply.status)).toEqual([403, 403, 403, 401]);
    expect(JSON.parse(refused[0]!.text).error).toContain('POST /v1/dead-letters/replay');
    expect(await relay.store.deliveries.counts('dingA')).toMatchObject({ dead: 1 });
    expect(hook.received).toHaveLength(1);

    const host = new URL(server.url).host;
    const replayed = await call(server.url, 'POST', '/status/replay', { ...FROM_PAGE, origin: server.url, 'sec-fetch-site': 'same-origin', host }, body);
    expect(replayed.status).toBe(200);
    expect(JSON.parse(replayed.text)).toEqual({ replayed: 1 });
    // The relay's delivery worker sends it at once (the receiver still answers 500, so it is retrying again).
    await waitFor('the replayed POST', () => hook.received.length === 2, 5_000);
    expect(await relay.store.deliveries.counts('dingA')).toMatchObject({ dead: 0, retrying: 1 });
  });

  test('a replay checks its input, all problems at once, and never replays another tenant\'s subscription', async () => {
    const bad = await call(server.url, 'POST', '/status/replay', FROM_PAGE, { client_id: '', event_id: 'x' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).problems).toEqual(['client_id must be a tenant\'s Client ID.', 'event_id must be a stored event\'s number.', 'event_id needs its subscription_id.']);

    await subscribe(relay.store, 'sub-of-b', `${hook.url}/b`, { kinds: ['approved'] }, 'dingB');
    const [dead] = await relay.store.deliveries.deadOf('dingA', 1);
    const wrongTenant = await call(server.url, 'POST', '/status/replay', FROM_PAGE, { client_id: 'dingB', event_id: Number(dead!.eventId), subscription_id: 'sub-1' });
    expect(JSON.parse(wrongTenant.text)).toEqual({ replayed: 0 });
    const one = await call(server.url, 'POST', '/status/replay', FROM_PAGE, { client_id: 'dingA', event_id: Number(dead!.eventId), subscription_id: 'sub-1' });
    expect(JSON.parse(one.text)).toEqual({ replayed: 1 });
    expect(await relay.store.deliveries.counts('dingA')).toMatchObject({ dead: 0 });
  });
});

test('without RELAY_STATUS_TOKEN the page answers only this machine, and says how to open it to others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-page-'));
  const relay = await openRelay({ env: { RELAY_PORT: '0', RELAY_MASTER_KEY: MASTER_KEY, RELAY_DATABASE_URL: `sqlite:${join(dir, 'relay.db')}` }, log: createLogger(() => undefined) });
  const config = { host: '127.0.0.1', port: 0, statusToken: undefined };
  const log = createLogger(() => undefined);
  const server = await startServer({ config, store: relay.store, log, routes: statusPage({ config, store: relay.store, log, statusSources: [] }) });
  try {
    const refused = await call(server.url, 'GET', '/', { 'x-forwarded-for': '203.0.113.9', authorization: basic(TOKEN) });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('set RELAY_STATUS_TOKEN on the relay');
    expect((await call(server.url, 'GET', '/')).status).toBe(200);
  } finally {
    await server.close();
    await relay.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
