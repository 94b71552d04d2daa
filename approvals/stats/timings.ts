/**
 * Per-approval step timings, kept when an approval's detail is read anyway (the ledger classifying a finished
 * approval, or a statistics scan), so Find Approval Statistics never fetches the same detail again.
 *
 * All of a template's timings live under one key (cacheKeys.timings), so the statistics read them with one z.cache
 * round trip. The stored form is compact: times in whole minutes (DingTalk's API times have minute precision,
 * `yyyy-MM-ddTHH:mmZ`), step times relative to the submission, and each step or department name once in a table.
 * test/approvals/stats/timings.test.ts measures it: about 75 bytes an approval with two steps (README §6).
 */
import type { ProcessInstanceDetail } from '../../dingtalk/workflow';
import { cacheKeys, cacheTtlS } from '../../lib/cache-keys';
import type { Store } from '../../lib/store';
import { DAY_MS, MINUTE_MS, msFromApiTime } from '../../lib/time';
import { RETENTION_MS } from '../ledger/entry';
import { outcomeOf } from '../outcome';
import type { ApprovalTiming, Outcome, StepVisit } from './figures';

/** Task results that mean someone acted on the task (tasks.result, obtains-the-details-of-a-single-approval-instance-pop). */
const ACTED = new Set(['AGREE', 'REFUSE', 'REDIRECTED']);
export const UNNAMED_STEP = 'Unnamed step';

/**
 * The step names of an approval: its operation records' `showName` per `activityId`. DingTalk documents `showName`
 * as the task node's name (任务节点名称, e.g. "审批人"); tasks carry only the `activityId`
 * (dingtalk-api.md §2.5). ⚠ Which records carry an `activityId` is not documented; the sandbox writes it on
 * every task action.
 */
function stepNames(detail: ProcessInstanceDetail): Map<string, string> {
  const names = new Map<string, string>();
  for (const record of detail.operationRecords ?? []) {
    if (record.activityId && record.showName && !names.has(record.activityId)) names.set(record.activityId, record.showName);
  }
  return names;
}

/**
 * The visits to each step: the acted tasks of one step, merged where they overlap or follow each other (parallel
 * approvers; a transfer's new task starts when the old one ends), so an approval sent back to a step counts twice.
 */
export function stepVisits(detail: ProcessInstanceDetail): StepVisit[] {
  const names = stepNames(detail);
  const tasks = (detail.tasks ?? [])
    .filter((task) => ACTED.has((task.result ?? '').toUpperCase()))
    .flatMap((task) => {
      const startedAt = msFromApiTime(task.createTime);
      const finishedAt = msFromApiTime(task.finishTime);
      if (startedAt === undefined || finishedAt === undefined || finishedAt < startedAt) return [];
      const step = (task.activityId && names.get(task.activityId)) || task.activityId || UNNAMED_STEP;
      return [{ step, startedAt, finishedAt }];
    })
    .sort((a, b) => a.startedAt - b.startedAt);
  const visits: StepVisit[] = [];
  const open = new Map<string, StepVisit>();
  for (const task of tasks) {
    const visit = open.get(task.step);
    if (visit && task.startedAt <= visit.finishedAt) visit.finishedAt = Math.max(visit.finishedAt, task.finishedAt);
    else {
      const next = { ...task };
      visits.push(next);
      open.set(task.step, next);
    }
  }
  return visits;
}

/** What the statistics keep of a detail; undefined when DingTalk gave no submission time. */
export function timingFromDetail(id: string, detail: ProcessInstanceDetail): ApprovalTiming | undefined {
  const submittedAt = msFromApiTime(detail.createTime);
  if (submittedAt === undefined) return undefined;
  const outcome = outcomeOf(detail.status, detail.result);
  const finishedAt = msFromApiTime(detail.finishTime);
  const timing: ApprovalTiming = { id, submittedAt, steps: outcome ? stepVisits(detail) : [] };
  if (outcome && finishedAt !== undefined) Object.assign(timing, { outcome, finishedAt });
  // originatorDeptId "-1" is the root department (dingtalk-api.md §2.5); its name is the organisation's.
  if (detail.originatorDeptId) timing.department = { id: detail.originatorDeptId, name: detail.originatorDeptName ?? detail.originatorDeptId };
  return timing;
}

// ---- the stored form ----

const OUTCOME_CODES: Record<Outcome, string> = { approved: 'a', rejected: 'r', revoked: 'v' };
const OUTCOMES_BY_CODE = Object.fromEntries(Object.entries(OUTCOME_CODES).map(([outcome, code]) => [code, outcome as Outcome]));

/** [submitted min, finished − submitted min | null, outcome code | null, department id | null, department name index | null, steps] */
type StoredTiming = [number, number | null, string | null, string | null, number | null, [number, number, number][]];
/** Each step: [name index, start − submitted (min), duration (min)]. */
export interface StoredTimings {
  v: 1;
  names: string[];
  approvals: Record<string, StoredTiming>;
}

const minutes = (ms: number) => Math.round(ms / MINUTE_MS);

export function encodeTimings(timings: Iterable<ApprovalTiming>): StoredTimings {
  const names: string[] = [];
  const indexes = new Map<string, number>();
  const index = (name: string) => {
    if (!indexes.has(name)) indexes.set(name, names.push(name) - 1);
    return indexes.get(name)!;
  };
  const approvals: Record<string, StoredTiming> = {};
  for (const timing of timings) {
    const submitted = minutes(timing.submittedAt);
    approvals[timing.id] = [
      submitted,
      timing.finishedAt === undefined ? null : minutes(timing.finishedAt) - submitted,
      timing.outcome ? OUTCOME_CODES[timing.outcome] : null,
      timing.department?.id ?? null,
      timing.department ? index(timing.department.name) : null,
      timing.steps.map((visit) => [index(visit.step), minutes(visit.startedAt) - submitted, minutes(visit.finishedAt) - minutes(visit.startedAt)]),
    ];
  }
  return { v: 1, names, approvals };
}

export function decodeTimings(stored: StoredTimings | undefined): Map<string, ApprovalTiming> {
  const decoded = new Map<string, ApprovalTiming>();
  if (stored?.v !== 1) return decoded;
  const name = (index: number) => stored.names[index] ?? UNNAMED_STEP;
  for (const [id, [submitted, finished, code, departmentId, departmentName, steps]] of Object.entries(stored.approvals)) {
    const submittedAt = submitted * MINUTE_MS;
    const timing: ApprovalTiming = {
      id,
      submittedAt,
      steps: steps.map(([step, start, duration]) => ({ step: name(step), startedAt: submittedAt + start * MINUTE_MS, finishedAt: submittedAt + (start + duration) * MINUTE_MS })),
    };
    const outcome = code ? OUTCOMES_BY_CODE[code] : undefined;
    if (outcome && finished !== null) Object.assign(timing, { outcome, finishedAt: submittedAt + finished * MINUTE_MS });
    if (departmentId !== null && departmentName !== null) timing.department = { id: departmentId, name: name(departmentName) };
    decoded.set(id, timing);
  }
  return decoded;
}

/** Running approvals are kept for DingTalk's 120-day listing window (only their department is used). */
const RUNNING_RETENTION_MS = 120 * DAY_MS;

export async function readTimings(store: Store, processCode: string): Promise<Map<string, ApprovalTiming>> {
  return decodeTimings(await store.get<StoredTimings>(cacheKeys.timings(processCode)));
}

/**
 * Adds timings to the template's stored ones (one read and one write), dropping finished approvals older than the
 * ledger keeps them. A concurrent writer may lose its additions; that costs a later statistics run a detail fetch,
 * never a wrong figure.
 */
export async function rememberTimings(store: Store, processCode: string, timings: readonly ApprovalTiming[], now: number): Promise<void> {
  if (timings.length === 0) return;
  const all = await readTimings(store, processCode);
  for (const timing of timings) all.set(timing.id, timing);
  const kept = [...all.values()].filter((timing) =>
    timing.finishedAt === undefined ? timing.submittedAt >= now - RUNNING_RETENTION_MS : timing.finishedAt >= now - RETENTION_MS,
  );
  await store.set(cacheKeys.timings(processCode), encodeTimings(kept), cacheTtlS.ledger);
}
