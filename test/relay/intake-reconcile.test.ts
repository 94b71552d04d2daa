/**
 * The reconcile test: a finish event DingTalk never delivers (the org's push quota runs out, so only a 20001
 * notice arrives) is recovered by the daily reconcile through the sandbox's real API, marked as reconciled, with
 * the metered calls it spent counted and kept; a day with no gaps costs one list call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { axiosTransport } from '../../dingtalk/axios-transport';
import { createLogger } from '../../relay/log';
import { openRelay, type Relay } from '../../relay/open';
import { serve, type Serving } from '../../relay/serve';
import { chinaDay, reconcileTenant, type ReconcileOptions } from '../../relay/intake/reconcile';
import { expenseClaim, sandboxSuite } from '../sandbox/helpers';
import { MASTER_KEY, waitFor } from './intake-helpers';

const start = sandboxSuite();
let dir: string;
let serving: Serving | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relay-reconcile-'));
});
afterEach(async () => {
  await serving?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a dropped finish event is recovered, marked as reconciled, for two metered calls; a day without gaps costs one', async () => {
  const { sandbox, transport } = await start({ events: { pushQuota: 2 } });
  const relay: Relay = await openRelay({
    env: { RELAY_PORT: '0', RELAY_MASTER_KEY: MASTER_KEY, RELAY_DATABASE_URL: `sqlite:${join(dir, 'relay.db')}`, DINGTALK_API_BASE_URL: sandbox.url },
    log: createLogger(() => undefined),
  });
  const tenantId = sandbox.credentials.appKey;
  await relay.tenants.add({ clientId: tenantId, clientSecret: sandbox.credentials.appSecret });
  serving = await serve(relay);
  await waitFor('two open connections', () => sandbox.events.connections().length === 2, 10_000);

  // Two pushes left: the start and the first task's start arrive; the decision's events are withheld (20001).
  const id = await expenseClaim(transport);
  const approver = (sandbox.org.instance(id) as { tasks: { userId: string }[] }).tasks[0]!.userId;
  sandbox.org.act(id, approver, 'agree');
  await waitFor('the 20001 notices recorded', async () => (await relay.store.errors.latest(tenantId, 5)).length === 2, 5000);
  expect((await relay.store.events.ofInstance(tenantId, id)).map((e) => e.changeType)).toEqual(['start', 'start']);

  const options: ReconcileOptions = {
    store: relay.store,
    log: relay.log,
    holder: 'test',
    credentials: (tenant) => relay.tenants.credentials(tenant),
    transport: (c, onRequest) => axiosTransport({ appKey: c.clientId, appSecret: c.clientSecret, onRequest }),
  };
  const meteredBefore = sandbox.meter.metered;
  const [run] = await reconcileTenant(options, tenantId, Date.now());
  expect(run).toEqual({ processCode: 'PROC-SBX-EXPENSE-0001', day: chinaDay(Date.now()).day, ran: true, meteredCalls: 2, recovered: 1 });
  expect(sandbox.meter.metered - meteredBefore).toBe(2);
  expect(sandbox.meter.byEndpoint).toMatchObject({ ListProcessInstanceIds: expect.any(Number), GetProcessInstance: expect.any(Number) });

  const events = await relay.store.events.ofInstance(tenantId, id);
  expect(events.map((e) => [e.eventType, e.changeType, e.via])).toEqual([
    ['bpms_instance_change', 'start', 'stream'],
    ['bpms_task_change', 'start', 'stream'],
    ['bpms_instance_change', 'finish', 'reconcile'],
  ]);
  expect(events[2]).toMatchObject({ eventId: `reconcile-finish-${id}`, result: 'agree', processCode: 'PROC-SBX-EXPENSE-0001' });
  expect(events[2]!.occurredAt).toBeGreaterThanOrEqual(events[0]!.occurredAt!);
  expect((await relay.store.reconcileRuns.latest(tenantId, 5))[0]).toMatchObject({ status: 'ok', meteredCalls: 2, recovered: 1 });

  // The same day again: already done, by this or another process. A day with nothing missing: one list call.
  expect(await reconcileTenant({ ...options, holder: 'another process' }, tenantId, Date.now())).toEqual([expect.objectContaining({ ran: false, meteredCalls: 0 })]);
  const [tomorrow] = await reconcileTenant(options, tenantId, Date.now() + 86_400_000);
  expect(tomorrow).toMatchObject({ ran: true, meteredCalls: 1, recovered: 0 });
}, 30_000);
