/** The store's intake side, on SQLite and on a real PostgreSQL: the same tests, the same results. */
import type { NewEvent } from '../../relay/store';
import { migrate } from '../../relay/store/migrations';
import { describeEachBackend, storesFor } from './backends';

const T0 = Date.parse('2026-11-20T10:00:00+08:00');

const event = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  tenantId: 'ding-app-1',
  eventId: 'ev-1',
  eventType: 'bpms_instance_change',
  changeType: 'finish',
  result: 'agree',
  // One approval per eventId: an approval's finish is stored once whatever its eventId (tested below).
  processInstanceId: `pi-of-${overrides.eventId ?? 'ev-1'}`,
  processCode: 'PROC-EXPENSE',
  staffId: 'manager75',
  corpId: 'ding-corp',
  occurredAt: T0 - 1000,
  bornAt: T0,
  via: 'stream',
  raw: { eventId: overrides.eventId ?? 'ev-1', data: { type: 'finish' } },
  ...overrides,
});

describeEachBackend((backend) => {
  const stores = storesFor(backend);

  // Several processes share a database only on Postgres. (Two node:sqlite connections in one thread would block
  // each other: the relay holds one per process, and other processes wait on busy_timeout.)
  const onPostgres = () => backend().name === 'PostgreSQL';

  test('migrating twice, or from two processes at once, applies each migration once', async () => {
    const { store, url } = await stores.fresh();
    expect(await migrate(store.db)).toEqual([]);
    const [a, b] = onPostgres() ? await Promise.all([stores.again(url), stores.again(url)]) : [store, store];
    expect(await a.db.all('SELECT version FROM schema_migrations ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }]);
    expect(await b.reachable()).toBe(true);
  });

  test('an event is stored once: a redelivery is dropped and reported as a duplicate', async () => {
    const { store } = await stores.fresh();
    expect(await store.events.record([event()], T0 + 5)).toEqual([{ stored: true, deliveries: 0 }]);
    expect(await store.events.record([event({ via: 'http' })], T0 + 9)).toEqual([{ stored: false, deliveries: 0 }]);
    const [stored] = await store.events.latest('ding-app-1', 10);
    expect(stored).toMatchObject({ eventId: 'ev-1', changeType: 'finish', result: 'agree', processCode: 'PROC-EXPENSE', via: 'stream', receivedAt: T0 + 5, bornAt: T0 });
    expect(JSON.parse(stored!.raw)).toEqual({ eventId: 'ev-1', data: { type: 'finish' } });
    // A repeat inside one call is a duplicate too.
    expect((await store.events.record([event({ eventId: 'x' }), event({ eventId: 'x' })], T0)).map((r) => r.stored)).toEqual([true, false]);
    // The same eventId from another app is another event.
    expect(await store.events.record([event({ tenantId: 'ding-app-2' })], T0)).toEqual([{ stored: true, deliveries: 0 }]);
  });

  test('two processes recording the same events at once store each exactly once', async () => {
    const { store, url } = await stores.fresh();
    const other = onPostgres() ? await stores.again(url) : store;
    const burst = Array.from({ length: 40 }, (_, i) => event({ eventId: `ev-${i}` }));
    const results = await Promise.all([
      ...burst.map((e) => store.events.record([e], T0)),
      ...burst.map((e) => other.events.record([e], T0)),
    ]);
    expect(results.flat().filter((r) => r.stored)).toHaveLength(40);
    expect(await store.db.get('SELECT COUNT(*) AS n FROM events')).toEqual({ n: 40 });
  });

  test('events come back in DingTalk’s order, not in arrival order', async () => {
    const { store } = await stores.fresh();
    const change = (overrides: Partial<NewEvent>) => event({ processInstanceId: 'pi-1', ...overrides });
    await store.events.record([change({ eventId: 'finish', changeType: 'finish', occurredAt: T0 + 60_000, bornAt: T0 + 61_000 })], T0);
    await store.events.record([change({ eventId: 'start', changeType: 'start', result: null, occurredAt: T0, bornAt: T0 + 1000 })], T0 + 1);
    await store.events.record([change({ eventId: 'no-time', changeType: 'terminate', result: null, occurredAt: null, bornAt: T0 + 30_000 })], T0 + 2);
    expect((await store.events.ofInstance('ding-app-1', 'pi-1')).map((e) => e.eventId)).toEqual(['start', 'no-time', 'finish']);
    expect((await store.events.latest('ding-app-1', 2)).map((e) => e.eventId)).toEqual(['finish', 'no-time']);
    expect(await store.events.hasChange('ding-app-1', 'pi-1', 'bpms_instance_change', 'finish')).toBe(true);
    expect(await store.events.hasChange('ding-app-1', 'pi-1', 'bpms_instance_change', 'delete')).toBe(false);
  });

  test('a batch commits together: one bad event leaves none of the batch stored', async () => {
    const { store } = await stores.fresh();
    const broken = event({ eventId: 'ev-2', processInstanceId: null as unknown as string });
    await expect(store.events.record([event(), broken], T0)).rejects.toThrow();
    expect(await store.events.latest('ding-app-1', 10)).toEqual([]);
  });

  test('calls waiting on a commit are grouped, and a failing call fails alone', async () => {
    const { store } = await stores.fresh();
    const broken = event({ eventId: 'bad', processInstanceId: null as unknown as string });
    const results = await Promise.allSettled([
      store.events.record([event({ eventId: 'a' })], T0),
      store.events.record([event({ eventId: 'b' })], T0),
      store.events.record([broken], T0),
      store.events.record([event({ eventId: 'c' }), event({ eventId: 'b' })], T0),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.map((v) => v.stored) : 'rejected'))).toEqual([[true], [true], 'rejected', [true, false]]);
    expect((await store.events.latest('ding-app-1', 10)).map((e) => e.eventId).sort()).toEqual(['a', 'b', 'c']);
  });

  test('the event and its outbox rows commit in one transaction, for matching active subscriptions only', async () => {
    const { store } = await stores.fresh();
    const add = (id: string, filters: object, tenantId = 'ding-app-1') =>
      store.subscriptions.add({ id, tenantId, kind: 'zapier', targetUrl: 'sealed-url', filters }, T0);
    await add('all', {});
    await add('approved', { changeTypes: ['finish'], results: ['agree'] });
    await add('rejected', { results: ['refuse'] });
    await add('other-template', { processCodes: ['PROC-LEAVE'] });
    await add('other-tenant', {}, 'ding-app-2');
    await add('off', {});
    await store.subscriptions.disable('off', 'Zapier answered 410', T0);

    expect(await store.events.record([event()], T0)).toEqual([{ stored: true, deliveries: 2 }]);
    expect((await store.deliveries.ofSubscription('all'))).toEqual([expect.objectContaining({ status: 'pending', attempts: 0, nextAttemptAt: T0 })]);
    expect(await store.deliveries.ofSubscription('approved')).toHaveLength(1);
    for (const id of ['rejected', 'other-template', 'other-tenant', 'off']) expect(await store.deliveries.ofSubscription(id)).toEqual([]);
    // A duplicate queues nothing more.
    expect(await store.events.record([event()], T0)).toEqual([{ stored: false, deliveries: 0 }]);
    // An older event without a processCode matches no template filter.
    await add('expense', { processCodes: ['PROC-EXPENSE'] });
    expect(await store.events.record([event({ eventId: 'ev-old', processCode: null })], T0)).toEqual([{ stored: true, deliveries: 2 }]);
  });

  test('a large batch is written in chunks, with one outbox row per event and subscription', async () => {
    const { store } = await stores.fresh();
    await store.subscriptions.add({ id: 'all', tenantId: 'ding-app-1', kind: 'zapier', targetUrl: 'sealed', filters: {} }, T0);
    await store.subscriptions.add({ id: 'finish', tenantId: 'ding-app-1', kind: 'webhook', targetUrl: 'sealed', filters: { changeTypes: ['finish'] } }, T0);
    const batch = Array.from({ length: 1203 }, (_, i) => event({ eventId: `ev-${i}`, changeType: i % 3 ? 'finish' : 'start' }));
    const results = await store.events.record(batch, T0);
    expect(results.filter((r) => r.stored)).toHaveLength(1203);
    expect(results.reduce((sum, r) => sum + r.deliveries, 0)).toBe(1203 + 802);
    expect(await store.deliveries.ofSubscription('all')).toHaveLength(1203);
    expect(await store.deliveries.ofSubscription('finish')).toHaveLength(802);
  });

  test('tenants: saved sealed, listed, replaced, and removed with their secrets, leases and subscriptions', async () => {
    const { store } = await stores.fresh();
    await store.tenants.save({ clientId: 'ding-app-1', clientSecret: 'sealed-1' }, T0);
    await store.tenants.save({ clientId: 'ding-app-2', clientSecret: 'sealed-2', callbackToken: 'sealed-t', callbackAesKey: 'sealed-k' }, T0);
    await store.tenants.save({ clientId: 'ding-app-1', clientSecret: 'sealed-1b' }, T0 + 1);
    expect(await store.tenants.list()).toEqual([
      { clientId: 'ding-app-1', clientSecret: 'sealed-1b', callbackToken: null, callbackAesKey: null, addedAt: T0, updatedAt: T0 + 1, removedAt: null },
      expect.objectContaining({ clientId: 'ding-app-2', callbackToken: 'sealed-t', callbackAesKey: 'sealed-k' }),
    ]);
    await store.leases.acquire('ding-app-2', 0, 'process-a', T0, 15_000);
    await store.subscriptions.add({ id: 's1', tenantId: 'ding-app-2', kind: 'zapier', targetUrl: 'sealed', filters: {} }, T0);

    expect(await store.tenants.remove('ding-app-2', T0 + 2)).toBe(true);
    expect(await store.tenants.remove('ding-app-2', T0 + 3)).toBe(false);
    expect(await store.tenants.get('ding-app-2')).toBeUndefined();
    expect(await store.db.get("SELECT client_secret, callback_token, callback_aes_key, removed_at FROM tenants WHERE client_id = 'ding-app-2'"))
      .toEqual({ client_secret: null, callback_token: null, callback_aes_key: null, removed_at: T0 + 2 });
    expect(await store.leases.renew('process-a', T0 + 4, 15_000)).toEqual([]);
    expect(await store.subscriptions.get('s1')).toMatchObject({ status: 'disabled', statusReason: 'tenant removed' });
    // Adding it again brings it back.
    await store.tenants.save({ clientId: 'ding-app-2', clientSecret: 'sealed-3' }, T0 + 5);
    expect(await store.tenants.get('ding-app-2')).toMatchObject({ clientSecret: 'sealed-3', removedAt: null });
  });

  test('an HTTP push nonce is accepted once; a replay is refused', async () => {
    const { store } = await stores.fresh();
    expect(await store.nonces.remember('ding-app-1', 'n-1', T0)).toBe(true);
    expect(await store.nonces.remember('ding-app-1', 'n-1', T0 + 10)).toBe(false);
    expect(await store.nonces.remember('ding-app-2', 'n-1', T0)).toBe(true);
  });

  test('status counts: today, this month, pushed this month, last received', async () => {
    const { store } = await stores.fresh();
    const monthStart = Date.parse('2026-11-01T00:00:00+08:00');
    const todayStart = Date.parse('2026-11-20T00:00:00+08:00');
    await store.events.record([event({ eventId: 'oct' })], monthStart - 1);
    await store.events.record([event({ eventId: 'nov' })], monthStart + 1);
    await store.events.record([event({ eventId: 'today', via: 'http' })], todayStart + 5);
    await store.events.record([event({ eventId: 'recovered', via: 'reconcile' })], todayStart + 9);
    expect(await store.stats.eventCounts(todayStart, monthStart)).toEqual([
      { tenantId: 'ding-app-1', lastReceivedAt: todayStart + 9, today: 2, thisMonth: 3, pushedThisMonth: 2, repeatedFinishesThisMonth: 0 },
    ]);
  });

  test('retention deletes old events with their deliveries, and old nonces and errors', async () => {
    const { store } = await stores.fresh();
    await store.subscriptions.add({ id: 's1', tenantId: 'ding-app-1', kind: 'zapier', targetUrl: 'sealed', filters: {} }, T0);
    await store.events.record([event({ eventId: 'old' })], T0 - 36 * 86_400_000);
    await store.events.record([event({ eventId: 'new' })], T0);
    await store.nonces.remember('ding-app-1', 'old', T0 - 36 * 86_400_000);
    await store.errors.record({ tenantId: 'ding-app-1', at: T0 - 36 * 86_400_000, source: 'stream', message: 'old' });
    expect(await store.stats.purgeBefore(T0 - 35 * 86_400_000)).toBe(1);
    expect((await store.events.latest('ding-app-1', 10)).map((e) => e.eventId)).toEqual(['new']);
    expect(await store.deliveries.ofSubscription('s1')).toHaveLength(1);
    expect(await store.nonces.remember('ding-app-1', 'old', T0)).toBe(true);
    expect(await store.errors.latest('ding-app-1', 10)).toEqual([]);
  });

  test('errors and settings', async () => {
    const { store } = await stores.fresh();
    await store.errors.record({ tenantId: 'ding-app-1', at: T0, source: 'stream', message: 'first' });
    await store.errors.record({ tenantId: 'ding-app-1', at: T0 + 1, source: 'reconcile', message: 'second' });
    expect((await store.errors.latest('ding-app-1', 1)).map((e) => e.message)).toEqual(['second']);
    expect(await store.settings.setOnce('key-check', 'a')).toBe('a');
    expect(await store.settings.setOnce('key-check', 'b')).toBe('a');
    expect(await store.settings.get('missing')).toBeUndefined();
  });
});

test('SQLite writes durably: WAL with synchronous=FULL', async () => {
  const { openStore } = await import('../../relay/store');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const dir = mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'relay-wal-'));
  const store = await openStore(`sqlite:${dir}/relay.db`);
  expect(await store.db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
  expect(await store.db.get('PRAGMA synchronous')).toEqual({ synchronous: 2 });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
