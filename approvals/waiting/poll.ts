/**
 * One poll of Approval Waiting Too Long without Zapier: refresh the template's shared ledger (the same refresh, and
 * the same Refresh Interval, as every other approval trigger: Auto by default), then, at most once per that
 * interval, run a round of checks: fetch the detail of the running approvals whose tasks could first cross any
 * waiting Zap's threshold now (thresholds.ts), at most CHECK_BUDGET a round, and deliver every task confirmed
 * waiting at least this Zap's threshold.
 *
 * The quota budget governs the checks as it governs refreshes: a round's calls are noted on the meter as work the
 * refresh interval pays for (Meter.noteRefreshWork), so under Auto a template with waiting Zaps is refreshed and
 * checked less often until the month's projected spend fits the budget. A fixed Refresh Interval checks at that
 * interval, whatever it costs (its help text gives the price).
 *
 * What the checks learn is kept per ledger (cacheKeys.waiting) and shared by every waiting Zap on the template,
 * whatever its threshold: one round checks for the 2-hour and the 24-hour Zap alike, whichever Zap polls first,
 * and a poll by another approval trigger never uses up a round. A delivery is derived from that stored state,
 * never from what one poll noticed, so a poll that fails after a check loses nothing.
 */
import type { Transport } from '../../dingtalk/transport';
import { findProcessInstance, type ProcessInstanceDetail } from '../../dingtalk/workflow';
import { cacheKeys, cacheTtlS } from '../../lib/cache-keys';
import { mapLimited } from '../../lib/limiter';
import type { Store } from '../../lib/store';
import { DAY_MS } from '../../lib/time';
import { submittedAt, type LedgerEntry } from '../ledger/entry';
import { storedDetail } from '../record/detail';
import { DEFAULT_LOOK_BACK_DAYS } from '../ledger/kinds';
import { meterFor, refreshForPoll, type PollMeta } from '../ledger/ledger';
import { ACTIVE_LEDGER_MS } from '../../quota/auto';
import { personWithManager, type Person } from './people';
import { crossedTasks, deliveryId, dueForCheck, watchFromDetail, type WaitingTask, type Watch } from './thresholds';

/**
 * Detail fetches one round may spend; the rest wait for the next round, most overdue first. Under Auto a round can
 * be hours after the last, so it is sized for the checks that fall due in that time on a busy template; at the
 * limiter's 10 calls a second it is about 2.5 s of a poll's 30.
 */
export const CHECK_BUDGET = 25;

export interface WaitingInput {
  processCode: string;
  thresholdMs: number;
  /** Only tasks of these approvers; empty for every approver. */
  approverIds: string[];
  /** The ledger's Refresh Interval (ms), as for the other approval triggers. Ignored when `auto`. */
  freshnessMs: number;
  /** Refresh Interval "Auto" (the default): the governor picks the interval from the month's budget. */
  auto?: boolean;
}

/** What the checks learned, per approval id. */
export interface WaitingBook {
  v: 1;
  watches: Record<string, Watch>;
  /** When the last round of checks ran (ms); absent before the first. */
  checkedAt?: number;
  /** The thresholds (ms, as text) of the waiting Zaps on the template, with when each last polled. */
  thresholds?: Record<string, number>;
}

/** A threshold whose Zap has not polled for this long is no longer checked for (its Zap was turned off). */
const THRESHOLD_MEMORY_MS = ACTIVE_LEDGER_MS;
/** A Zap's threshold is re-registered when its stored poll time is older than this (fewer cache writes). */
const REGISTER_EVERY_MS = 60 * 60 * 1000;

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
export const checkedDetail = (store: Store, id: string): Promise<ProcessInstanceDetail | undefined> => storedDetail(store, cacheKeys.waitingDetail(id));

async function readBook(store: Store, processCode: string): Promise<WaitingBook> {
  const stored = await store.get<WaitingBook>(cacheKeys.waiting(scopeOf(processCode)));
  return stored?.v === 1 ? stored : { v: 1, watches: {} };
}

/**
 * Merge-before-write: the newer check of each approval wins; approvals no longer running are forgotten (all of
 * them kept when `running` is undefined); the later round and each threshold's later poll win.
 */
async function saveBook(store: Store, processCode: string, ours: WaitingBook, running: ReadonlySet<string> | undefined, now: number): Promise<void> {
  const latest = await readBook(store, processCode);
  const watches: Record<string, Watch> = {};
  for (const id of running ?? new Set([...Object.keys(latest.watches), ...Object.keys(ours.watches)])) {
    const mine = ours.watches[id];
    const theirs = latest.watches[id];
    const newer = mine && theirs ? (mine.checkedAt >= theirs.checkedAt ? mine : theirs) : (mine ?? theirs);
    if (newer) watches[id] = newer;
  }
  const thresholds: Record<string, number> = {};
  for (const [threshold, at] of [...Object.entries(latest.thresholds ?? {}), ...Object.entries(ours.thresholds ?? {})]) {
    if (now - at < THRESHOLD_MEMORY_MS) thresholds[threshold] = Math.max(thresholds[threshold] ?? 0, at);
  }
  const checkedAt = Math.max(latest.checkedAt ?? -Infinity, ours.checkedAt ?? -Infinity);
  const book: WaitingBook = { v: 1, watches, ...(Number.isFinite(checkedAt) ? { checkedAt } : {}), thresholds };
  await store.set(cacheKeys.waiting(scopeOf(processCode)), book, cacheTtlS.waiting);
}

/** The thresholds one round checks for: every waiting Zap's on the template that polled lately, this one's included. */
const activeThresholds = (book: WaitingBook, thresholdMs: number, now: number) => [
  ...new Set([thresholdMs, ...Object.entries(book.thresholds ?? {}).filter(([, at]) => now - at < THRESHOLD_MEMORY_MS).map(([threshold]) => Number(threshold))]),
];

export type WaitingPollMeta = PollMeta;

/**
 * The earliest an approval's first task can have started: its submission once known; for one a refresh found
 * after the ledger was built, the refresh before (it was not running then); for one the rebuild found, the
 * rebuild (its tasks may be older, but checking every one of them at once would spend a round on history).
 */
function earliestStart(entry: LedgerEntry, builtAt: number): number {
  if (entry.createdAt !== undefined) return entry.createdAt;
  return entry.notBefore !== undefined && entry.notBefore >= builtAt ? entry.notBefore : submittedAt(entry);
}

/** Refreshes (or reuses) the ledger, checks what is due, and returns every task confirmed waiting, newest first. */
export async function pollWaiting(transport: Transport, store: Store, input: WaitingInput, meta: WaitingPollMeta): Promise<WaitingDelivery[]> {
  const { seedingDedupe, now } = meta;
  const meter = meterFor(store, meta);
  const { ledger, refreshed, key, intervalMs } = await refreshForPoll(
    transport,
    store,
    { ...scopeOf(input.processCode), userIds: [], lookBackMs: DEFAULT_LOOK_BACK_DAYS * DAY_MS, freshnessMs: input.freshnessMs, auto: input.auto },
    { ...meta, meter },
  );
  const running = Object.entries(ledger.entries)
    .filter(([, entry]) => entry.status === 'RUNNING')
    .map(([id, entry]) => ({ id, entry, seenAt: earliestStart(entry, ledger.coveredFrom ?? -Infinity) }));
  const book = await readBook(store, input.processCode);
  const thresholds = activeThresholds(book, input.thresholdMs, now);
  const registered = book.thresholds?.[String(input.thresholdMs)];
  book.thresholds = { ...book.thresholds, [String(input.thresholdMs)]: now };

  // A round with each refresh this Zap makes, or when the last round is a refresh interval old (another trigger on
  // the template refreshed first), shared by every waiting Zap on the template; never while seeding a new Zap's
  // dedupe list. Its calls are paid for like the refresh's (noteRefreshWork), so the budget governs them.
  if (!seedingDedupe && (refreshed || now - (book.checkedAt ?? -Infinity) >= intervalMs)) {
    const due = dueForCheck(running, book.watches, thresholds, now, CHECK_BUDGET);
    const before = meter.counted;
    try {
      await mapLimited(due, async (id) => {
        const detail = await findProcessInstance(transport, id);
        // Deleted: no tasks to wait on. Finished: the ledger notices on its next refresh.
        book.watches[id] = detail ? watchFromDetail(detail, now) : { checkedAt: now, tasks: [] };
        if (detail) await store.set(cacheKeys.waitingDetail(id), detail, cacheTtlS.detail);
      });
    } finally {
      book.checkedAt = now;
      await saveBook(store, input.processCode, book, new Set(running.map(({ id }) => id)), now);
      meter.noteRefreshWork(key, meter.counted - before);
      await meter.flush();
    }
  } else if (registered === undefined || now - registered >= REGISTER_EVERY_MS) {
    // A new (or long silent) Zap makes its threshold known to the rounds, before its own poll runs one.
    await saveBook(store, input.processCode, { v: 1, watches: {}, thresholds: book.thresholds }, undefined, now);
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
