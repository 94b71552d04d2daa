/**
 * Find Approval Statistics without Zapier: validated input in, one statistics record out.
 *
 * Where the figures come from, cheapest first:
 * 1. The ledger the approval triggers keep for the template (approvals/ledger/ledger.ts) knows every approval
 *    submitted or finished since it was built, with exact times once classified, and the step timings the
 *    classifying poll kept (timings.ts). When it covers the period, the statistics cost no metered call: the ledger
 *    is read as it is (not refreshed), and `data_as_of` says when it was last refreshed.
 * 2. Otherwise a bounded scan: the template's approvals submitted in the period and those still running are listed
 *    (20 ids a metered call), and each one's detail is read (one metered call, unless a trigger or an earlier
 *    statistics run kept it). Over MAX_SCAN_APPROVALS the search stops before fetching any detail and says why.
 */
import type { Transport } from '../../dingtalk/transport';
import { findProcessInstance, INSTANCE_PAGE_SIZE, listAllProcessInstanceIds, type ProcessInstanceDetail } from '../../dingtalk/workflow';
import { cacheKeys } from '../../lib/cache-keys';
import { InputError } from '../../lib/inputs';
import { mapLimited } from '../../lib/limiter';
import type { Store } from '../../lib/store';
import { HOUR_MS, isoFromMs } from '../../lib/time';
import { finishedAt as entryFinishedAt, RETENTION_MS, submittedAt as entrySubmittedAt, type Ledger, type LedgerEntry } from '../ledger/entry';
import { ApprovalLedger, MAX_WINDOW_MS } from '../ledger/ledger';
import { outcomeOf } from '../outcome';
import { cachedDetail } from '../record/detail';
import { statisticsOf, type ApprovalTiming, type Period } from './figures';
import type { StatisticsInput } from './input';
import { readTimings, rememberTimings, timingFromDetail } from './timings';

/** The most approvals a scan reads; with the list calls, a scan costs at most MAX_SCAN_CALLS metered calls. */
export const MAX_SCAN_APPROVALS = 100;
/** Two listings (the period's approvals, the running ones), each at most this many pages of 20. */
const MAX_LIST_PAGES = Math.ceil(MAX_SCAN_APPROVALS / INSTANCE_PAGE_SIZE) + 1;
export const MAX_SCAN_CALLS = MAX_SCAN_APPROVALS + 2 * MAX_LIST_PAGES;
/**
 * A ledger refreshed longer ago than this before the period's end is too old to report from (its Zaps may be
 * off); an hour is the ledger's own sweep interval, so an approval that started and finished between two polls
 * may be missing from the last hour's figures.
 */
export const LEDGER_STALE_MS = HOUR_MS;

export type StatisticsSource = 'ledger' | 'scan';

interface Gathered {
  timings: ApprovalTiming[];
  source: StatisticsSource;
  dataAsOf: number;
  meteredCalls: number;
}

/** Why the ledger cannot answer for the period, or undefined when it can. */
export function ledgerGap(ledger: Ledger | null, period: Period, now: number): string | undefined {
  if (!ledger) return 'no approval trigger watches this template on this connection';
  if (ledger.coveredFrom === undefined || ledger.coveredFrom >= period.from) return 'the approval triggers started watching this template after the period began';
  if (period.from < now - RETENTION_MS) return 'the approval triggers keep finished approvals for 31 days only';
  if (ledger.refreshedAt < Math.min(period.to, now) - LEDGER_STALE_MS) return 'no approval trigger has polled this template in the last hour';
  return undefined;
}

/** The template's statistics for the period. */
export async function approvalStatistics(transport: Transport, store: Store, input: StatisticsInput, now = Date.now()) {
  const ledger = await new ApprovalLedger(transport, store).read({ processCode: input.processCode });
  const gap = ledgerGap(ledger, input.period, now);
  const gathered = gap ? await fromScan(transport, store, input, now) : await fromLedger(transport, store, input, ledger!, now);
  const templateName = (await store.get<string>(cacheKeys.templateName(input.processCode))) ?? null;
  const { from, to } = input.period;
  return {
    id: `${input.processCode}:${isoFromMs(from)}/${isoFromMs(to)}`,
    template_code: input.processCode,
    template_name: templateName,
    period: input.periodLabel,
    period_start: isoFromMs(from),
    period_end: isoFromMs(to),
    target_hours: input.targetHours,
    ...statisticsOf(gathered.timings, input.period, input.targetHours),
    source: gathered.source,
    source_note: gap
      ? `Read from DingTalk because ${gap}. Counts cover approvals submitted in the period and those still running; an approval submitted before the period and finished in it is not counted.`
      : gathered.meteredCalls === 0
        ? 'Read from what the approval triggers already know: no metered DingTalk call.'
        : `Read from what the approval triggers already know, plus the details of ${gathered.meteredCalls} approval${gathered.meteredCalls === 1 ? '' : 's'} they had not read yet (one metered call each).`,
    data_as_of: isoFromMs(gathered.dataAsOf),
    metered_calls: gathered.meteredCalls,
  };
}

export type StatisticsRecord = Awaited<ReturnType<typeof approvalStatistics>>;

/** Refused before any detail is read: the scan would cost more than its cap. */
const tooManyApprovals = (holds: string) =>
  new InputError(
    [
      `The period holds ${holds}, more than the ${MAX_SCAN_APPROVALS} one search reads (one metered DingTalk call each). Choose a shorter ` +
        'period. Periods that an approval trigger on this template (for example Approval Finished) has watched from their start cost no call',
    ],
    'TooManyApprovals',
  );

/** A detail the triggers cached (free), else one metered fetch. */
async function detailOf(transport: Transport, store: Store, id: string, counter: { calls: number }): Promise<ProcessInstanceDetail | undefined> {
  const cached = await cachedDetail(store, id);
  if (cached) return cached;
  counter.calls += 1;
  return findProcessInstance(transport, id);
}

/** Reads the details of `ids` (after checking the cap), keeps their timings, and returns them by id. */
async function fetchTimings(transport: Transport, store: Store, processCode: string, ids: string[], counter: { calls: number }, now: number) {
  if (ids.length > MAX_SCAN_APPROVALS) throw tooManyApprovals(`${ids.length} approvals whose details this connection has not read yet`);
  const found = new Map<string, ApprovalTiming>();
  await mapLimited(ids, async (id) => {
    const detail = await detailOf(transport, store, id, counter);
    const timing = detail && timingFromDetail(id, detail);
    if (timing) found.set(id, timing);
  });
  await rememberTimings(store, processCode, [...found.values()], now);
  return found;
}

/** A ledger entry's figures when no timing is kept: its times and outcome, no steps or department. */
function timingFromEntry(id: string, entry: LedgerEntry): ApprovalTiming {
  const outcome = outcomeOf(entry.status, entry.result);
  return { id, submittedAt: entrySubmittedAt(entry), steps: [], ...(outcome ? { outcome, finishedAt: entryFinishedAt(entry) } : {}) };
}

async function fromLedger(transport: Transport, store: Store, { processCode, period }: StatisticsInput, ledger: Ledger, now: number): Promise<Gathered> {
  const kept = await readTimings(store, processCode);
  const counter = { calls: 0 };
  const relevant = (entry: LedgerEntry) =>
    entry.status === 'RUNNING'
      ? entrySubmittedAt(entry) < period.to
      : entry.status === 'PENDING' || (entry.status !== 'SETTLED' && ((entrySubmittedAt(entry) >= period.from && entrySubmittedAt(entry) < period.to) || (entryFinishedAt(entry) >= period.from && entryFinishedAt(entry) < period.to)));
  const entries = Object.entries(ledger.entries).filter(([, entry]) => relevant(entry));
  // Finished approvals need their steps and department; unclassified ones (PENDING) their outcome. Running
  // approvals are counted from the ledger alone: their department is shown when a timing already names it.
  const missing = entries.filter(([id, entry]) => entry.status !== 'RUNNING' && kept.get(id)?.outcome === undefined).map(([id]) => id);
  const fetched = missing.length ? await fetchTimings(transport, store, processCode, missing, counter, now) : new Map<string, ApprovalTiming>();
  const timings = entries.flatMap(([id, entry]) => {
    const timing = fetched.get(id) ?? kept.get(id);
    if (entry.status === 'RUNNING') {
      const running = timingFromEntry(id, entry);
      return [timing?.department ? { ...running, department: timing.department } : running];
    }
    if (timing?.outcome) return [timing];
    // A PENDING approval DingTalk no longer has, or a classified one whose detail is gone: what the ledger knows.
    return entry.status === 'PENDING' ? [] : [timingFromEntry(id, entry)];
  });
  return { timings, source: 'ledger', dataAsOf: ledger.refreshedAt, meteredCalls: counter.calls };
}

async function fromScan(transport: Transport, store: Store, { processCode, period }: StatisticsInput, now: number): Promise<Gathered> {
  const counter = { calls: 0 };
  const listed = async (startTime: number, endTime: number, statuses?: ['RUNNING']) => {
    const page = await listAllProcessInstanceIds(transport, { processCode, startTime, endTime, ...(statuses ? { statuses } : {}) }, MAX_LIST_PAGES * INSTANCE_PAGE_SIZE);
    counter.calls += page.pages;
    if (!page.complete) throw tooManyApprovals(`more than ${MAX_SCAN_APPROVALS} approvals`);
    return page.items;
  };
  const end = Math.min(period.to, now);
  const running = new Set(await listed(Math.max(now - MAX_WINDOW_MS, end - MAX_WINDOW_MS), end, ['RUNNING']));
  const submitted = await listed(period.from, end);
  const ids = [...new Set([...running, ...submitted])];
  const kept = await readTimings(store, processCode);
  // A kept finished timing is final; a running approval only needs its department once.
  const missing = ids.filter((id) => (running.has(id) ? !kept.get(id)?.department : kept.get(id)?.outcome === undefined));
  const fetched = await fetchTimings(transport, store, processCode, missing, counter, now);
  const timings = ids.flatMap((id) => {
    const timing = fetched.get(id) ?? kept.get(id);
    if (!timing) return [];
    // Listed as running now: running, whatever an older timing said.
    if (running.has(id)) return [{ id, submittedAt: timing.submittedAt, steps: [], ...(timing.department ? { department: timing.department } : {}) }];
    return timing.outcome ? [timing] : [];
  });
  return { timings, source: 'scan', dataAsOf: now, meteredCalls: counter.calls };
}
