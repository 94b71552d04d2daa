/**
 * Approval statistics from per-approval timings: pure arithmetic, no DingTalk and no Zapier, so the figures can be
 * checked by hand (test/approvals/stats/figures.test.ts).
 *
 * Who counts where, for a period [from, to):
 * - submitted: submitted in the period;
 * - approved / rejected / revoked (together "finished"): finished in the period, wherever they were submitted;
 * - still running: running when the data was read, submitted before the period ended;
 * - rejection and revocation rate: rejected (revoked) ÷ finished, in percent, so approved + rejected + revoked
 *   rates add up to 100;
 * - processing time (average, median, 90th percentile) and the share finished within the target: over the
 *   approved and rejected ones (a revoked approval was withdrawn, not processed);
 * - step dwell: over every finished approval's steps that someone acted on (approved, rejected or transferred).
 *
 * Definitions (README §6 "Find Approval Statistics" repeats them):
 * - median: the middle value of the sorted times, or the mean of the two middle values for an even count (what
 *   a spreadsheet's MEDIAN gives);
 * - 90th percentile: nearest rank, the smallest processing time that at least 90 % of the approvals did not
 *   exceed: sorted[ceil(0.9 × n) − 1]. It is always a real approval's time, and it answers the question the
 *   process owner asks ("do 90 % finish within 48 h?") exactly: p90 ≤ 48 h if and only if at least 90 % did.
 *   (A spreadsheet's PERCENTILE interpolates between two approvals instead.)
 */
import { HOUR_MS } from '../../lib/time';

export type Outcome = 'approved' | 'rejected' | 'revoked';

/** One visit of an approval to a step (node): from its first task's start to its last acted task's finish. */
export interface StepVisit {
  step: string;
  startedAt: number;
  finishedAt: number;
}

/** What the statistics need to know about one approval. */
export interface ApprovalTiming {
  id: string;
  submittedAt: number;
  /** Both set once it finished; both absent while it runs. */
  finishedAt?: number;
  outcome?: Outcome;
  /** The originator's department, when known (always for finished approvals; a running one may not be fetched yet). */
  department?: { id: string; name: string };
  steps: StepVisit[];
}

/** The period, from inclusive to exclusive, in epoch milliseconds. */
export interface Period {
  from: number;
  to: number;
}

export interface StepFigures {
  step: string;
  /** Visits counted (an approval that came back to a step counts twice). */
  visits: number;
  average_hours: number;
  max_hours: number;
}

export interface Figures {
  submitted: number;
  approved: number;
  rejected: number;
  revoked: number;
  finished: number;
  still_running: number;
  rejection_rate_percent: number | null;
  revocation_rate_percent: number | null;
  processing_hours_average: number | null;
  processing_hours_median: number | null;
  processing_hours_p90: number | null;
  finished_within_target_percent: number | null;
  slowest_step: string | null;
  slowest_step_average_hours: number | null;
  steps: StepFigures[];
}

export interface DepartmentFigures extends Omit<Figures, 'steps'> {
  department_id: string | null;
  department_name: string;
}

/** The name a department gets while a running approval's department is not known yet. */
export const UNKNOWN_DEPARTMENT = 'Not known yet (still running, details not read)';

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;
const hours = (ms: number) => round(ms / HOUR_MS, 2);
const percent = (part: number, whole: number) => (whole === 0 ? null : round((100 * part) / whole, 1));

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The middle value, or the mean of the two middle values (see the definitions above). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest-rank percentile: the smallest value that at least `p` % of the values do not exceed. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

const inPeriod = (ms: number, { from, to }: Period) => ms >= from && ms < to;

function stepFigures(approvals: readonly ApprovalTiming[]): StepFigures[] {
  const dwell = new Map<string, number[]>();
  for (const approval of approvals) {
    for (const visit of approval.steps) dwell.set(visit.step, [...(dwell.get(visit.step) ?? []), visit.finishedAt - visit.startedAt]);
  }
  return [...dwell]
    .map(([step, times]) => ({ step, visits: times.length, average_hours: hours(mean(times)!), max_hours: hours(Math.max(...times)) }))
    .sort((a, b) => b.average_hours - a.average_hours || b.max_hours - a.max_hours || a.step.localeCompare(b.step));
}

/** The figures for one set of approvals (a template, or one department of it). */
export function figuresOf(approvals: readonly ApprovalTiming[], period: Period, targetHours: number): Figures {
  const finished = approvals.filter((a) => a.outcome && a.finishedAt !== undefined && inPeriod(a.finishedAt, period));
  const count = (outcome: Outcome) => finished.filter((a) => a.outcome === outcome).length;
  const decided = finished.filter((a) => a.outcome !== 'revoked');
  const processing = decided.map((a) => a.finishedAt! - a.submittedAt);
  const average = mean(processing);
  const middle = median(processing);
  const p90 = percentile(processing, 90);
  const steps = stepFigures(finished);
  return {
    submitted: approvals.filter((a) => inPeriod(a.submittedAt, period)).length,
    approved: count('approved'),
    rejected: count('rejected'),
    revoked: count('revoked'),
    finished: finished.length,
    still_running: approvals.filter((a) => !a.outcome && a.submittedAt < period.to).length,
    rejection_rate_percent: percent(count('rejected'), finished.length),
    revocation_rate_percent: percent(count('revoked'), finished.length),
    processing_hours_average: average === null ? null : hours(average),
    processing_hours_median: middle === null ? null : hours(middle),
    processing_hours_p90: p90 === null ? null : hours(p90),
    finished_within_target_percent: percent(processing.filter((ms) => ms <= targetHours * HOUR_MS).length, processing.length),
    slowest_step: steps[0]?.step ?? null,
    slowest_step_average_hours: steps[0]?.average_hours ?? null,
    steps,
  };
}

/** The template's figures, and the same per originator department (sorted by name; unknown last). */
export function statisticsOf(approvals: readonly ApprovalTiming[], period: Period, targetHours: number): Figures & { departments: DepartmentFigures[] } {
  const byDepartment = new Map<string, { id: string | null; name: string; approvals: ApprovalTiming[] }>();
  for (const approval of approvals) {
    const key = approval.department?.id ?? '';
    const group = byDepartment.get(key) ?? { id: approval.department?.id ?? null, name: approval.department?.name || UNKNOWN_DEPARTMENT, approvals: [] };
    group.approvals.push(approval);
    byDepartment.set(key, group);
  }
  const departments = [...byDepartment.values()]
    .sort((a, b) => Number(a.id === null) - Number(b.id === null) || a.name.localeCompare(b.name))
    .map(({ id, name, approvals: members }) => {
      const { steps: _steps, ...figures } = figuresOf(members, period, targetHours);
      return { department_id: id, department_name: name, ...figures };
    })
    .filter((department) => department.submitted + department.finished + department.still_running > 0);
  return { ...figuresOf(approvals, period, targetHours), departments };
}
