/** npm start's statistics report: the search's labels, units on hours and percentages, the slowest step named. */
import sample from '../../samples/approval-statistics.json';
import { statisticsOutputFields } from '../../searches/find_approval_statistics';
import { figure, statisticsSummary } from '../../scripts/statistics-summary';

describe('statisticsSummary', () => {
  test('the sample report in seven lines a person reads', () => {
    expect(statisticsSummary(sample, statisticsOutputFields)).toEqual([
      'Expense Claim (HKD), Last 7 days: 2026-11-16 00:00 to 2026-11-23 00:00 Hong Kong time',
      'Submitted: 7 · Approved: 4 · Rejected: 1 · Revoked: 1 · Still Running: 2',
      'Rejection Rate: 16.7% · Revocation Rate: 16.7%',
      'Processing Time Average: 40.8 hours · Median: 30 hours · 90th Percentile: 100 hours',
      'Finished Within Target: 60% (target: 48 hours)',
      'Slowest Step: Finance Approver 財務審批, 31 hours on average',
      'Source Note: Read from what the approval triggers already know: no metered DingTalk call.',
    ]);
  });

  test('a period with nothing finished says so instead of printing null', () => {
    const empty = { ...sample, processing_hours_average: null, processing_hours_median: null, processing_hours_p90: null, slowest_step: null, slowest_step_average_hours: null };
    const lines = statisticsSummary(empty, statisticsOutputFields);
    expect(lines[3]).toBe('Processing Time Average: none yet · Median: none yet · 90th Percentile: none yet');
    expect(lines[5]).toBe('Slowest Step: none yet (no approval finished in the period)');
    expect(lines.join('\n')).not.toMatch(/null|undefined|_/);
  });

  test('units follow the label: one hour, hours, percent, plain counts', () => {
    expect(figure('Slowest Step Average (Hours)', 1)).toBe('Slowest Step Average: 1 hour');
    expect(figure('Rejection Rate (%)', 0)).toBe('Rejection Rate: 0%');
    expect(figure('Submitted', 3)).toBe('Submitted: 3');
  });
});
