/**
 * The quota cost of the instant trigger on the reference workloads, from the real code: a month of expense claims
 * made in the local sandbox on its own clock (a day passes in well under a second), pushed over Stream to the real
 * relay (intake, store, subscriptions; SQLite), which queues one delivery per matching Zap; each delivery is then
 * hydrated by the app's own record loader (approvals/record/load.ts) against the sandbox with one shared cache
 * (the connection's z.cache), and the relay's real daily reconcile runs once a day. The sandbox meters every
 * push and every metered call.
 *
 * Workloads: A, one template with 300 approvals a month and 3 Zaps (Approval Submitted, Approved, Rejected);
 * B, 10 templates × 100 approvals with 2 Zaps each (Submitted, Finished). The sandbox has one expense template
 * with this flow, so B runs one template with 100 approvals and 2 Zaps for real and multiplies by 10: templates are
 * independent in pushes, hydration and reconcile (arithmetic, said in the table).
 *
 * Pushes "without rules" are every bpms_instance_change and bpms_task_change the org produces; "template rules"
 * keep the watched templates' events (the same here: the reference org has no other approvals); "instance events
 * only" is the rule for Zaps without "waiting too long", which need no task events. Rule-filtered pushes being
 * free is inferred (⚠ dingtalk-events.md §2): the rule columns filter the sandbox's emitted log by event type and
 * template.
 *
 *   npm run cost-model          prints this table after the others
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRecord } from '../approvals/record/load';
import { axiosTransport } from '../dingtalk/axios-transport';
import { startProcessInstance } from '../dingtalk/workflow';
import { memoryStore } from '../lib/store';
import { DAY_MS as DAY, HOUR_MS as HOUR, MINUTE_MS as MINUTE } from '../lib/time';
import { newSigningSecret } from '../relay/delivery/signature';
import { sealSubscription } from '../relay/delivery/subscription-secrets';
import { AFTER_DAY_ENDS_MS, chinaDay, reconcileTenant, type ReconcileOptions } from '../relay/intake/reconcile';
import { createLogger } from '../relay/log';
import { openRelay } from '../relay/open';
import { serve, type Serving } from '../relay/serve';
import type { EventKind } from '../relay/store/subscriptions';
import { createSandbox } from '../sandbox';
import { FREE_QUOTA, random } from './cost-model';

const FREE_PUSHES = 3000;
const TEMPLATE = 'PROC-SBX-EXPENSE-0001';
const ORIGINATOR = 'user-chan-0001';
const MONTH_DAYS = 30;

export interface InstantWorkload {
  name: string;
  templates: number;
  approvalsPerTemplate: number;
  zaps: EventKind[];
}

export const INSTANT_WORKLOADS: InstantWorkload[] = [
  { name: 'A: 1 template × 300 approvals, 3 Zaps', templates: 1, approvalsPerTemplate: 300, zaps: ['submitted', 'approved', 'rejected'] },
  { name: 'B: 10 templates × 100 approvals, 2 Zaps each', templates: 10, approvalsPerTemplate: 100, zaps: ['submitted', 'finished'] },
];

export interface InstantCostRow {
  workload: string;
  /** How many templates ran for real; the rest is the per-template figure times `templates`. */
  measuredTemplates: number;
  templates: number;
  deliveries: number;
  hydrationCalls: number;
  reconcileCalls: number;
  metered: number;
  /** Without rules; with rules keeping the watched templates; and the two event types (instance only: no waiting Zap). */
  pushes: { all: number; templateRules: number; instanceEvents: number; taskEvents: number };
}

/** Stands in for Zapier's hook URLs: answers every POST with 200. */
async function receiver(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end('{}'));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const waitUntil = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
};

/** One template's month, for real: the figures per template. */
async function runTemplateMonth(workload: InstantWorkload, seed = 42): Promise<Omit<InstantCostRow, 'workload' | 'measuredTemplates' | 'templates'>> {
  const dir = mkdtempSync(join(tmpdir(), 'cost-instant-'));
  const sandbox = await createSandbox({ qpsLimit: 100_000, events: { pushQuota: 1_000_000 } });
  const previous = { api: process.env.DINGTALK_API_BASE_URL, oapi: process.env.DINGTALK_OAPI_BASE_URL };
  process.env.DINGTALK_API_BASE_URL = sandbox.url;
  process.env.DINGTALK_OAPI_BASE_URL = sandbox.url;
  const relay = await openRelay({
    env: { RELAY_PORT: '0', RELAY_MASTER_KEY: 'cost model master key, 32+ characters', RELAY_DATABASE_URL: `sqlite:${join(dir, 'relay.db')}`, DINGTALK_API_BASE_URL: sandbox.url },
    log: createLogger((line) => process.env.COST_MODEL_DEBUG && console.error(line)),
  });
  const tenantId = sandbox.credentials.appKey;
  const hook = await receiver();
  let serving: Serving | undefined;
  try {
    await relay.tenants.add({ clientId: tenantId, clientSecret: sandbox.credentials.appSecret });
    // The Zaps: subscriptions as performSubscribe makes them, each hook a local receiver that answers 200.
    const zapIds = workload.zaps.map((kind, i) => `sub-${kind}-${i}`);
    for (const [i, kind] of workload.zaps.entries()) {
      const sealed = sealSubscription(relay.sealer, zapIds[i]!, `${hook.url}/hooks/${kind}`, newSigningSecret());
      await relay.store.subscriptions.add({ id: zapIds[i]!, tenantId, kind: 'zapier', targetUrl: sealed.targetUrl, signingSecret: sealed.signingSecret, filters: { kinds: [kind], processCodes: [TEMPLATE] } }, Date.now());
    }
    serving = await serve(relay);
    await waitUntil('the Stream connections', async () => sandbox.events.connections().length > 0);

    const people = axiosTransport({ appKey: sandbox.credentials.appKey, appSecret: sandbox.credentials.appSecret });
    const next = random(seed);
    // The sandbox's clock is real time shifted by org.advance; the month is laid out on it.
    const start = Date.now();
    let clock = start;
    const advanceTo = (at: number) => {
      if (at > clock) sandbox.org.advance(at - clock);
      clock = Math.max(clock, at);
    };
    // The month's actions on the sandbox clock: each approval submitted, then decided 5 min to 48 h later.
    type Action = { at: number; run: () => Promise<void> };
    const actions: Action[] = [];
    const ids: string[] = [];
    for (let i = 0; i < workload.approvalsPerTemplate; i++) {
      // Whole milliseconds: DingTalk's times are integers (the relay refuses a frame with a fractional time).
      const submitted = Math.round(start + next() * MONTH_DAYS * DAY);
      const decided = Math.round(submitted + 5 * MINUTE + next() * 48 * HOUR);
      const roll = next();
      const amount = next() < 0.3 ? '6480.50' : '80'; // above HK$5,000 the Director approves too
      actions.push({
        at: submitted,
        run: async () => {
          ids[i] = await startProcessInstance(people, {
            processCode: TEMPLATE,
            originatorUserId: ORIGINATOR,
            deptId: 100,
            formComponentValues: [
              { name: 'Claim Title 報銷事由', value: `Claim ${i}` },
              { name: 'Expense Type 費用類型', value: 'Transport' },
              { name: 'Claim Date 申請日期', value: '2026-11-20' },
              { name: 'Total Amount (HKD) 總金額', value: amount },
            ],
          });
        },
      });
      actions.push({
        at: decided,
        run: async () => {
          const id = ids[i]!;
          if (roll >= 0.95) return sandbox.org.revoke(id, ORIGINATOR);
          for (;;) {
            const instance = sandbox.org.instance(id) as { status: string; tasks: { userId: string; status: string }[] };
            const task = instance.tasks.find((t) => t.status === 'RUNNING');
            if (instance.status !== 'RUNNING' || !task) return;
            sandbox.org.act(id, task.userId, roll < 0.8 ? 'agree' : 'refuse');
          }
        },
      });
    }
    // The relay's daily reconcile, run for each China day an hour after it ends, as startReconcile schedules it,
    // on the sandbox's clock.
    const reconcileOptions: ReconcileOptions = {
      store: relay.store,
      log: relay.log,
      holder: 'cost-model',
      now: () => clock,
      credentials: (tenant) => relay.tenants.credentials(tenant),
      transport: (c, onRequest) => axiosTransport({ appKey: c.clientId, appSecret: c.clientSecret, onRequest }),
    };
    let reconcileCalls = 0;
    for (let day = chinaDay(start).end; day < start + (MONTH_DAYS + 2) * DAY; day += DAY) {
      actions.push({
        at: day + AFTER_DAY_ENDS_MS,
        run: async () => {
          for (const result of await reconcileTenant(reconcileOptions, tenantId, day - 1)) reconcileCalls += result.meteredCalls;
        },
      });
    }

    // Hydration as Zapier does it, when each Zap runs on a delivery: the app's record loader with one cache for the
    // connection (a finished approval's detail is kept, so a second Zap receiving it is free; a running one is not).
    const cache = memoryStore();
    const app = axiosTransport({ appKey: sandbox.credentials.appKey, appSecret: sandbox.credentials.appSecret });
    let hydrationCalls = 0;
    let deliveries = 0;
    let hydratedUpTo = 0;
    const hydrateNew = async () => {
      // Every pushed event is stored (and its deliveries queued) first, as on a healthy relay.
      const emitted = sandbox.events.emitted().length;
      await waitUntil('the pushed events stored', async () => (await relay.store.events.latest(tenantId, 100_000)).length >= emitted);
      const queued = (await Promise.all(zapIds.map((id) => relay.store.deliveries.ofSubscription(id))))
        .flat()
        .filter((delivery) => Number(delivery.eventId) > hydratedUpTo)
        .sort((a, b) => Number(a.eventId) - Number(b.eventId));
      if (queued.length === 0) return;
      const events = new Map((await relay.store.events.latest(tenantId, 1000)).map((event) => [Number(event.id), event]));
      const before = sandbox.meter.metered;
      for (const delivery of queued) {
        const event = events.get(Number(delivery.eventId))!;
        await loadRecord(app, cache, event.processInstanceId, event.processCode ?? null, { file: () => '' });
      }
      hydrationCalls += sandbox.meter.metered - before;
      deliveries += queued.length;
      hydratedUpTo = Math.max(...queued.map((delivery) => Number(delivery.eventId)));
    };

    actions.sort((a, b) => a.at - b.at);
    for (const action of actions) {
      advanceTo(action.at);
      await action.run();
      await hydrateNew();
    }
    const emitted = sandbox.events.emitted();
    const instanceEvents = emitted.filter((e) => e.eventType === 'bpms_instance_change').length;
    const taskEvents = emitted.filter((e) => e.eventType === 'bpms_task_change').length;
    const watched = emitted.filter((e) => e.data.processCode === TEMPLATE).length;
    return {
      deliveries,
      hydrationCalls,
      reconcileCalls,
      metered: hydrationCalls + reconcileCalls,
      pushes: { all: emitted.filter((e) => e.status === 'pushed').length, templateRules: watched, instanceEvents, taskEvents },
    };
  } finally {
    hook.server.close();
    // Stopping the relay closes its store.
    await (serving ? serving.stop() : relay.store.close());
    await sandbox.stop();
    process.env.DINGTALK_API_BASE_URL = previous.api;
    process.env.DINGTALK_OAPI_BASE_URL = previous.oapi;
    if (previous.api === undefined) delete process.env.DINGTALK_API_BASE_URL;
    if (previous.oapi === undefined) delete process.env.DINGTALK_OAPI_BASE_URL;
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function instantCost(workload: InstantWorkload): Promise<InstantCostRow> {
  const one = await runTemplateMonth(workload);
  const times = (n: number) => n * workload.templates;
  return {
    workload: workload.name,
    measuredTemplates: 1,
    templates: workload.templates,
    deliveries: times(one.deliveries),
    hydrationCalls: times(one.hydrationCalls),
    reconcileCalls: times(one.reconcileCalls),
    metered: times(one.metered),
    pushes: {
      all: times(one.pushes.all),
      templateRules: times(one.pushes.templateRules),
      instanceEvents: times(one.pushes.instanceEvents),
      taskEvents: times(one.pushes.taskEvents),
    },
  };
}

const format = (n: number) => n.toLocaleString('en-US');
const share = (n: number, quota: number) => `${format(Math.round((n / quota) * 100))} %`;

/** The Markdown table the README shows. */
export function instantCostTable(rows: InstantCostRow[]): string[] {
  return [
    '| Workload | Deliveries | Metered calls/month: hydration + reconcile = total (share of 5,000) | Pushes/month, no rules (instance + task) | with template rules | instance events only (no waiting Zap) | Share of 3,000 pushes (no rules / instance only) |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((row) => {
      const scaled = row.templates > row.measuredTemplates ? ` (1 template run, × ${row.templates})` : '';
      return `| ${row.workload}${scaled} | ${format(row.deliveries)} | ${format(row.hydrationCalls)} + ${format(row.reconcileCalls)} = ${format(row.metered)} (${share(row.metered, FREE_QUOTA)}) | ${format(row.pushes.all)} (${format(row.pushes.instanceEvents)} + ${format(row.pushes.taskEvents)}) | ${format(row.pushes.templateRules)} | ${format(row.pushes.instanceEvents)} | ${share(row.pushes.all, FREE_PUSHES)} / ${share(row.pushes.instanceEvents, FREE_PUSHES)} |`;
    }),
  ];
}

async function main() {
  const started = Date.now();
  const rows: InstantCostRow[] = [];
  for (const workload of INSTANT_WORKLOADS) rows.push(await instantCost(workload));
  console.log('\nApproval Event (Instant) through the relay: a month in the sandbox (expense claims: 80 % approved, 15 % rejected, 5 % revoked; 30 % need the Director too).');
  instantCostTable(rows).forEach((line) => console.log(line));
  console.log(`(${Math.round((Date.now() - started) / 1000)} s)`);
  const dir = join(__dirname, '..', '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cost-model-instant.json'), `${JSON.stringify({ generatedAt: new Date().toISOString(), rows }, null, 2)}\n`);
  console.log('\nWrote bench/results/cost-model-instant.json');
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
