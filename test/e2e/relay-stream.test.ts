/**
 * End to end through the real app code (issue 13, "Done when"): the sandbox's Stream gateway, the relay as a real
 * child process (`node build/tools/relay/cli.js`, SQLite), and a local receiver posing as Zapier's hooks. Zaps on
 * Approval Event (Instant) are turned on through the app's own performSubscribe, and each POST runs the app's
 * perform and the hydrator, as Zapier would. Approvals change the way people change them: submitted through the
 * API (one metered call), decided and revoked in the DingTalk app (the sandbox's org actions, not metered).
 *
 * Figures the assertions rely on: delivery costs no DingTalk call (the relay's token and Stream ticket are free);
 * hydration is one metered call (GetProcessInstance) per approval and state, shared by every Zap that receives it.
 */
import { axiosTransport } from '../../dingtalk/axios-transport';
import type { Transport } from '../../dingtalk/transport';
import type { Sandbox } from '../../sandbox';
import type { Received } from '../relay/receiver';
import { codes, expenseClaim, people } from '../sandbox/helpers';
import { app, Connection, costOf, Zap, type Delivered, type Row } from './harness';
import { bothConnectionsOpen, deliveriesSettled, hoisted, InstantZap, relayApi, relayEnv, relaySuite, waitFor, type Hooks } from './relay-harness';

jest.setTimeout(60_000);

const suite = relaySuite();
let sandbox: Sandbox;
let transport: Transport;
let hooks: Hooks;
let zapier: Connection;
let api: ReturnType<typeof relayApi>;

beforeAll(async () => {
  sandbox = await suite.sandbox();
  transport = axiosTransport({ ...sandbox.credentials });
  const relay = await suite.relay(relayEnv(sandbox, suite.sqliteUrl()));
  api = relayApi(relay.url, sandbox.credentials);
  hooks = await suite.hooks();
  zapier = await new Connection(sandbox).connect();
  zapier.authData = { ...zapier.authData, relayUrl: relay.url };
});

const zap = (path: string, inputData: Row) => new InstantZap(zapier, hooks, path, inputData);

/** Waits until every hook has received `expected` POSTs and the relay has nothing queued or retrying. */
async function delivered(expected: [InstantZap, number][]): Promise<void> {
  await waitFor(`POSTs: ${expected.map(([z, n]) => `${z.path} ×${n}`).join(', ')}`, () => expected.every(([z, n]) => z.received.length >= n), 20_000, 50);
  await waitFor('the relay settled', async () => sandbox.events.unsettled() === 0 && deliveriesSettled(await api.status()), 20_000, 100);
}

/** The POST about `approvalId` a Zap received (exactly one). */
function postAbout(target: InstantZap, approvalId: string): Received {
  const posts = target.received.filter((request) => request.json.approval_id === approvalId);
  expect(posts).toHaveLength(1);
  return posts[0]!;
}

/** Runs the Zap on a POST, as Zapier does: perform, then the hydrator when a step uses the record. */
async function runOn(target: InstantZap, post: Received): Promise<{ stub: Delivered; record: Row }> {
  const records = await target.perform(post);
  expect(records).toHaveLength(1);
  return { stub: records[0]!, record: await hoisted(zapier, records[0]!) };
}

const STUB_FIELDS = ['id', 'template_code', 'status', 'result', 'outcome'] as const;
/** Whole minutes: DingTalk's API gives times to the minute; events carry milliseconds. */
const minuteOf = (iso: unknown) => (typeof iso === 'string' ? Math.floor(Date.parse(iso) / 60_000) : iso);

/** The instant Zap's record against the polling trigger's for the same approval, field by field. */
async function expectSameAsPolling(instantRun: { stub: Delivered; record: Row }, polling: Zap, approvalId: string) {
  const fresh = await polling.poll();
  const polled = fresh.find((record) => record.id === approvalId);
  expect(polled).toBeDefined();
  const { stub } = instantRun;
  expect(Object.keys(stub).sort()).toEqual(Object.keys(polled!).sort());
  for (const field of STUB_FIELDS) expect([field, stub[field]]).toEqual([field, polled![field]]);
  // The event's time is to the second, the API's to the minute: the same minute.
  expect(minuteOf(stub.finished_at)).toEqual(minuteOf(polled!.finished_at));
  // created_at differs before hydration: the instant stub has the submission's exact time (a submitted event) or
  // null (a finish event's record carries no submission time); the polling stub has when a poll first saw the
  // approval, or the detail's time. The hydrated record below brings the same created_at to both.
  if (stub.status === 'RUNNING') expect(minuteOf(stub.created_at)).toBeLessThanOrEqual(minuteOf(polled!.created_at) as number);
  else expect(stub.created_at).toBeNull();
  expect(instantRun.record).toEqual(untimed(await hoisted(polling.connection, polled!)));
}

/** A running task's wait_minutes counts up to the hydration's own clock; the two hydrations may straddle a minute. */
const untimed = (record: Row) => ({
  ...record,
  tasks: (record.tasks as Row[]).map((task) => (task.status === 'RUNNING' ? { ...task, wait_minutes: expect.any(Number) } : task)),
});

describe('Approval Event (Instant) through a relay process and the sandbox\'s Stream', () => {
  let zaps: Record<'submitted' | 'approved' | 'rejected' | 'revoked' | 'finished' | 'travelSubmitted' | 'wongApproved', InstantZap>;

  test('submit, approve, reject and revoke each reach exactly the matching Zaps once, as the polling triggers\' record; delivery costs no DingTalk call, hydration one per approval', async () => {
    zaps = {
      submitted: zap('/hooks/submitted', { event: 'submitted', processCode: codes.expense }),
      approved: zap('/hooks/approved', { event: 'approved', processCode: codes.expense }),
      rejected: zap('/hooks/rejected', { event: 'rejected', processCode: codes.expense }),
      revoked: zap('/hooks/revoked', { event: 'revoked', processCode: codes.expense }),
      finished: zap('/hooks/finished', { event: 'finished', processCode: codes.expense }),
      // Never matching in this test: another template; another originator (Chan submits every claim here).
      travelSubmitted: zap('/hooks/travel-submitted', { event: 'submitted', processCode: codes.travel }),
      wongApproved: zap('/hooks/wong-approved', { event: 'approved', processCode: codes.expense, originatorUserIds: people.wong }),
    };
    // Setting the Zaps up, the user picks the template from the dropdown: one metered template list, whose names
    // the connection keeps for records (7 days), so hydration below needs only the approval's detail.
    const { cost: dropdown } = await costOf(sandbox, () => zapier.run(app.triggers.list_templates!.operation.perform));
    expect(dropdown.metered).toBe(1);
    // The first subscribe registers the app as a tenant (the relay checks its credentials with DingTalk: a free
    // token call); the relay's next lease tick (within 5 s) opens its two Stream connections.
    const { cost: subscribing } = await costOf(sandbox, async () => {
      for (const target of Object.values(zaps)) await target.turnOn();
    });
    expect(subscribing.metered).toBe(0);
    expect(new Set(Object.values(zaps).map((z) => z.subscriptionId)).size).toBe(7);
    expect((await api.subscriptionIds()).sort()).toEqual(Object.values(zaps).map((z) => z.subscriptionId).sort());
    await waitFor('both Stream connections open', async () => bothConnectionsOpen(await api.status()), 20_000, 200);

    // The polling twins, on a connection of their own (their own z.cache), turned on before anything happens.
    const poller = await new Connection(sandbox).connect();
    const polling = {
      submitted: await new Zap(poller, 'new_approval').turnOn(),
      approved: await new Zap(poller, 'approval_approved').turnOn(),
      rejected: await new Zap(poller, 'approval_rejected').turnOn(),
      revoked: await new Zap(poller, 'approval_revoked').turnOn(),
    };

    /** One approval's life: each change reaches exactly `to`, costs `ownCalls` (the change itself) and nothing for delivery. */
    const change = async (what: () => Promise<string> | string, to: InstantZap[], ownCalls: number) => {
      const before = new Map(Object.values(zaps).map((z) => [z, z.received.length]));
      const { result: id, cost } = await costOf(sandbox, async () => {
        const changed = await what();
        await delivered(to.map((z) => [z, before.get(z)! + 1]));
        return changed;
      });
      expect(cost.metered).toBe(ownCalls);
      for (const target of Object.values(zaps)) expect([target.path, target.received.length]).toEqual([target.path, before.get(target)! + (to.includes(target) ? 1 : 0)]);
      return id;
    };
    const managerDecides = (id: string, result: 'agree' | 'refuse', to: InstantZap[]) => change(() => (sandbox.org.act(id, people.salesManager, result), id), to, 0);

    const runs: Record<string, { stub: Delivered; record: Row }> = {};
    /** Zapier runs each Zap the POSTs reached; the first hydration of an approval's state costs one metered call. */
    const runZaps = async (id: string, targets: InstantZap[], label: string) => {
      const { cost } = await costOf(sandbox, async () => {
        for (const target of targets) runs[`${label}:${target.path}`] = await runOn(target, postAbout(target, id));
      });
      // GetProcessInstance; user names come from the free contacts API.
      expect(cost.metered).toBe(1);
      expect(cost.byEndpoint.GetProcessInstance).toBe(1);
    };

    /** A submission, and the polling New Approval's next poll (which also lets the polling twins see it running:
     * one that starts and finishes between two polls is found by the hourly sweep only). */
    const submit = async (label: string) => {
      const id = await change(() => expenseClaim(transport), [zaps.submitted], 1);
      await runZaps(id, [zaps.submitted], label);
      await expectSameAsPolling(runs[`${label}:${zaps.submitted.path}`]!, polling.submitted, id);
      return id;
    };

    const approved = await submit('A');
    await managerDecides(approved, 'agree', [zaps.approved, zaps.finished]);
    await runZaps(approved, [zaps.approved, zaps.finished], 'A');
    await expectSameAsPolling(runs[`A:${zaps.approved.path}`]!, polling.approved, approved);

    const rejected = await submit('B');
    await managerDecides(rejected, 'refuse', [zaps.rejected, zaps.finished]);
    await runZaps(rejected, [zaps.rejected, zaps.finished], 'B');
    await expectSameAsPolling(runs[`B:${zaps.rejected.path}`]!, polling.rejected, rejected);

    const revoked = await submit('C');
    await change(() => (sandbox.org.revoke(revoked, people.chan), revoked), [zaps.revoked, zaps.finished], 0);
    await runZaps(revoked, [zaps.revoked, zaps.finished], 'C');
    await expectSameAsPolling(runs[`C:${zaps.revoked.path}`]!, polling.revoked, revoked);

    // Every POST: the relay's event record, the approval's id as `id`, signed, sent once (not a redelivery).
    const kinds = (target: InstantZap) => target.received.map((r) => [r.json.id, r.json.kind, r.json.approval_id, r.json.redelivery]);
    expect(kinds(zaps.submitted)).toEqual([approved, rejected, revoked].map((id) => [id, 'submitted', id, false]));
    expect(kinds(zaps.approved)).toEqual([[approved, 'approved', approved, false]]);
    expect(kinds(zaps.rejected)).toEqual([[rejected, 'rejected', rejected, false]]);
    expect(kinds(zaps.revoked)).toEqual([[revoked, 'revoked', revoked, false]]);
    expect(kinds(zaps.finished)).toEqual([[approved, 'approved', approved, false], [rejected, 'rejected', rejected, false], [revoked, 'revoked', revoked, false]]);
    expect(zaps.travelSubmitted.received).toEqual([]);
    expect(zaps.wongApproved.received).toEqual([]);
    for (const post of hooks.received) expect(Object.keys(post.headers)).toEqual(expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature']));

    // Both Zaps on one finished approval run with the same record.
    expect(runs[`A:${zaps.finished.path}`]!.record).toEqual(runs[`A:${zaps.approved.path}`]!.record);
    expect(runs[`A:${zaps.approved.path}`]!.record).toMatchObject({ id: approved, status: 'COMPLETED', result: 'agree', outcome: 'approved' });
    expect(runs[`B:${zaps.rejected.path}`]!.record).toMatchObject({ id: rejected, status: 'COMPLETED', result: 'refuse', outcome: 'rejected' });
    expect(runs[`C:${zaps.revoked.path}`]!.record).toMatchObject({ id: revoked, status: 'TERMINATED', outcome: 'revoked' });
  });

  test('a hook that answers 500 and then 200 gets exactly one retry, the same webhook-id, 5 s later', async () => {
    const flaky = await zap('/hooks/flaky', { event: 'approved', processCode: codes.expense }).turnOn();
    hooks.answer(flaky.path, (nth) => ({ status: nth === 0 ? 500 : 200 }));
    const id = await expenseClaim(transport);
    sandbox.org.act(id, people.salesManager, 'agree');
    await waitFor('the retry', () => flaky.received.length >= 2, 20_000, 50);
    await waitFor('the relay settled', async () => deliveriesSettled(await api.status()), 20_000, 100);

    const [first, retry] = flaky.received;
    expect(flaky.received).toHaveLength(2);
    expect([first!.json.approval_id, retry!.json.approval_id]).toEqual([id, id]);
    expect(retry!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    // The 500 was an answer, so the retry is not a possible duplicate.
    expect(retry!.json.redelivery).toBe(false);
    expect(Number(retry!.headers['webhook-timestamp']) - Number(first!.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(4);
    expect((await api.status())!.deliveries).toMatchObject({ dead: 0, retrying: 0, queued: 0 });
  });

  test('a hook that answers 410 loses its subscription at the relay and gets nothing more; turning the Zap off afterwards still succeeds', async () => {
    const gone = await zap('/hooks/gone', { event: 'submitted', processCode: codes.expense }).turnOn();
    hooks.answer(gone.path, () => ({ status: 410 }));
    const submitted = zaps.submitted;
    const seen = submitted.received.length;
    expect(await api.subscriptionIds()).toContain(gone.subscriptionId);

    const first = await expenseClaim(transport);
    await delivered([[gone, 1], [submitted, seen + 1]]);
    expect(await api.subscriptionIds()).not.toContain(gone.subscriptionId);
    expect(await api.subscriptionIds()).toContain(submitted.subscriptionId);

    await expenseClaim(transport);
    await delivered([[submitted, seen + 2]]);
    expect(gone.received.map((r) => r.json.approval_id)).toEqual([first]);
    await expect(gone.turnOff()).resolves.toEqual({ id: gone.subscriptionId, deleted: false });
  });
});
