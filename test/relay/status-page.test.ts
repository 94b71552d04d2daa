/**
 * The status page over HTTP, on SQLite and on a real PostgreSQL: who may see it (this machine by a loopback Host,
 * or the token as a Basic password; a rebinding Host is refused), what it renders (figures, escaped markup, the
 * chart, the approval time), and how replay is guarded against other sites (custom header, Origin,
 * Sec-Fetch-Site) and against a subscription of another tenant.
 */
import { request } from 'node:http';
import nock from 'nock';
import { startServer, type RunningServer } from '../../relay/api/server';
import { statusPage } from '../../relay/api/status-page';
import { deliveryStatus } from '../../relay/delivery/status';
import { createLogger } from '../../relay/log';
import type { Store } from '../../relay/store';
import { describeEachBackend, storesFor } from './backends';
import { subscribe } from './delivery-fixtures';
import { startReceiver } from './receiver';
import { storeWithDeadLetter } from './status-page-fixtures';

const TOKEN = 'status-token-0123456789abcdef';

beforeAll(() => nock.enableNetConnect('127.0.0.1'));
afterAll(() => nock.disableNetConnect());

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
  const stores = storesFor(backend);
  let store: Store;
  let server: RunningServer;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  let wakes: number;

  beforeEach(async () => {
    ({ store } = await stores.fresh());
    hook = await startReceiver(() => ({ status: 500 }));
    await storeWithDeadLetter(store, hook, Date.now());
    wakes = 0;
    const log = createLogger(() => undefined);
    const statusSources = [deliveryStatus(store)];
    const config = { host: '127.0.0.1', port: 0, statusToken: TOKEN };
    server = await startServer({ config, store, log, statusSources, routes: statusPage({ config, store, log, statusSources, replayed: () => wakes++ }) });
  });
  afterEach(async () => {
    await server.close();
    await hook.close();
  });

  test('the page renders every figure, with markup from outside escaped, under a strict CSP', async () => {
    const page = await call(server.url, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'nonce-[^']+'/);
    expect(page.text).toContain('<section class="tenant" data-client-id="dingA">');
    expect(page.text).toContain('&lt;img src=x onerror=&quot;document.title=&#39;owned&#39;&quot;&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toContain('<img');
    expect(page.text).toContain('<span class="events-today">2</span> today');
    expect(page.text).toContain('<span class="dead">1</span> dead');
    expect(page.text).toContain('2 h 0 min on average over 1 approvals');
    expect(page.text.match(/<rect /g)).toHaveLength(14);
    expect(page.text).toMatch(/<title>\d{4}-\d\d-\d\d: 2 events<\/title>/);
  });

  test('off this machine the token is needed (as a Basic password, so a browser can send it); a rebinding Host is refused', async () => {
    const proxied = { 'x-forwarded-for': '203.0.113.9' };
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
    expect((await store.deliveries.counts('dingA'))).toMatchObject({ dead: 1 });
    expect(wakes).toBe(0);

    const host = new URL(server.url).host;
    const replayed = await call(server.url, 'POST', '/status/replay', { ...FROM_PAGE, origin: server.url, 'sec-fetch-site': 'same-origin', host }, body);
    expect(replayed.status).toBe(200);
    expect(JSON.parse(replayed.text)).toEqual({ replayed: 1 });
    expect(await store.deliveries.counts('dingA')).toMatchObject({ dead: 0, retrying: 1 });
    expect(wakes).toBe(1);
  });

  test('a replay checks its input, all problems at once, and never replays another tenant\'s subscription', async () => {
    const bad = await call(server.url, 'POST', '/status/replay', FROM_PAGE, { client_id: '', event_id: 'x' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).problems).toEqual(['client_id must be a tenant\'s Client ID.', 'event_id must be a stored event\'s number.', 'event_id needs its subscription_id.']);

    await subscribe(store, 'sub-of-b', `${hook.url}/b`, { kinds: ['approved'] }, 'dingB');
    const [dead] = await store.deliveries.deadOf('dingA', 1);
    const wrongTenant = await call(server.url, 'POST', '/status/replay', FROM_PAGE, { client_id: 'dingB', event_id: Number(dead!.eventId), subscription_id: 'sub-1' });
    expect(JSON.parse(wrongTenant.text)).toEqual({ replayed: 0 });
    const one = await call(server.url, 'POST', '/status/replay', FROM_PAGE, { client_id: 'dingA', event_id: Number(dead!.eventId), subscription_id: 'sub-1' });
    expect(JSON.parse(one.text)).toEqual({ replayed: 1 });
    expect(await store.deliveries.counts('dingA')).toMatchObject({ dead: 0 });
  });
});
