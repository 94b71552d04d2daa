import { defineInputFields, defineSearch, type InferInputData, type PlainOutputField, type SearchPerform } from 'zapier-platform-core';
import { DEFAULT_PERIOD, DEFAULT_TARGET_HOURS, PERIODS, statisticsInput } from '../approvals/stats/input';
import { approvalStatistics, MAX_SCAN_APPROVALS, MAX_SCAN_CALLS } from '../approvals/stats/statistics';
import sample from '../samples/approval-statistics.json';
import { templateField } from '../zapier/fields';
import { outputFields } from '../zapier/output-fields';
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
  return [await approvalStatistics(zapierTransport(z, bundle, 'search'), zapierStore(z), input)];
}) satisfies SearchPerform<InferInputData<typeof inputFields>>;

/** The figures of a template's period, and again of each department (`departments[]`, labelled "Department …"). */
const FIGURES = [
  ['submitted', 'Submitted', 'integer'],
  ['approved', 'Approved', 'integer'],
  ['rejected', 'Rejected', 'integer'],
  ['revoked', 'Revoked', 'integer'],
  ['finished', 'Finished (Approved, Rejected or Revoked)', 'integer'],
  ['still_running', 'Still Running', 'integer'],
  ['rejection_rate_percent', 'Rejection Rate (%)', 'number'],
  ['revocation_rate_percent', 'Revocation Rate (%)', 'number'],
  ['processing_hours_average', 'Processing Time Average (Hours)', 'number'],
  ['processing_hours_median', 'Processing Time Median (Hours)', 'number'],
  ['processing_hours_p90', 'Processing Time 90th Percentile (Hours)', 'number'],
  ['finished_within_target_percent', 'Finished Within Target (%)', 'number'],
  ['slowest_step', 'Slowest Step'],
  ['slowest_step_average_hours', 'Slowest Step Average (Hours)', 'number'],
] as const;

export const statisticsOutputFields: PlainOutputField[] = [
  ...outputFields([
    ['id', 'Report ID (Template and Period)', 'string', 'required'],
    ['template_code', 'Template Code'],
    ['template_name', 'Template Name'],
    ['period', 'Period'],
    ['period_start', 'Period Start', 'datetime'],
    ['period_end', 'Period End', 'datetime'],
    ['target_hours', 'Target (Hours)', 'number'],
  ]),
  ...outputFields(FIGURES),
  ...outputFields(
    [
      ['step', 'Step'],
      ['visits', 'Step Visits', 'integer'],
      ['average_hours', 'Step Average Dwell (Hours)', 'number'],
      ['max_hours', 'Step Maximum Dwell (Hours)', 'number'],
    ],
    'steps[]',
  ),
  ...outputFields(
    [
      ['department_id', 'ID'],
      ['department_name', 'Name'],
      ...FIGURES,
    ],
    'departments[]',
    'Department ',
  ),
  ...outputFields([
    ['source', 'Source (ledger or scan)'],
    ['source_note', 'Source Note'],
    ['data_as_of', 'Data As Of', 'datetime'],
    ['metered_calls', 'Metered DingTalk Calls Spent', 'integer'],
  ]),
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
