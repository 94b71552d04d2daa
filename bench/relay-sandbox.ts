/**
 * DingTalk's side of `npm run bench:relay`, in a process of its own as in production, where DingTalk's gateway and
 * the people deciding approvals are not on the relay's machine: a sandbox whose Stream gateway pushes to the
 * relay, and the org's approvers deciding at a steady rate or all at once. bench/relay.ts forks it once per row and
 * drives it over Node's IPC channel, one command at a time (Command in, Reply out). Its own work (the change
 * observer after each decision, the gateway's frames and ack bookkeeping) runs on its own event loop, so it no
 * longer waits behind the relay's commits or delays them.
 *
 * Times sent back are milliseconds since the epoch with sub-millisecond precision (performance.timeOrigin + now),
 * the same clock in both processes.
 */
import { performance } from 'node:perf_hooks';
import { axiosTransport } from '../dingtalk/axios-transport';
import { startProcessInstance } from '../dingtalk/workflow';
import { createSandbox, type Sandbox } from '../sandbox';

export type Command =
  | { kind: 'warm-up'; approvals: number }
  | { kind: 'paced'; approvals: number; eventsPerSecond: number; tickMs: number }
  | { kind: 'burst' }
  | { kind: 'stop' };

export type Reply =
  | { kind: 'ready'; url: string; credentials: { appKey: string; appSecret: string } }
  | { kind: 'warmed' }
  | { kind: 'paced'; events: number }
  | { kind: 'burst'; events: number; firstChangeAt: number; lastAckAt: number }
  | { kind: 'stopped' }
  | { kind: 'failed'; message: string };

const clock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Resolves when every pushed event is acked SUCCESS, with the time it saw that (polled every millisecond). */
async function allAcked(sandbox: Sandbox, what: string, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (sandbox.events.unsettled() > 0) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(1);
  }
  return clock();
}

const reply = (message: Reply) => new Promise<void>((done) => process.send!(message, undefined, {}, () => done()));

async function main(): Promise<void> {
  const sandbox = await createSandbox({ qpsLimit: 1_000_000 });
  const { appKey, appSecret } = sandbox.credentials;
  process.env.DINGTALK_API_BASE_URL = sandbox.url; // the warm-up's API calls (dingtalk/transport.ts)
  /** Approvals started in the warm-up and not yet decided, oldest first. */
  const undecided: string[] = [];

  const decide = (id: string) => {
    const task = (sandbox.org.instance(id) as { tasks: { userId: string; status: string }[] }).tasks.find((t) => t.status === 'RUNNING')!;
    sandbox.org.act(id, task.userId, 'agree'); // task finish + instance finish: 2 events
  };
  const emitted = () => sandbox.events.emitted().length;

  const handlers: { [K in Command['kind']]: (command: Extract<Command, { kind: K }>) => Promise<Reply> } = {
    // Not measured: once the relay's two connections are open, start the approvals (2 events each) over the API,
    // as an app would, and wait until the relay has acked them all.
    'warm-up': async ({ approvals }) => {
      const deadline = Date.now() + 60_000;
      while (sandbox.events.connections().length < 2) {
        if (Date.now() > deadline) throw new Error('bench: the relay did not open two Stream connections in 60 s');
        await sleep(5);
      }
      const transport = axiosTransport(sandbox.credentials);
      for (let i = 0; i < approvals; i++) {
        undecided.push(await startProcessInstance(transport, {
          processCode: 'PROC-SBX-EXPENSE-0001', originatorUserId: 'user-chan-0001', deptId: 100,
          formComponentValues: [
            { name: 'Claim Title 報銷事由', value: 'Taxi 的士' }, { name: 'Expense Type 費用類型', value: 'Transport' },
            { name: 'Claim Date 申請日期', value: '2026-11-20' }, { name: 'Total Amount (HKD) 總金額', value: '80' },
          ],
        }));
      }
      await allAcked(sandbox, 'the warm-up acked');
      return { kind: 'warmed' };
    },
    // A steady rate: a few decisions every tick, on schedule (catching up if a tick runs late).
    paced: async ({ approvals, eventsPerSecond, tickMs }) => {
      const ids = undecided.splice(0, approvals);
      const before = emitted();
      const perTick = (eventsPerSecond / 2) * (tickMs / 1000);
      const started = performance.now();
      for (let done = 0; done < ids.length; ) {
        const due = Math.min(ids.length, Math.floor(((performance.now() - started) / tickMs + 1) * perTick));
        while (done < due) decide(ids[done++]!);
        await sleep(tickMs);
      }
      await allAcked(sandbox, 'the paced events acked');
      return { kind: 'paced', events: emitted() - before };
    },
    // The rest of the approvers decide at once.
    burst: async () => {
      const ids = undecided.splice(0);
      const before = emitted();
      const firstChangeAt = clock();
      for (const id of ids) decide(id);
      const lastAckAt = await allAcked(sandbox, 'the burst acked');
      return { kind: 'burst', events: emitted() - before, firstChangeAt, lastAckAt };
    },
    stop: async () => {
      await sandbox.stop();
      return { kind: 'stopped' };
    },
  };

  process.on('message', (command: Command) => {
    const handle = handlers[command.kind] as (command: Command) => Promise<Reply>;
    void handle(command)
      .catch((error: unknown): Reply => ({ kind: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) }))
      .then(async (message) => {
        await reply(message);
        if (message.kind === 'stopped' || message.kind === 'failed') process.disconnect();
      });
  });
  // The bench died or is done: nothing should outlive it.
  process.on('disconnect', () => void sandbox.stop().finally(() => process.exit(0)));
  await reply({ kind: 'ready', url: sandbox.url, credentials: { appKey, appSecret } });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
