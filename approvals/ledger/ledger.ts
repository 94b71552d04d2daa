/**
 * The approval ledger: what one DingTalk connection knows about one template's approvals, shared by every Zap
 * on that template. Triggers derive their records from it, so one set of list calls serves them all.
 *
 * A refresh ("watch the running set, not the window"):
 * 1. lists the template's RUNNING instances (usually one page of 20);
 * 2. at most once an hour, and on a rebuild, lists COMPLETED and TERMINATED instances created since the last
 *    sweep, so an approval that starts and finishes between two polls is still seen (a little later);
 * 3. an id never seen before is a submission; an id that left the running set has finished, and one detail
 *    fetch classifies it, once, with the outcome kept under its own cache key as well.
 *
 * A missing ledger is rebuilt with a window scan: it costs calls, never an event. The scan itself is one poll;
 * classifying the finished approvals it finds takes one detail fetch each, CLASSIFY_BUDGET per poll, unless their
 * outcomes are still cached under their own keys (bench: 2,000 approvals in a 7-day window left 1,684 to classify).
 *
 * `pollLedger` at the end is one trigger poll without Zapier: validated input in, the entries the trigger's kind
 * (kinds.ts) delivers out. The triggers wrap it for Zapier (zapier/approval-trigger.ts); the cost model, the
 * benchmarks and the relay run it against any Store.
 */
import { findProcessInstance, INSTANCE_PAGE_SIZE, listProcessInstanceIdsInSlices, WINDOW_SLICES, MAX_LIST_ORIGINATORS, MAX_LIST_WINDOW_DAYS, querySchemaByProcessCode } from '../../dingtalk/workflow';
import type { Transport } from '../../dingtalk/transport';
import { cacheKeys, cacheTtlS } from '../../lib/cache-keys';
import { Deadline } from '../../lib/deadline';
import { mapLimited, rateGate } from '../../lib/limiter';
import type { Store } from '../../lib/store';
import { InputError, readInputs } from '../../lib/inputs';
import { DAY_MS, MINUTE_MS } from '../../lib/time';
import { autoPlan, formatDuration } from '../../quota/auto';
import { budgetOf } from '../../quota/budget';
import { Meter } from '../../quota/meter';
import { isFinal } from '../outcome';
import { rememberDetail } from '../record/detail';
import { rememberTitle } from '../record/titles';
import { rememberTemplateNames } from '../record/lookup';
import type { ApprovalTiming } from '../stats/figures';
import { rememberTimings, timingFromDetail } from '../stats/timings';
import { DEFAULT_LOOK_BACK_DAYS, type Selected, type TriggerKind } from './kinds';
import { entryFromDetail, mergeEntries, prune, type Ledger, type LedgerEntry } from './entry';
import { entryFromV1, ledgerFromV1 } from './v1';

/** DingTalk's widest ListProcessInstanceIds window, less a margin. */
export const MAX_WINDOW_MS = MAX_LIST_WINDOW_DAYS * DAY_MS - MINUTE_MS;
/** How often finished-between-polls approvals are swept for. */
export const SWEEP_INTERVAL_MS = 60 * MINUTE_MS;
/** Sweeps overlap by this much, so clock skew between Zapier and DingTalk cannot open a gap. */
export const SWEEP_OVERLAP_MS = 5 * MINUTE_MS;
/** Detail fetches one poll may spend on classification; the rest wait for the next poll. */
export const CLASSIFY_BUDGET = 25;
/** Detail fetches side by side: at 250 ms a call, 5 at a time is 20 a second, so the gate below binds. */
const CLASSIFY_CONCURRENCY = 5;
/** GetProcessInstance is its own API under DingTalk's 20 calls per second; 16 leaves room for another Zap. */
const CLASSIFY_PER_SECOND = 16;
/**
 * A poll's wall time is bounded, whatever DingTalk's latency (Zapier stops a poll at 30 s, zapier-platform.md):
 * no list page is asked for after LIST_STOP_MS and no detail fetch started after CLASSIFY_STOP_MS. What is left
 * waits for the next poll: an incomplete running list proves nothing, an incomplete sweep is swept again, and
 * unclassified approvals stay pending. Tests lower these figures.
 */
export const pollTiming = { listStopMs: 12_000, classifyStopMs: 15_000 };
/**
 * List pages a window scan may request per second. DingTalk allows 20 calls per second per API for an app
 * (call-frequency-limit); 18 leaves a little room for another Zap's poll at the same moment.
 */
export const LIST_PER_SECOND = 18;

export interface LedgerScope {
  processCode: string;
  /** Originator filter; a Zap with a filter gets its own ledger, listed with DingTalk's `userIds`. */
  userIds?: string[];
}

export interface RefreshOptions extends LedgerScope {
  /** How far back a submission is watched when the ledger is rebuilt. */
  lookBackMs: number;
  /** Reuse a ledger refreshed less than this long ago. 0 refreshes on every poll. */
  freshnessMs: number;
  /** The poll seeds a new Zap's dedupe list: finished approvals found now are settled, not classified. */
  seedingDedupe: boolean;
  now?: number;
}

export interface RefreshResult {
  ledger: Ledger;
  rebuilt: boolean;
  refreshed: boolean;
}

/**
 * Where to cut the running list when it spans several pages: every RUNNING_PER_SLICE-th known running approval's
 * submission time, so each slice holds about one page and they are paged side by side (a normal poll of a
 * template with hundreds of running approvals then takes about one call's time, for about the same calls).
 */
const RUNNING_PER_SLICE = 18;
function runningCuts(ledger: Ledger): number[] | undefined {
  const running = Object.values(ledger.entries).filter((entry) => entry.status === 'RUNNING');
  // Up to two pages, one cursor takes two round trips, as slices would, without their extra partial pages.
  if (running.length <= 2 * INSTANCE_PAGE_SIZE) return undefined;
  // Submission times DingTalk told us, else the earliest each can have been (a rebuild's undated approvals carry
  // the rebuild's time as seenAt, but the time slice they were listed in as notBefore). A cut at an approximate time
  // only makes a slice hold a little more or less than a page: together the slices still cover the whole window.
  const times = running
    .map((entry) => entry.createdAt ?? entry.notBefore)
    .filter((at): at is number => at !== undefined)
    .sort((a, b) => a - b);
  const cuts: number[] = [];
  // A cut only helps with approvals on both sides of it (approximate times are often equal).
  for (let i = RUNNING_PER_SLICE; i < times.length; i += RUNNING_PER_SLICE) if (times[i]! > (cuts[cuts.length - 1] ?? times[0]!)) cuts.push(times[i]!);
  return cuts.length ? cuts : undefined;
}

/** A stored outcome in either format, or undefined. */
const storedOutcome = (value: unknown): LedgerEntry | undefined =>
  typeof value === 'object' && value !== null && 'status' in value ? (value as LedgerEntry) : entryFromV1(value);

export class ApprovalLedger {
  constructor(
    private readonly transport: Transport,
    private readonly store: Store,
  ) {}

  /** The stored ledger; a version-1 ledger (older app versions) is read and converted, so a deploy costs no rebuild. */
  async read(scope: LedgerScope): Promise<Ledger | null> {
    const current = await this.store.get<Ledger>(cacheKeys.ledger(scope));
    if (current?.v === 2) return current;
    return ledgerFromV1(await this.store.get(cacheKeys.ledgerV1(scope))) ?? null;
  }

  /**
   * Brings the ledger up to date (or reuses a fresh one) and stores it. `current` is the ledger the caller
   * already read (each z.cache read is a round trip to Zapier); omitted, it is read here.
   */
  async refresh(options: RefreshOptions, current?: Ledger | null): Promise<RefreshResult> {
    const now = options.now ?? Date.now();
    const read = current === undefined ? await this.read(options) : current;
    const stored = read ?? undefined;
    if (stored && now - stored.refreshedAt < options.freshnessMs) return { ledger: stored, rebuilt: false, refreshed: false };

    const rebuilt = !stored;
    const ledger: Ledger = stored ?? { v: 2, refreshedAt: 0, sweptAt: now - Math.min(options.lookBackMs, MAX_WINDOW_MS), entries: {} };
    ledger.coveredFrom ??= now;
    const base = { processCode: options.processCode, ...(options.userIds?.length ? { userIds: options.userIds } : {}) };
    const windowStart = now - MAX_WINDOW_MS;

    let learned = false;
    const dropped = new Set<string>();
    const deadline = new Deadline();
    // A rebuild scans the whole look-back window and must finish within the poll, so it pages time slices side by
    // side; a normal refresh lists the running set and the last hour, one page after another (fewer calls).
    const listing = { slices: rebuilt ? WINDOW_SLICES : 1, beforePage: rateGate(LIST_PER_SECOND), shouldStop: () => deadline.elapsedMs() > pollTiming.listStopMs };
    try {
      const running = await listProcessInstanceIdsInSlices(this.transport, { ...base, startTime: windowStart, endTime: now, statuses: ['RUNNING'] }, { ...listing, boundaries: runningCuts(ledger), recentMs: options.lookBackMs });
      const runningIds = new Set(running.items);
      // A rebuild cannot tell when the running approvals it finds were submitted. Seeding dedupe only needs ids;
      // a poll delivers them, so they are dated (one detail each) to keep New Approval newest first.
      const undated = rebuilt && !options.seedingDedupe ? ({ undated: true } as const) : {};
      // The earliest a new running id can have been submitted: after the last refresh (it was not in that running
      // list), and not before the time slice it was listed in. Approximate submission times that let the next
      // refreshes cut the running list into slices (runningCuts) and Approval Waiting Too Long plan its first check.
      const notBeforeOf = (id: string) => {
        const at = Math.max(rebuilt ? -Infinity : ledger.refreshedAt, running.notBefore?.get(id) ?? -Infinity);
        return Number.isFinite(at) ? { notBefore: at } : {};
      };
      for (const id of runningIds) {
        const entry = ledger.entries[id];
        if (!entry) ledger.entries[id] = { status: 'RUNNING', seenAt: now, ...undated, ...notBeforeOf(id) };
        else if (entry.status === 'PENDING') entry.status = 'RUNNING';
      }
      // Only a complete listing proves an id has left the running set.
      if (running.complete) {
        for (const [id, entry] of Object.entries(ledger.entries)) if (entry.status === 'RUNNING' && !runningIds.has(id)) entry.status = 'PENDING';
      }

      if (rebuilt || now - ledger.sweptAt >= SWEEP_INTERVAL_MS) {
        const startTime = Math.max(ledger.sweptAt - SWEEP_OVERLAP_MS, windowStart);
        const finished = await listProcessInstanceIdsInSlices(this.transport, { ...base, startTime, endTime: now, statuses: ['COMPLETED', 'TERMINATED'] }, listing);
        for (const id of finished.items) {
          if (!ledger.entries[id]) ledger.entries[id] = { status: rebuilt && options.seedingDedupe ? 'SETTLED' : 'PENDING', seenAt: now };
        }
        // Out of time before the sweep's last page: the next poll sweeps the same window again.
        if (finished.complete) ledger.sweptAt = now;
      }
      ledger.refreshedAt = now;
      learned = true;
      await this.classify(ledger, options.processCode, now, dropped, () => deadline.elapsedMs() > pollTiming.classifyStopMs);
    } finally {
      // What a refresh learned before an error (throttling, quota) is kept for the next poll; a rebuild that
      // failed halfway stores nothing, so the next poll rebuilds (and seeds dedupe) from scratch.
      if (learned || !rebuilt) await this.save(options, ledger, now, dropped);
    }
    return { ledger, rebuilt, refreshed: true };
  }

  /**
   * One detail fetch per approval that left the running set (or was swept), within this poll's budget. Running
   * approvals a rebuild found are dated from the same budget: at most half of it goes first (New Approval's order
   * waits on them), so outcomes are never starved; what either side leaves unused goes to the other. What each
   * detail says about timings is kept too (approvals/stats/timings.ts), so statistics need no second fetch.
   */
  private async classify(ledger: Ledger, processCode: string, now: number, dropped: Set<string>, shouldStop: () => boolean): Promise<void> {
    const windowStart = now - MAX_WINDOW_MS;
    const timings: ApprovalTiming[] = [];
    const entries = Object.entries(ledger.entries);
    const undated = entries.filter(([, entry]) => entry.status === 'RUNNING' && entry.undated && entry.createdAt === undefined);
    const pending = entries.filter(([, entry]) => entry.status === 'PENDING').sort(([, a], [, b]) => b.seenAt - a.seenAt);
    const first = undated.slice(0, Math.ceil(CLASSIFY_BUDGET / 2));
    const work = [...first, ...pending, ...undated.slice(first.length)].slice(0, CLASSIFY_BUDGET);
    await mapLimited(work, async ([id, entry]) => {
      const known = storedOutcome(await this.store.get(cacheKeys.outcome(id))) ?? storedOutcome(await this.store.get(cacheKeys.outcomeV1(id)));
      if (known && isFinal(known.status)) {
        ledger.entries[id] = { ...known, seenAt: entry.seenAt };
        return;
      }
      const detail = await findProcessInstance(this.transport, id);
      if (!detail) {
        // Deleted in DingTalk: nothing to deliver, and fetching it on every poll would fail every poll.
        delete ledger.entries[id];
        dropped.add(id);
        return;
      }
      const classified = entryFromDetail(detail, entry.seenAt);
      if (classified.status === 'RUNNING' && classified.createdAt !== undefined && classified.createdAt < windowStart) {
        // Older than DingTalk's 120-day listing window: no longer watchable, so no longer watched.
        delete ledger.entries[id];
        dropped.add(id);
        return;
      }
      ledger.entries[id] = classified;
      await rememberTitle(this.store, id, detail);
      if (isFinal(classified.status)) {
        await this.store.set(cacheKeys.outcome(id), classified, cacheTtlS.outcome);
        await rememberDetail(this.store, id, detail);
      }
      // Kept for Find Approval Statistics: a finished one's steps, a running one's department.
      const timing = timingFromDetail(id, detail);
      if (timing) timings.push(timing);
    }, { concurrency: CLASSIFY_CONCURRENCY, perSecond: CLASSIFY_PER_SECOND, shouldStop });
    await rememberTimings(this.store, processCode, timings, now);
  }

  /** Merge-before-write: a concurrent poll's classifications survive ours; what we dropped stays dropped. */
  private async save(scope: LedgerScope, ledger: Ledger, now: number, dropped: ReadonlySet<string>): Promise<void> {
    const latest = await this.read(scope);
    const merged: Ledger = latest
      ? {
          v: 2,
          refreshedAt: Math.max(latest.refreshedAt, ledger.refreshedAt),
          sweptAt: Math.max(latest.sweptAt, ledger.sweptAt),
          coveredFrom: Math.min(latest.coveredFrom ?? now, ledger.coveredFrom ?? now),
          entries: mergeEntries(ledger.entries, latest.entries),
        }
      : ledger;
    for (const id of dropped) delete merged.entries[id];
    merged.entries = prune(merged.entries, now);
    await this.store.set(cacheKeys.ledger(scope), merged, cacheTtlS.ledger);
    Object.assign(ledger, merged);
  }
}

/** The Refresh Interval value that means "let the governor decide". */
export const AUTO_REFRESH = 'auto';

/** What one trigger poll takes, validated (pollInput). */
export interface PollInput {
  processCode: string;
  userIds: string[];
  lookBackMs: number;
  /** Refresh Interval: reuse a ledger refreshed less than this long ago (0: every poll). Ignored when `auto`. */
  freshnessMs: number;
  /** Refresh Interval "Auto" (the default): the governor picks the interval from the month's budget (quota/auto.ts). */
  auto?: boolean;
  /** The raw inputs, for a kind with fields of its own. */
  inputData?: Readonly<Record<string, unknown>>;
}

/** Validates every input at once (the kind's own fields too), so the user sees all problems in one message. */
export function pollInput(inputData: Record<string, unknown>, kind?: TriggerKind): PollInput {
  const input = readInputs(inputData);
  const processCode = input.required('processCode', 'Template');
  const userIds = input.list('originatorUserIds');
  if (userIds.length > MAX_LIST_ORIGINATORS) input.problems.push(`Originators accepts at most ${MAX_LIST_ORIGINATORS} users (DingTalk's limit)`);
  const lookBack = input.wholeNumber('lookBackDays', 'Look Back (Days)', { min: 1, max: MAX_LIST_WINDOW_DAYS, fallback: DEFAULT_LOOK_BACK_DAYS });
  const refresh = inputData.refreshMinutes;
  // Zaps made before "Auto" existed stored their choice ("0" for every poll), which still wins; a Zap with none gets Auto.
  const auto = refresh === undefined || refresh === null || String(refresh).trim() === '' || String(refresh).trim().toLowerCase() === AUTO_REFRESH;
  const freshness = auto ? 0 : Number(refresh);
  if (!Number.isFinite(freshness) || freshness < 0) input.problems.push('Refresh Interval must be "Auto" or a number of minutes');
  input.problems.push(...(kind?.check?.(inputData) ?? []));
  input.done();
  return { processCode, userIds, lookBackMs: Math.min(lookBack * DAY_MS, MAX_WINDOW_MS), freshnessMs: freshness * MINUTE_MS, auto, inputData };
}

/** One metered call, made only when a ledger is (re)built or a sample is loaded: a wrong template fails loudly. */
export async function verifyTemplate(transport: Transport, store: Store, processCode: string): Promise<void> {
  const schema = await querySchemaByProcessCode(transport, processCode);
  if (schema.status === 'INVALID') {
    throw new InputError([`The approval template ${schema.name ?? processCode} is disabled in DingTalk. Enable it in the DingTalk admin console or pick another template`], 'TemplateDisabled');
  }
  if (schema.name) await rememberTemplateNames(store, [{ processCode, name: schema.name }]);
}

export interface PollMeta {
  /** Seeding a new Zap's dedupe list. */
  seedingDedupe: boolean;
  now: number;
  /**
   * The connection's meter (quota/meter.ts); the transport should count into the same one. Without it, Auto
   * plans with the safe default budget against the meter in `store`.
   */
  meter?: Meter;
  /** Where Auto says why a poll waits (z.console.log inside Zapier). */
  log?: (line: string) => void;
}

/** What a poll's refresh decided, for a trigger that does more with the ledger (approvals/waiting/poll.ts). */
export interface LedgerPoll {
  ledger: Ledger;
  refreshed: boolean;
  /** The ledger's key: what the meter counts a refresh (and the work paid with it) against. */
  key: string;
  /** The refresh interval in force for this poll: Auto's, or the Zap's own setting. */
  intervalMs: number;
}

/**
 * Refreshes (or reuses) a template's ledger as every polling approval trigger does: at Auto's interval (from the
 * month's budget) or the Zap's fixed one, with the refresh's calls noted on the meter so Auto learns what a
 * refresh costs.
 */
export async function refreshForPoll(transport: Transport, store: Store, input: Omit<PollInput, 'inputData'>, meta: PollMeta): Promise<LedgerPoll> {
  const { seedingDedupe, now, log = () => undefined } = meta;
  const meter = meterFor(store, meta);
  const ledgers = new ApprovalLedger(transport, store);
  const scope = { processCode: input.processCode, userIds: input.userIds };
  const key = cacheKeys.ledger(scope);
  const current = await ledgers.read(scope);
  let intervalMs = input.freshnessMs;
  if (input.auto) {
    const plan = autoPlan(meter.budget, await meter.read(), now, key);
    intervalMs = plan.intervalMs;
    if (current && now - current.refreshedAt < intervalMs) {
      log(`${plan.reason} This template was checked ${formatDuration(now - current.refreshedAt)} ago, so this poll uses what is known and asks DingTalk again in ${formatDuration(current.refreshedAt + intervalMs - now)}.`);
    }
  }
  const before = meter.counted;
  if (!current) await verifyTemplate(transport, store, input.processCode);
  const { ledger, refreshed } = await ledgers.refresh({ ...scope, lookBackMs: input.lookBackMs, freshnessMs: intervalMs, seedingDedupe, now }, current);
  if (refreshed) {
    meter.noteRefresh(key, meter.counted - before);
    await meter.flush();
  }
  return { ledger, refreshed, key, intervalMs };
}

/** The poll's meter, or one with the safe default budget over `store`, on the poll's clock (so a test's simulated time picks the quota month). */
export const meterFor = (store: Store, { meter, now }: Pick<PollMeta, 'meter' | 'now'>): Meter => meter ?? new Meter(store, budgetOf({}), () => now);

/** Refreshes (or reuses) the template's ledger and returns what a trigger of `kind` delivers. */
export async function pollLedger(transport: Transport, store: Store, kind: TriggerKind, input: PollInput, meta: PollMeta): Promise<Selected[]> {
  const { ledger } = await refreshForPoll(transport, store, input, meta);
  const entries = Object.entries(ledger.entries).map(([id, entry]) => ({ id, entry }));
  return kind.select(entries, { now: meta.now, lookBackMs: input.lookBackMs, seedingDedupe: meta.seedingDedupe, inputData: input.inputData ?? {} });
}
