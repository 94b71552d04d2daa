/**
 * The quota governor inside Zapier: the connection fields that set the budget, and one meter per invocation
 * (keyed by its bundle) over z.cache, so the transport, the poll and the usage search share one count.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { budgetOf, DEFAULT_SHARE_PERCENT, EDITION_CHOICES, type BudgetSettings } from '../quota/budget';
import { Meter } from '../quota/meter';
import { zapierStore } from './store';

/** The connection fields (authentication.ts). Connections made before them read as the safe default (quota/budget.ts). */
export const budgetFields = [
  {
    key: 'dingtalkEdition',
    label: 'DingTalk Edition',
    required: false,
    default: 'free',
    choices: EDITION_CHOICES,
    helpText:
      'Your organisation\'s DingTalk edition sets its monthly API quota, shared by all of its apps: Free / Standard allows 5,000 calls a month, ' +
      'Professional 200,000. When it is used up, every app in the organisation is refused until the 1st of next month (China time). Check it in the DingTalk admin console.',
  },
  {
    key: 'monthlyCallQuota',
    label: 'Monthly Call Quota',
    type: 'integer',
    required: false,
    helpText: 'Only for DingTalk Edition "Custom": the organisation\'s monthly API call quota, for example 205000 with an add-on pack.',
  },
  {
    key: 'quotaSharePercent',
    label: 'Share for This Integration (%)',
    type: 'integer',
    required: false,
    default: String(DEFAULT_SHARE_PERCENT),
    helpText:
      `How much of the organisation's monthly quota this integration may plan to use, from 1 to 100. The default, ${DEFAULT_SHARE_PERCENT} %, is 3,000 calls a month on the ` +
      'free edition and leaves 2,000 for your other DingTalk apps (attendance sync, HR tools), which this integration cannot see. Triggers on Refresh Interval "Auto" ' +
      'spread this budget over the month; actions and searches are never blocked but count against it. See the month\'s spend with the "Find API Usage" search.',
  },
] as const;

export const budgetSettings = (authData: Bundle['authData']): BudgetSettings => ({
  edition: authData?.dingtalkEdition,
  customQuota: authData?.monthlyCallQuota,
  sharePercent: authData?.quotaSharePercent,
});

const meters = new WeakMap<object, Meter>();

/** The meter of this invocation (one per bundle), over the connection's z.cache. */
export function meterOf(z: ZObject, bundle: Bundle): Meter {
  let meter = meters.get(bundle);
  if (!meter) {
    meter = new Meter(zapierStore(z), budgetOf(budgetSettings(bundle.authData)), Date.now, (line) => z.console.log(line), Number(bundle.authData.connectedAt) || 0);
    meters.set(bundle, meter);
  }
  return meter;
}
