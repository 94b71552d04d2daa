/**
 * One poll of Approval Waiting Too Long without Zapier: refresh the template's shared ledger (the same refresh, and
 * the same Refresh Interval, as every other approval trigger, so the quota budget governs it alike), then fetch
 * the detail of the running approvals whose tasks could first cross the threshold now (thresholds.ts), at most
 * CHECK_BUDGET a poll and only on a poll that refreshed, and deliver every task confirmed waiting that long.
 *
 * What the checks learn is kept per ledger (cacheKeys.waiting) and shared by every waiting Zap on the template,
 * whatever its threshold: a 2-hour Zap's check tells the 24-hour Zap when its own is due. A delivery is derived
 * from that stored state, never from what one poll noticed, so a poll that fails after a check loses nothing.
 */
import type { Transport } from '../../dingtalk/transport';
import { ProcessInstance } from '../../dingtalk/schemas/workflow';
import { findProcessInstance, type ProcessInstanceDetail } from '../../dingtalk/workflow';
import { cacheKeys, cacheTtlS } from '../../lib/cache-keys';
import { mapLimited } from '../../lib/limiter';
import type { Store } from '../../lib/store';
import { DAY_MS } from '../../lib/time';
import { submittedAt, type LedgerEntry } from '../ledger/entry';
import { DEFAULT_LOOK_BACK_DAYS } from '../ledger/kinds';
import { ApprovalLedger, verifyTemplate } from '../ledger/ledger';
import { personWithManager, type Person } from './people';
import { crossedTasks, deliveryId, dueForCheck, watchFromDetail, type WaitingTask, type Watch } from './thresholds';

/** Detail fetches one poll may spend on waiting checks; the rest wait for the next poll, most overdue first. */
export const CHECK_BUDGET = 10;

export interface WaitingInput {
  processCode: string;
  thresholdMs: number;
  /** Only tasks of these approvers; empty for every approver. */
  approverIds: string[];
  /** The ledger's Refresh Interval (ms), as for the other approval triggers. */
  freshnessMs: number;
}

/** What the checks learned, per approval id. */
export interface WaitingBook {
  v: 1;
  watches: Record<string, Watch>;
}

export interface WaitingDelivery {
  id: string;
  approvalId: string;
  entry: LedgerEntry;
  task: WaitingTask;
  /** When the check confirmed the wait (ms). */
  checkedAt: number;
  approver: Person;
}

const scopeOf = (processCode: string) => ({ processCode });

/** The detail the last waiting check fetched, free to read; undefined when it expired (a day) or was never fetched. */
export async function checkedDetail(store: Store, id: string): Promise<ProcessInstanceDetail | undefined> {
  const cached = ProcessInstance.safeParse(await store.get(cacheKeys.waitingDetail(id)));
  return cached.success ? cached.data : undefined;
}

async function readBook(store: Store, processCode: string): Promise<WaitingBook> {
  const stored = await store.get<WaitingBook>(cacheKeys.waiting(scopeOf(processCode)));
  return stored?.v === 1 ? stored : { v: 1, watches: {} };
}

/** Merge-before-write: the newer check of each approval wins; approvals no longer running are forgotten. */
async function saveBook(store: Store, processCode: string, ours: WaitingBook, running: ReadonlySet<string>): Promise<void> {
  const latest = await readBook(store, processCode);
  const watches: Record<string, Watch> = {};
  for (const id of running) {
    const mine = ours.watches[id];
    const theirs = latest.watches[id];
    const newer = mine && theirs ? (mine.checkedAt >= theirs.checkedAt ? mine : theirs) : (mine ?? theirs);
    if (newer) watches[id] = newer;
  }
  await store.set(cacheKeys.waiting(scopeOf(processCode)), { v: 1, watches } satisfies WaitingBook, cacheTtlS.waiting);
}

export interface WaitingPollMeta {
  seedingDedupe: boolean;
  now: number;
}

/** Refreshes (or reuses) the ledger, checks what is due, and returns every task confirmed waiting, newest first. */
export async function pollWaiting(transport: Transport, store: Store, input: WaitingInput, { seedingDedupe, now }: WaitingPollMeta): Promise<WaitingDelivery[]> {
  const ledgers = new ApprovalLedger(transport, store);
  const scope = scopeOf(input.processCode);
  const current = await ledgers.read(scope);
  if (!current) await verifyTemplate(transport, store, input.processCode);
  const { ledger, refreshed } = await ledgers.refresh(
    { ...scope, lookBackMs: DEFAULT_LOOK_BACK_DAYS * DAY_MS, freshnessMs: input.freshnessMs, seedingDedupe, now },
    current,
  );
  const running = Object.entries(ledger.entries)
    .filter(([, entry]) => entry.status === 'RUNNING')
    .map(([id, entry]) => ({ id, entry, seenAt: submittedAt(entry) }));
  const book = await readBook(store, input.processCode);

  // Checks spend quota only on a poll the budget let refresh, and never while seeding a new Zap's dedupe list.
  if (refreshed && !seedingDedupe) {
    const due = dueForCheck(running, book.watches, input.thresholdMs, now, CHECK_BUDGET);
    try {
      await mapLimited(due, async (id) => {
        const detail = await findProcessInstance(transport, id);
        // Deleted: no tasks to wait on. Finished: the ledger notices on its next refresh.
        book.watches[id] = detail ? watchFromDetail(detail, now) : { checkedAt: now, tasks: [] };
        if (detail) await store.set(cacheKeys.waitingDetail(id), detail, cacheTtlS.detail);
      });
    } finally {
      await saveBook(store, input.processCode, book, new Set(running.map(({ id }) => id)));
    }
  }

  const deliveries: Omit<WaitingDelivery, 'approver'>[] = [];
  for (const { id, entry } of running) {
    const watch = book.watches[id];
    if (!watch) continue;
    for (const task of crossedTasks(watch, input.thresholdMs)) {
      if (input.approverIds.length > 0 && !input.approverIds.includes(task.userId)) continue;
      deliveries.push({ id: deliveryId(id, task.taskId, input.thresholdMs), approvalId: id, entry, task, checkedAt: watch.checkedAt });
    }
  }
  deliveries.sort((a, b) => b.task.startedAt - a.task.startedAt);
  if (seedingDedupe) return deliveries.map((delivery) => ({ ...delivery, approver: { userId: delivery.task.userId, name: null, managerUserId: null, managerName: null } }));
  // Names and managers come from the free contacts API, cached for a week: one lookup per approver, not per delivery.
  const approverIds = [...new Set(deliveries.map((delivery) => delivery.task.userId))];
  const people = new Map((await mapLimited(approverIds, (userId) => personWithManager(transport, store, userId))).map((person) => [person.userId, person]));
  return deliveries.map((delivery) => ({ ...delivery, approver: people.get(delivery.task.userId)! }));
}
