/**
 * An approval's finish (and terminate) is stored and delivered once per tenant, whichever arrives first: the
 * daily reconcile's event or DingTalk's own push of the same change, which carries another eventId. On SQLite and
 * on a real PostgreSQL, through the sandbox's real API and its real event payloads (HTTP push's flat form).
 */
import { httpPlaintext } from '../../sandbox/events/payloads';
import { createLogger } from '../../relay/log';
import { ingester } from '../../relay/intake/ingest';
import { reconcileTenant, type ReconcileOptions } from '../../relay/intake/reconcile';
import { axiosTransport } from '../../dingtalk/axios-transport';
import type { NewEvent, Store } from '../../relay/store';
import { migrate, migrations } from '../../relay/store/migrations';
import { openDb } from '../../relay/store/db';
import { expenseClaim, sandboxSuite } from '../sandbox/helpers';
import { describeEachBackend, storesFor } from './backends';

const T0 = Date.parse('2026-11-20T10:00:00+08:00');
const quiet = createLogger(() => undefined);

const finish = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  tenantId: 'dingA',
  eventId: 'pushed-1',
  eventType: 'bpms_instance_change',
  changeType: 'finish',
  result: 'agree',
  processInstanceId: 'pi-1',
  processCode: 'PROC-EXPENSE',
  occurredAt: T0,
  bornAt: T0,
  via: 'stream',
  raw: {},
  ...overrides,
});
const reconciled = (overrides: Partial<NewEvent> = {}) =>
  finish({ eventId: `reconcile-finish-${overrides.processInstanceId ?? 'pi-1'}`, via: 'reconcile', bornAt: null, ...overrides });

const start = sandboxSuite();

describeEachBackend((backend) => {
  const stores = storesFor(backend);

  async function withSubscription(store: Store) {
    await store.subscriptions.add({ id: 'approved', tenantId: 'dingA', kind: 'zapier', targetUrl: 'sealed', filters: { kinds: ['approved'] } }, T0);
    return () => store.deliveries.ofSubscription('approved');
  }
  const counts = async (store: Store) => (await store.stats.eventCounts(T0 - 86_400_000, T0 - 86_400_000))[0];

  test('reconciled first, then DingTalk’s late push: stored and delivered once, the push counted once', async () => {
    const { store } = await stores.fresh();
    const deliveries = await withSubscription(store);
    expect(await store.events.record([reconciled()], T0)).toEqual([{ stored: true, deliveries: 1 }]);
    expect(await store.events.record([finish()], T0 + 1)).toEqual([{ stored: false, deliveries: 0 }]);
    // DingTalk redelivers its late push, and the other connection gets a copy: still one repeat.
    expect(await store.events.record([finish({ via: 'http' })], T0 + 2)).toEqual([{ stored: false, deliveries: 0 }]);
    expect((await store.events.ofInstance('dingA', 'pi-1')).map((e) => [e.eventId, e.via])).toEqual([['reconcile-finish-pi-1', 'reconcile']]);
    expect(await deliveries()).toHaveLength(1);
    expect(await counts(store)).toMatchObject({ thisMonth: 1, pushedThisMonth: 1, repeatedFinishesThisMonth: 1 });
    // Retention removes the repeat with the event it repeated.
    await store.stats.purgeBefore(T0 + 10);
    expect(await store.db.get('SELECT COUNT(*) AS n FROM merged_arrivals')).toEqual({ n: 0 });
  });

  test('pushed first, then a reconcile that raced it: the push is kept, the reconciled copy dropped', async () => {
    const { store } = await stores.fresh();
    const deliveries = await withSubscription(store);
    expect(await store.events.record([finish()], T0)).toEqual([{ stored: true, deliveries: 1 }]);
    expect(await store.events.record([reconciled()], T0 + 1)).toEqual([{ stored: false, deliveries: 0 }]);
    expect((await store.events.ofInstance('dingA', 'pi-1')).map((e) => e.via)).toEqual(['stream']);
    expect(await deliveries()).toHaveLength(1);
    expect(await counts(store)).toMatchObject({ pushedThisMonth: 1, repeatedFinishesThisMonth: 1 });
  });

  test('in one commit too; a terminate after a finish, another approval or another app are other changes', async () => {
    const { store } = await stores.fresh();
    const results = await store.events.record([
      reconciled(),
      finish(),
      finish({ eventId: 'revoked-later', changeType: 'terminate', result: null }),
      reconciled({ eventId: 'reconcile-terminate-pi-1', changeType: 'terminate', result: null }),
      finish({ eventId: 'pushed-2', processInstanceId: 'pi-2' }),
      finish({ tenantId: 'dingB' }),
      finish({ eventId: 'task-finish', eventType: 'bpms_task_change', taskId: '7' }),
      finish({ eventId: 'task-finish-2', eventType: 'bpms_task_change', taskId: '8' }),
    ], T0);
    expect(results.map((r) => r.stored)).toEqual([true, false, true, false, true, true, true, true]);
    expect(await counts(store)).toMatchObject({ repeatedFinishesThisMonth: 2 });
  });

  test('replicas recording the reconciled and the pushed finish at once store each approval’s finish once', async () => {
    const { store, url } = await stores.fresh();
    // Several processes share a database only on Postgres; on SQLite, one process's calls race through one queue.
    const other = backend().name === 'PostgreSQL' ? await stores.again(url) : store;
    const ids = Array.from({ length: 30 }, (_, i) => `pi-${i}`);
    const results = await Promise.all(ids.flatMap((id) => [
      store.events.record([reconciled({ processInstanceId: id })], T0),
      other.events.record([finish({ eventId: `pushed-${id}`, processInstanceId: id })], T0),
    ]));
    expect(results.flat().filter((r) => r.stored)).toHaveLength(30);
    expect(await store.db.get("SELECT COUNT(*) AS n FROM events WHERE change_type = 'finish'")).toEqual({ n: 30 });
    expect(await counts(store)).toMatchObject({ repeatedFinishesThisMonth: 30 });
  });

  test('migration 3 keys the finishes stored before it, keeping the first where one was stored twice', async () => {
    const url = await backend().newDatabaseUrl();
    const db = await openDb(url);
    try {
      await db.transaction(async (tx) => {
        for (const migration of migrations.filter((m) => m.version <= 2)) for (const sql of migration.statements(db.dialect)) await tx.run(sql);
        await tx.run("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        await tx.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'one', 0), (2, 'two', 0)");
        const insert = (eventId: string, changeType: string, via: string, instance = 'pi-1') =>
          tx.run(`INSERT INTO events (tenant_id, event_id, event_type, change_type, process_instance_id, received_at, via, raw)
                  VALUES ('dingA', ?, 'bpms_instance_change', ?, ?, 0, ?, '{}')`, [eventId, changeType, instance, via]);
        await insert('reconcile-finish-pi-1', 'finish', 'reconcile');
        await insert('pushed-late', 'finish', 'stream'); // the duplicate this fix prevents from now on
        await insert('pushed-start', 'start', 'stream');
        await insert('pushed-terminate', 'terminate', 'stream', 'pi-2');
      });
      // 3 and every later migration (4: delivery claims name their process).
      expect(await migrate(db)).toEqual(migrations.filter((m) => m.version > 2).map((m) => m.version));
      expect(await db.all('SELECT event_id AS "eventId", dedupe_key AS "key" FROM events ORDER BY id')).toEqual([
        { eventId: 'reconcile-finish-pi-1', key: 'finish:pi-1' },
        { eventId: 'pushed-late', key: null },
        { eventId: 'pushed-start', key: null },
        { eventId: 'pushed-terminate', key: 'terminate:pi-2' },
      ]);
    } finally {
      await db.close();
    }
    const store = await stores.again(url);
    expect(await store.events.record([finish({ eventId: 'pushed-again' }), reconciled({ eventId: 'r', changeType: 'terminate', processInstanceId: 'pi-2' })], T0)).toEqual([
      { stored: false, deliveries: 0 },
      { stored: false, deliveries: 0 },
    ]);
  });

  describe('with the daily reconcile against the sandbox', () => {
    /** A decided expense claim: every event the sandbox emitted for it, as HTTP push plaintexts. */
    async function decidedClaim(store: Store) {
      const { sandbox, transport } = await start();
      const tenantId = sandbox.credentials.appKey;
      await store.tenants.save({ clientId: tenantId, clientSecret: 'sealed' }, Date.now() - 60_000);
      await store.subscriptions.add({ id: 'approved', tenantId, kind: 'zapier', targetUrl: 'sealed', filters: { kinds: ['approved'] } }, T0);
      const id = await expenseClaim(transport);
      const approver = (sandbox.org.instance(id) as { tasks: { userId: string }[] }).tasks[0]!.userId;
      sandbox.org.act(id, approver, 'agree');
      const emitted = sandbox.events.emitted().filter((event) => event.data.processInstanceId === id);
      const isFinish = (event: (typeof emitted)[number]) => event.eventType === 'bpms_instance_change' && event.data.type === 'finish';
      const options: ReconcileOptions = {
        store, log: quiet, holder: 'test',
        credentials: async () => ({ clientId: tenantId, clientSecret: sandbox.credentials.appSecret, callbackToken: null, callbackAesKey: null }),
        transport: (c, onRequest) => axiosTransport({ appKey: c.clientId, appSecret: c.clientSecret, onRequest }),
      };
      return {
        id, tenantId, options,
        ingest: ingester({ store, log: quiet }),
        before: emitted.filter((event) => !isFinish(event)).map((event) => httpPlaintext(event, 'ding-corp')),
        finishPush: httpPlaintext(emitted.find(isFinish)!, 'ding-corp'),
        finishes: async () => (await store.events.ofInstance(tenantId, id)).filter((e) => e.eventType === 'bpms_instance_change' && e.changeType === 'finish').map((e) => e.via),
      };
    }

    test('the push is late: the reconcile creates the finish, and the push arriving after it is not delivered again', async () => {
      const { store } = await stores.fresh();
      const claim = await decidedClaim(store);
      for (const payload of claim.before) await claim.ingest(claim.tenantId, payload);
      const [run] = await reconcileTenant(claim.options, claim.tenantId, Date.now());
      expect(run).toMatchObject({ ran: true, recovered: 1, meteredCalls: 2 });
      expect(await claim.ingest(claim.tenantId, claim.finishPush)).toMatchObject({ outcome: 'duplicate' });
      expect(await claim.finishes()).toEqual(['reconcile']);
      expect(await store.deliveries.ofSubscription('approved')).toHaveLength(1);
      expect((await store.stats.eventCounts(0, 0))[0]).toMatchObject({ repeatedFinishesThisMonth: 1 });
    }, 30_000);

    test('the push came first: the reconcile finds nothing to create, for one list call', async () => {
      const { store } = await stores.fresh();
      const claim = await decidedClaim(store);
      for (const payload of [...claim.before, claim.finishPush]) await claim.ingest(claim.tenantId, payload);
      const [run] = await reconcileTenant(claim.options, claim.tenantId, Date.now());
      expect(run).toMatchObject({ ran: true, recovered: 0, meteredCalls: 1 });
      expect(await claim.finishes()).toEqual(['http']);
      expect(await store.deliveries.ofSubscription('approved')).toHaveLength(1);
      expect((await store.stats.eventCounts(0, 0))[0]).toMatchObject({ repeatedFinishesThisMonth: 0 });
    }, 30_000);
  });
});
