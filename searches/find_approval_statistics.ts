import { defineInputFields, defineSearch, type InferInputData, type PlainOutputField, type SearchPerform } from 'zapier-platform-core';
import { DEFAULT_PERIOD, DEFAULT_TARGET_HOURS, PERIODS, statisticsInput } from '../approvals/stats/input';
import { approvalStatistics, MAX_SCAN_APPROVALS, MAX_SCAN_CALLS } from '../approvals/stats/statistics';
import sample from '../samples/approval-statistics.json';
import { templateField } from '../zapier/fields';
import { zapierStore } from '../zapier/store';
import { zapierTransport } from '../zapier/transport';
import { withUserErrors } from '../zapier/user-errors';

const inputFields = defineInputFields([
  templateField(
    true,
    'The template to report on. **Cost:** nothing when an approval trigger without an Originators filter has watched this ' +
      'template on this connection since before the period began and polled in the last hour. Otherwise it reads DingTalk: one ' +
      `metered call per 20 approvals listed and one per approval not read before, at most ${MAX_SCAN_CALLS} calls; over ` +
      `${MAX_SCAN_APPROVALS} approvals it stops before reading any and says so (the free edition allows 5,000 calls a month).`,
  ),
  {
    key: 'period',
    label: 'Period',
    required: false,
    default: DEFAULT_PERIOD,
    choices: Object.entries(PERIODS).map(([value, label]) => ({ value, label, sample: value })),
    helpText: 'Last 7 days and Last 30 days end when the search runs. Choose From–to for fixed dates.',
  },
  {
    key: 'from',
    label: 'From',
    required: false,
    helpText: 'Only with Period From–to: the first day, like 2026-11-01 (from 00:00 Hong Kong time), or a date and time.',
  },
  {
    key: 'to',
    label: 'To',
    required: false,
    helpText: 'Only with Period From–to: the last day, like 2026-11-30 (until 24:00 Hong Kong time), or a date and time. At most 120 days after From.',
  },
  {
    key: 'targetHours',
    label: 'Target (Hours)',
    type: 'number',
    required: false,
    default: String(DEFAULT_TARGET_HOURS),
    helpText: 'The processing time approvals should finish within: the result gives the share of approved and rejected approvals that did.',
  },
]);

const perform = (async (z, bundle) => {
  const input = statisticsInput(bundle.inputData);
  // Always one record: a period with no approvals is a report of zeros, not a miss.
  return [await approvalStatistics(zapierTransport(z, bundle), zapierStore(z), input)];
}) satisfies SearchPerform<InferInputData<typeof inputFields>>;

const figureFields = (prefix: string, labelPrefix: string): PlainOutputField[] => [
  { key: `${prefix}submitted`, label: `${labelPrefix}Submitted`, type: 'integer' },
  { key: `${prefix}approved`, label: `${labelPrefix}Approved`, type: 'integer' },
  { key: `${prefix}rejected`, label: `${labelPrefix}Rejected`, type: 'integer' },
  { key: `${prefix}revoked`, label: `${labelPrefix}Revoked`, type: 'integer' },
  { key: `${prefix}finished`, label: `${labelPrefix}Finished (Approved, Rejected or Revoked)`, type: 'integer' },
  { key: `${prefix}still_running`, label: `${labelPrefix}Still Running`, type: 'integer' },
  { key: `${prefix}rejection_rate_percent`, label: `${labelPrefix}Rejection Rate (%)`, type: 'number' },
  { key: `${prefix}revocation_rate_percent`, label: `${labelPrefix}Revocation Rate (%)`, type: 'number' },
  { key: `${prefix}processing_hours_average`, label: `${labelPrefix}Processing Time Average (Hours)`, type: 'number' },
  { key: `${prefix}processing_hours_median`, label: `${labelPrefix}Processing Time Median (Hours)`, type: 'number' },
  { key: `${prefix}processing_hours_p90`, label: `${labelPrefix}Processing Time 90th Percentile (Hours)`, type: 'number' },
  { key: `${prefix}finished_within_target_percent`, label: `${labelPrefix}Finished Within Target (%)`, type: 'number' },
  { key: `${prefix}slowest_step`, label: `${labelPrefix}Slowest Step`, type: 'string' },
  { key: `${prefix}slowest_step_average_hours`, label: `${labelPrefix}Slowest Step Average (Hours)`, type: 'number' },
];

export const statisticsOutputFields: PlainOutputField[] = [
  { key: 'id', label: 'Report ID (Template and Period)', type: 'string', required: true },
  { key: 'template_code', label: 'Template Code', type: 'string' },
  { key: 'template_name', label: 'Template Name', type: 'string' },
  { key: 'period', label: 'Period', type: 'string' },
  { key: 'period_start', label: 'Period Start', type: 'datetime' },
  { key: 'period_end', label: 'Period End', type: 'datetime' },
  { key: 'target_hours', label: 'Target (Hours)', type: 'number' },
  ...figureFields('', ''),
  { key: 'steps[]step', label: 'Step', type: 'string' },
  { key: 'steps[]visits', label: 'Step Visits', type: 'integer' },
  { key: 'steps[]average_hours', label: 'Step Average Dwell (Hours)', type: 'number' },
  { key: 'steps[]max_hours', label: 'Step Maximum Dwell (Hours)', type: 'number' },
  { key: 'departments[]department_id', label: 'Department ID', type: 'string' },
  { key: 'departments[]department_name', label: 'Department Name', type: 'string' },
  ...figureFields('departments[]', 'Department '),
  { key: 'source', label: 'Source (ledger or scan)', type: 'string' },
  { key: 'source_note', label: 'Source Note', type: 'string' },
  { key: 'data_as_of', label: 'Data As Of', type: 'datetime' },
  { key: 'metered_calls', label: 'Metered DingTalk Calls Spent', type: 'integer' },
];

export default defineSearch({
  key: 'find_approval_statistics',
  noun: 'Statistics Report',
  display: {
    label: 'Find Approval Statistics',
    description:
      'Finds the numbers of a template\'s approvals in a period: counts, rejection rate, processing times, the share within a target, and the slowest steps, also per department.',
  },
  operation: { inputFields, perform: withUserErrors(perform), sample, outputFields: statisticsOutputFields },
});
