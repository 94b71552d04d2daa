/**
 * Find API Usage: this connection's metered DingTalk calls this month against its budget, from the meter in
 * z.cache (quota/meter.ts). It makes no DingTalk call, so a Zap can run it on a schedule and alert at 80 %.
 */
import { defineInputFields, defineSearch, type InferInputData, type SearchPerform } from 'zapier-platform-core';
import { quote, readInputs } from '../lib/inputs';
import { quotaMonthOf } from '../quota/month';
import { usageRecord } from '../quota/usage';
import sample from '../samples/usage.json';
import { meterOf } from '../zapier/quota';
import { withUserErrors } from '../zapier/user-errors';

const inputFields = defineInputFields([
  {
    key: 'month',
    label: 'Month',
    required: false,
    default: 'current',
    choices: { current: 'This Month', previous: 'Last Month' },
    helpText: 'The quota month, in China time (DingTalk resets the quota at 00:00 on the 1st). Last month is kept for 40 days.',
  },
]);

const perform = (async (z, bundle) => {
  const input = readInputs(bundle.inputData);
  const which = input.text('month') || 'current';
  if (which !== 'current' && which !== 'previous') input.problems.push(`Month must be "This Month" (current) or "Last Month" (previous), not ${quote(which)}`);
  input.done();
  const meter = meterOf(z, bundle);
  const now = Date.now();
  if (which === 'current') return [usageRecord(meter.budget, await meter.read(), now)];
  // The month before: what was stored, never an estimate.
  const previous = quotaMonthOf(quotaMonthOf(now).startMs - 1);
  const stored = await meter.stored(previous);
  return stored ? [usageRecord(meter.budget, stored, previous.endMs - 1)] : [];
}) satisfies SearchPerform<InferInputData<typeof inputFields>>;

export default defineSearch({
  key: 'find_api_usage',
  noun: 'Usage',
  display: {
    label: 'Find API Usage',
    description:
      'Finds this month\'s DingTalk API calls made through this connection, against its budget, with a projection to month-end and a breakdown by operation. ' +
      'Costs no DingTalk calls: run it on a schedule and filter on Percent Used to be warned at 80 %.',
  },
  operation: {
    inputFields,
    perform: withUserErrors(perform),
    sample,
    outputFields: [
      { key: 'id', label: 'Month', type: 'string', required: true },
      { key: 'month', label: 'Month (YYYY-MM)', type: 'string' },
      { key: 'month_name', label: 'Month Name', type: 'string' },
      { key: 'calls_used', label: 'Calls Used', type: 'integer' },
      { key: 'calls_estimated', label: 'Calls Estimated (Meter Lost or New Connection)', type: 'integer' },
      { key: 'budget', label: 'Budget (Calls This Month)', type: 'integer' },
      { key: 'percent_used', label: 'Percent Used', type: 'number' },
      { key: 'projected_month_end', label: 'Projected Calls at Month-End', type: 'integer' },
      { key: 'projected_percent', label: 'Projected Percent at Month-End', type: 'number' },
      { key: 'calls_trigger', label: 'Calls by Triggers', type: 'integer' },
      { key: 'calls_hydration', label: 'Calls for Full Approval Records', type: 'integer' },
      { key: 'calls_action', label: 'Calls by Actions', type: 'integer' },
      { key: 'calls_search', label: 'Calls by Searches', type: 'integer' },
      { key: 'calls_dropdown', label: 'Calls by Dropdowns', type: 'integer' },
      { key: 'calls_sample', label: 'Calls for Editor Samples', type: 'integer' },
      { key: 'calls_connection', label: 'Calls by Connection Tests', type: 'integer' },
      { key: 'calls_other', label: 'Other Calls', type: 'integer' },
      { key: 'breakdown', label: 'Breakdown', type: 'string' },
      { key: 'org_quota', label: 'Organisation Quota (All Apps)', type: 'integer' },
      { key: 'edition', label: 'DingTalk Edition', type: 'string' },
      { key: 'share_percent', label: 'Share for This Integration (%)', type: 'number' },
      { key: 'resets_at', label: 'Resets At', type: 'datetime' },
      { key: 'updated_at', label: 'Updated At', type: 'datetime' },
    ],
  },
});
