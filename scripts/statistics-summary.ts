/**
 * `npm start`'s Find Approval Statistics report as a person reads it: a few lines, each figure under the label the
 * search gives it in Zapier (its output fields), hours and percentages with their units, and the slowest step named.
 */
type Report = Record<string, unknown>;
type OutputField = { key: string; label?: string };

const hours = (value: unknown) => `${String(value)} hour${value === 1 ? '' : 's'}`;

/** "Processing Time Average (Hours)" and 26.5 → "Processing Time Average: 26.5 hours"; "(%)" → "16.7%". */
export function figure(label: string, value: unknown): string {
  const unit = /\s*\((Hours|%)\)$/.exec(label);
  const name = unit ? label.slice(0, unit.index) : label;
  if (value === null || value === undefined) return `${name}: none yet`;
  if (unit?.[1] === '%') return `${name}: ${String(value)}%`;
  if (unit) return `${name}: ${hours(value)}`;
  return `${name}: ${String(value)}`;
}

/** "2026-11-30T06:05:04+08:00" → "2026-11-30 06:05" (the report's times carry Hong Kong's offset). */
const minute = (iso: unknown) => String(iso).replace('T', ' ').slice(0, 16);

/** The whole words every label starts with, with the space after them ('' when none). */
function sharedWords(labels: string[]): string {
  const words = labels.map((label) => label.split(' '));
  let n = 0;
  while (n < words[0]!.length - 1 && words.every((w) => w.length - 1 > n && w[n] === words[0]![n])) n += 1;
  return n === 0 ? '' : `${words[0]!.slice(0, n).join(' ')} `;
}

/** The report in lines: what it covers, the counts, the rates, processing times, the target, the slowest step, its source. */
export function statisticsSummary(report: Report, outputFields: OutputField[]): string[] {
  const labels = new Map(outputFields.map((field) => [field.key, field.label ?? field.key]));
  // Figures on one line; words their labels share are said once ("Processing Time Average: … · Median: …").
  const figures = (...keys: string[]) => {
    const named = keys.map((key) => ({ label: labels.get(key) ?? key, value: report[key] }));
    const shared = keys.length > 1 ? sharedWords(named.map((f) => f.label)) : '';
    return named.map((f, i) => figure(i === 0 ? f.label : f.label.slice(shared.length), f.value)).join(' · ');
  };
  const slowest = report.slowest_step
    ? `${String(report.slowest_step)}, ${hours(report.slowest_step_average_hours)} on average`
    : 'none yet (no approval finished in the period)';
  return [
    `${String(report.template_name ?? report.template_code)}, ${String(report.period)}: ${minute(report.period_start)} to ${minute(report.period_end)} Hong Kong time`,
    figures('submitted', 'approved', 'rejected', 'revoked', 'still_running'),
    figures('rejection_rate_percent', 'revocation_rate_percent'),
    figures('processing_hours_average', 'processing_hours_median', 'processing_hours_p90'),
    `${figures('finished_within_target_percent')} (target: ${hours(report.target_hours)})`,
    `${labels.get('slowest_step')}: ${slowest}`,
    `${labels.get('source_note')}: ${String(report.source_note)}`,
  ];
}
