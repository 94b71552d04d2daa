/**
 * The daily reconcile (../shared/dingtalk-events.md §4 lesson 4): DingTalk may lose a push (reported after
 * reconnects), withhold it (20001, push quota spent) or give up on an HTTP push, so once a day, per tenant and
 * template seen, the relay asks DingTalk which approvals finished and creates the finish events that never arrived,
 * marked `via: 'reconcile'`.
 *
 * Cost, in metered calls (each one counted and kept with the run, shown in /status):
 * - ListProcessInstanceIds for approvals created in the LOOKBACK_DAYS up to the reconciled day's end (and since
 *   the tenant was added), COMPLETED or TERMINATED: one call per 20 such approvals. With no gaps, that is the whole
 *   cost: a handful of calls a day.
 * - GetProcessInstance only for the approvals with no stored finish or terminate event (the enrichment), to learn
 *   their result and finish time. An approval that finished after the reconciled day is left to the next day's run,
 *   whose event may still be on its way.
 *
 * The run is claimed in the database (one per tenant, template and day, across processes); a failed run or one
 * whose process died is claimed again an hour later. Approvals created more than LOOKBACK_DAYS before they finish
 * are not looked at (⚠ a trade-off for cost: each extra day is listed seven times over a week).
 */
import type { Endpoint } from '../../dingtalk/endpoints';
import type { Transport } from '../../dingtalk/transport';
import { getProcessInstance, listAllProcessInstanceIds } from '../../dingtalk/workflow';
import { msFromApiTime } from '../../lib/time';
import type { Logger } from '../log';
import type { NewEvent, Store } from '../store';
import type { TenantCredentials } from '../tenants';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** DingTalk's days are China Standard Time (UTC+8, no daylight saving); so are its Hong Kong users'. */
const CHINA_OFFSET_MS = 8 * HOUR_MS;
export const LOOKBACK_DAYS = 7;
/** Templates named by events in this many days are reconciled. */
export const TEMPLATES_SEEN_DAYS = 35;
/** A run still "running" after this long belongs to a dead process and is claimed again. */
export const STALE_RUN_MS = HOUR_MS;
/** The previous day is reconciled once this much of the new day has passed, so late events have landed. */
export const AFTER_DAY_ENDS_MS = HOUR_MS;
export const CHECK_EVERY_MS = HOUR_MS;

/** 'YYYY-MM-DD' in China Standard Time, and its bounds in ms. */
export function chinaDay(ms: number): { day: string; start: number; end: number } {
  const local = new Date(ms + CHINA_OFFSET_MS);
  const start = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - CHINA_OFFSET_MS;
  return { day: local.toISOString().slice(0, 10), start, end: start + DAY_MS - 1 };
}

export interface ReconcileOptions {
  store: Store;
  log: Logger;
  credentials(tenantId: string): Promise<TenantCredentials | undefined>;
  /** The project's client over axios, with `onRequest` counting every call. */
  transport(credentials: TenantCredentials, onRequest: (endpoint: Endpoint) => void): Transport;
  holder: string;
  now?: () => number;
}

export interface ReconcileResult {
  processCode: string;
  day: string;
  /** False when another process has (or had) this run. */
  ran: boolean;
  meteredCalls: number;
  recovered: number;
  error?: string;
}

/** The finish (or terminate) event DingTalk should have pushed, rebuilt from the approval's details. */
function reconciledEvent(tenantId: string, processCode: string, processInstanceId: string, detail: Awaited<ReturnType<typeof getProcessInstance>>): NewEvent {
  const terminated = detail.status === 'TERMINATED';
  const changeType = terminated ? 'terminate' : 'finish';
  return {
    tenantId,
    // Stable, so two runs (or two processes) recovering the same approval store it once.
    eventId: `reconcile-${changeType}-${processInstanceId}`,
    eventType: 'bpms_instance_change',
    changeType,
    result: terminated ? null : (detail.result ?? null),
    processInstanceId,
    processCode,
    taskId: null,
    staffId: detail.originatorUserId ?? null,
    corpId: null,
    occurredAt: msFromApiTime(detail.finishTime) ?? null,
    bornAt: null,
    via: 'reconcile',
    raw: { reconciled: true, processInstanceId, status: detail.status, result: detail.result ?? null, finishTime: detail.finishTime ?? null, title: detail.title ?? null },
  };
}

/** Reconciles one tenant's templates for one China day (default: yesterday). */
export async function reconcileTenant(options: ReconcileOptions, tenantId: string, dayOf: number): Promise<ReconcileResult[]> {
  const { store, log, holder, now = Date.now } = options;
  const { day, start, end } = chinaDay(dayOf);
  const credentials = await options.credentials(tenantId);
  const tenant = await store.tenants.get(tenantId);
  if (!credentials || !tenant) return [];
  // Approvals from before the relay served the tenant were never going to arrive as events: not gaps.
  const listFrom = Math.max(start - (LOOKBACK_DAYS - 1) * DAY_MS, tenant.addedAt);
  const results: ReconcileResult[] = [];
  for (const processCode of await store.events.templatesSeen(tenantId, now() - TEMPLATES_SEEN_DAYS * DAY_MS)) {
    const runId = await store.reconcileRuns.claim({ tenantId, processCode, day, holder }, now(), STALE_RUN_MS);
    if (runId === undefined) {
      results.push({ processCode, day, ran: false, meteredCalls: 0, recovered: 0 });
      continue;
    }
    let meteredCalls = 0;
    let recovered = 0;
    const transport = options.transport(credentials, (endpoint) => {
      if (endpoint.metered) meteredCalls += 1;
    });
    try {
      const { items: finishedIds } = await listAllProcessInstanceIds(transport, {
        processCode,
        startTime: listFrom,
        endTime: Math.max(listFrom, Math.min(end, now())),
        statuses: ['COMPLETED', 'TERMINATED'],
      });
      for (const processInstanceId of finishedIds) {
        const known =
          (await store.events.hasChange(tenantId, processInstanceId, 'bpms_instance_change', 'finish')) ||
          (await store.events.hasChange(tenantId, processInstanceId, 'bpms_instance_change', 'terminate'));
        if (known) continue;
        const detail = await getProcessInstance(transport, processInstanceId);
        const event = reconciledEvent(tenantId, processCode, processInstanceId, detail);
        // Finished after the reconciled day: its event may still be on its way; the next day's run looks again.
        if (event.occurredAt != null && event.occurredAt > end) continue;
        // GetProcessInstance gives minutes ("2026-11-20T10:05Z") where events give milliseconds; a finish never
        // precedes the approval's other events, so it is ordered after the latest one stored.
        const latest = Math.max(0, ...(await store.events.ofInstance(tenantId, processInstanceId)).map((known) => known.occurredAt ?? known.bornAt ?? 0));
        if (event.occurredAt != null && event.occurredAt < latest) event.occurredAt = latest;
        const [recorded] = await store.events.record([event], now());
        if (recorded!.stored) recovered += 1;
      }
      await store.reconcileRuns.finish(runId, { meteredCalls, recovered }, now());
      log.info('reconcile.done', { tenantId, processCode, day, meteredCalls, recovered, listed: finishedIds.length });
      results.push({ processCode, day, ran: true, meteredCalls, recovered });
    } catch (error) {
      const message = log.scrub(error instanceof Error ? error.message : String(error));
      await store.reconcileRuns.finish(runId, { meteredCalls, recovered, error: message }, now()).catch(() => undefined);
      await store.errors.record({ tenantId, at: now(), source: 'reconcile', message }).catch(() => undefined);
      log.error('reconcile.failed', { tenantId, processCode, day, meteredCalls, error });
      results.push({ processCode, day, ran: true, meteredCalls, recovered, error: message });
    }
  }
  return results;
}

/**
 * Every hour, reconciles yesterday (China time) for the tenants `tenants()` names (intake passes those whose slot 0
 * this process holds), once the new day is an hour old. The database claim makes each run happen once.
 */
export function startReconcile(options: ReconcileOptions, tenants: () => string[]): () => void {
  const now = options.now ?? Date.now;
  const check = async () => {
    const at = now();
    if (at - chinaDay(at).start < AFTER_DAY_ENDS_MS) return;
    for (const tenantId of tenants()) {
      try {
        await reconcileTenant(options, tenantId, at - DAY_MS);
      } catch (error) {
        options.log.error('reconcile.failed', { tenantId, error });
      }
    }
  };
  const first = setTimeout(() => void check(), 60_000);
  const timer = setInterval(() => void check(), CHECK_EVERY_MS);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
