/**
 * What a weekly "Find Approval Statistics, last 7 days" report costs a month, on the cost model's workload (one
 * template, 300 approvals a month): with an Approval Finished Zap polling the template every 15 minutes (the report
 * reads its ledger), and with no trigger at all (every report scans). The month's four reports run at day 7, 14, 21
 * and 28, an hour after the polling started that day. `npm run cost-model` prints both rows.
 */
import { KINDS } from '../approvals/ledger/kinds';
import { pollLedger, type PollInput } from '../approvals/ledger/ledger';
import { approvalStatistics } from '../approvals/stats/statistics';
import { memoryStore, type Store } from '../lib/store';
import { DAY_MS as DAY, HOUR_MS as HOUR, MINUTE_MS as MINUTE } from '../lib/time';
import { workload } from './cost-model';
import { SimulatedDingTalk } from './simulated-dingtalk';

const CODE = 'PROC-EXPENSE';
const REPORTS = [7, 14, 21, 28].map((day) => day * DAY + HOUR);

export interface ReportCostRow {
  setup: string;
  reports: number;
  /** Metered calls the four reports spent (not the trigger's own polls). */
  reportCalls: number;
  /** What each report said it spent, and where its figures came from. */
  perReport: { metered: number; source: string; submitted: number }[];
}

async function report(dingtalk: SimulatedDingTalk, store: Store, at: number) {
  dingtalk.now = at;
  const before = dingtalk.metered;
  const record = await approvalStatistics(dingtalk.transport, store, { processCode: CODE, period: { from: at - 7 * DAY, to: at }, periodLabel: 'Last 7 days', targetHours: 48 }, at);
  if (record.metered_calls !== dingtalk.metered - before) throw new Error(`the report said ${record.metered_calls} calls; DingTalk counted ${dingtalk.metered - before}`);
  return { metered: record.metered_calls, source: record.source, submitted: record.submitted };
}

export async function weeklyReportCost(): Promise<ReportCostRow[]> {
  const approvals = workload();
  const rows: ReportCostRow[] = [];

  // With an Approval Finished Zap: its polls keep the ledger; the reports read it.
  {
    const dingtalk = new SimulatedDingTalk(CODE);
    approvals.forEach((approval) => dingtalk.add(approval));
    const store = memoryStore();
    const input: PollInput = { processCode: CODE, userIds: [], lookBackMs: 7 * DAY, freshnessMs: 0 };
    const perReport: ReportCostRow['perReport'] = [];
    let next = 0;
    for (let at = 0; at <= 30 * DAY; at += 15 * MINUTE) {
      dingtalk.now = at;
      await pollLedger(dingtalk.transport, store, KINDS.finished, input, { seedingDedupe: at === 0, now: at });
      if (next < REPORTS.length && at >= REPORTS[next]!) perReport.push(await report(dingtalk, store, REPORTS[next++]!));
    }
    rows.push({ setup: 'Approval Finished Zap, 15-min polling', reports: perReport.length, reportCalls: perReport.reduce((sum, r) => sum + r.metered, 0), perReport });
  }

  // No trigger: every report scans; details read by one report are kept for the next.
  {
    const dingtalk = new SimulatedDingTalk(CODE);
    approvals.forEach((approval) => dingtalk.add(approval));
    const store = memoryStore();
    const perReport: ReportCostRow['perReport'] = [];
    for (const at of REPORTS) perReport.push(await report(dingtalk, store, at));
    rows.push({ setup: 'no trigger (scan)', reports: perReport.length, reportCalls: perReport.reduce((sum, r) => sum + r.metered, 0), perReport });
  }
  return rows;
}

export function reportTable(rows: ReportCostRow[]): string[] {
  return [
    '| Weekly report, last 7 days | Metered calls per report | Metered calls/month (4 reports) | Source |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.setup} | ${row.perReport.map((r) => r.metered).join(', ')} | ${row.reportCalls} | ${[...new Set(row.perReport.map((r) => r.source))].join(', ')} |`),
  ];
}
