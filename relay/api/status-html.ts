/**
 * The status page's HTML, rendered on the server from the same figures as /status. Every value goes through
 * `escape`, because much of it comes from outside: error messages quote receivers and DingTalk, and Client IDs
 * and subscription ids travel in attributes. The one script is inline, carries the response's CSP nonce, and
 * only posts replays (status-page.ts says how those are guarded).
 */

import type { DeliveryEntry } from '../delivery/status';
import type { ConnectionEntry, PushQuotaEntry } from '../intake';

export interface DeadLetterView {
  eventId: number;
  subscriptionId: string;
  attempts: number;
  httpStatus: number | null;
  error: string | null;
  at: string;
}

/** A tenant's entry in /status (intake's and delivery's parts included), and what only the page shows. */
export interface TenantView {
  clientId: string;
  connections: ConnectionEntry[];
  eventsToday: number;
  eventsThisMonth: number;
  lastEventAt: string | null;
  pushQuota: PushQuotaEntry | undefined;
  deliveries: DeliveryEntry | undefined;
  reconcile: { day: string; status: string; meteredCalls: number; recovered: number; error: string | null }[];
  /** Finishes that arrived twice this month (the reconcile's and DingTalk's late push), stored and delivered once. */
  repeatedFinishesThisMonth: number;
  errors: { at: string | null; source: string; message: string }[];
  deadLetters: DeadLetterView[];
  /** The last days, oldest first, as local dates (YYYY-MM-DD) with their event counts. */
  eventsPerDay: { date: string; events: number }[];
  processing: { approvals: number; averageMs: number | null };
}

export interface PageView {
  time: string;
  database: string;
  tenants: TenantView[];
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escape = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const number = (n: number) => n.toLocaleString('en-US');

export function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}

/** Bars of events per day, as inline SVG (no script, no library). */
function chart(days: TenantView['eventsPerDay']): string {
  const width = 28 * days.length;
  const height = 80;
  const top = Math.max(1, ...days.map((d) => d.events));
  const bars = days
    .map((d, i) => {
      const h = Math.round((d.events / top) * (height - 14));
      return `<rect x="${i * 28 + 4}" y="${height - 12 - h}" width="20" height="${h}"><title>${escape(d.date)}: ${number(d.events)} events</title></rect>` +
        `<text x="${i * 28 + 14}" y="${height - 1}">${escape(d.date.slice(8))}</text>`;
    })
    .join('');
  return `<svg class="chart" role="img" aria-label="Events per day" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${bars}</svg>`;
}

const table = (head: string[], rows: string[][], empty: string) =>
  rows.length === 0
    ? `<p class="none">${escape(empty)}</p>`
    : `<table><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
const cell = (value: unknown) => `<td>${escape(value)}</td>`;

function connectionLine(c: ConnectionEntry): string {
  const where = c.state === 'held by another process' ? ` (${escape(c.heldBy)})` : ` on ${escape(c.heldBy)}`;
  const detail =
    'waiting' in c && c.waiting
      ? `: ${escape(c.waiting.reason)}; next attempt at ${escape(c.waiting.retryAt)} (${number(c.waiting.failures)} failed)`
      : 'since' in c
        ? ` since ${escape(c.since)}, ${number(c.eventsAcked)} events acknowledged`
        : '';
  return `<li class="connection" data-state="${escape(c.state)}">slot ${escape(c.slot)}: <b>${escape(c.state)}</b>${detail}${where}</li>`;
}

function pushLine(t: TenantView): string {
  const q = t.pushQuota;
  if (!q) return 'not reported (intake does not run in this process)';
  const paused = q.pausedAt
    ? ` <strong>DingTalk reported the quota spent at ${escape(q.pausedAt)} (20001): it withholds events until the month ends; the daily reconcile recovers finished approvals.</strong>`
    : '';
  const share = q.share === null ? '' : ` (${Math.round(q.share * 100)}%)`;
  return `<meter min="0" max="${escape(q.quota)}" value="${escape(Math.min(q.used, q.quota))}"></meter> <span class="pushes-used">${number(q.used)}</span> of <span class="pushes-quota">${number(q.quota)}</span>${share} (RELAY_PUSH_QUOTA). The quota is the organisation's: other apps' pushes count too.${paused}`;
}

function reconcileLine(t: TenantView): string {
  const run = t.reconcile[0];
  if (!run) return 'no run yet (an hour into each day, China time)';
  const late = t.repeatedFinishesThisMonth
    ? `; finishes that arrived twice this month (for example recovered by the reconcile, then pushed late by DingTalk), each stored and delivered once: <span class="repeated-finishes">${number(t.repeatedFinishesThisMonth)}</span>`
    : '';
  return `${escape(run.day)}: ${escape(run.status)}, ${number(run.meteredCalls)} metered calls, ${number(run.recovered)} events recovered${run.error ? `: ${escape(run.error)}` : ''}${late}`;
}

/** A failed attempt in words: the worker's sentence already names the HTTP status when there was one. */
const lastAnswer = (attempt: { httpStatus: number | null; error: string | null }) => attempt.error ?? (attempt.httpStatus ? `HTTP ${attempt.httpStatus}` : '');

function tenantSection(t: TenantView): string {
  const d = t.deliveries ?? { subscriptions: 0, sent: 0, queued: 0, retrying: 0, dead: 0, redeliveries: 0, lastErrors: [] };
  const connections = t.connections.length ? `<ul>${t.connections.map(connectionLine).join('')}</ul>` : 'none held';
  const errors = [
    ...t.errors.map((e) => ({ at: e.at ?? '', what: e.source, message: e.message })),
    ...d.lastErrors.map((e) => ({ at: e.at, what: `delivery to ${e.subscriptionId} (${e.status})`, message: lastAnswer(e) })),
  ]
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, 8);
  const processing = t.processing.averageMs === null ? 'no approval both started and finished here yet' : `${duration(t.processing.averageMs)} on average over ${number(t.processing.approvals)} approvals`;
  return `<section class="tenant" data-client-id="${escape(t.clientId)}">
<h2>${escape(t.clientId)}</h2>
<dl>
<dt>Connections</dt><dd class="connections">${connections}</dd>
<dt>Events</dt><dd><span class="events-today">${number(t.eventsToday)}</span> today, <span class="events-month">${number(t.eventsThisMonth)}</span> this month${t.lastEventAt ? `, last at ${escape(t.lastEventAt)}` : ''}</dd>
<dt>Pushes this month</dt><dd class="pushes">${pushLine(t)}</dd>
<dt>Subscriptions</dt><dd class="subscriptions">${number(d.subscriptions)} active</dd>
<dt>Deliveries</dt><dd class="deliveries"><span class="sent">${number(d.sent)}</span> sent, ${number(d.queued)} queued, <span class="retrying">${number(d.retrying)}</span> retrying, <span class="dead">${number(d.dead)}</span> dead${d.redeliveries ? `, ${number(d.redeliveries)} possibly received twice (marked as redeliveries)` : ''}</dd>
<dt>Daily reconcile</dt><dd class="reconcile">${reconcileLine(t)}</dd>
<dt>Approval time</dt><dd class="processing">${escape(processing)} (last 30 days)</dd>
</dl>
<h3>Events per day (last ${t.eventsPerDay.length} days, China time)</h3>
${chart(t.eventsPerDay)}
<h3>Dead letters</h3>
${table(
  ['Event', 'Subscription', 'Attempts', 'Last answer', 'Since', ''],
  t.deadLetters.map((l) => [
    cell(l.eventId), cell(l.subscriptionId), cell(l.attempts), cell(lastAnswer(l)), cell(l.at),
    `<td><button type="button" class="replay" data-client-id="${escape(t.clientId)}" data-event-id="${escape(l.eventId)}" data-subscription-id="${escape(l.subscriptionId)}">Replay</button></td>`,
  ]),
  'No dead letters.',
)}
${t.deadLetters.length > 1 ? `<p><button type="button" class="replay replay-all" data-client-id="${escape(t.clientId)}">Replay all ${number(d.dead)} dead letters</button></p>` : ''}
<h3>Last errors</h3>
${table(['When', 'Where', 'What'], errors.map((e) => [cell(e.at), cell(e.what), cell(e.message)]), 'No errors.')}
</section>`;
}

/** The script: each Replay button posts to the relay with the header that proves the page sent it, then reloads. */
const SCRIPT = `
document.addEventListener('click', async (event) => {
  const button = event.target.closest('button.replay');
  if (!button) return;
  button.disabled = true;
  const { clientId, eventId, subscriptionId } = button.dataset;
  const body = { client_id: clientId };
  if (eventId) Object.assign(body, { event_id: Number(eventId), subscription_id: subscriptionId });
  const status = document.getElementById('message');
  try {
    const answer = await fetch('status/replay', { method: 'POST', headers: { 'content-type': 'application/json', 'x-relay-status-page': 'replay' }, body: JSON.stringify(body), credentials: 'same-origin' });
    const result = await answer.json();
    if (!answer.ok) throw new Error(result.error);
    status.textContent = result.replayed + ' dead letter(s) sent again. Reloading…';
    setTimeout(() => location.reload(), 1000);
  } catch (error) {
    status.textContent = 'Replay failed: ' + error.message;
    button.disabled = false;
  }
});`;

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:60em;padding:0 1em;color:#222}
h1{font-size:1.4em}h2{font-size:1.2em;margin:0}section.tenant{border:1px solid #ccc;border-radius:6px;padding:1em;margin:1em 0}
dl{display:grid;grid-template-columns:10em 1fr;gap:.3em 1em}dt{font-weight:600}dd{margin:0}dd ul{margin:0;padding:0;list-style:none}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.2em .5em;border-bottom:1px solid #eee;vertical-align:top;word-break:break-word}
.chart rect{fill:#3a7bd5}.chart text{font-size:9px;text-anchor:middle;fill:#666}.none{color:#666}#message{font-weight:600}`;

export function renderPage(view: PageView, nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>DingTalk Event Relay: Status</title><style nonce="${escape(nonce)}">${STYLE}</style></head>
<body><h1>DingTalk Event Relay</h1>
<p>As of ${escape(view.time)}, on ${escape(view.database)}. ${view.tenants.length} tenant(s). The same figures as JSON: <a href="status">/status</a>.</p>
<p id="message" role="status"></p>
${view.tenants.length ? view.tenants.map(tenantSection).join('\n') : '<p class="none">No tenants yet: add one with <code>npm run relay -- tenant add</code>, or subscribe from Zapier.</p>'}
<script nonce="${escape(nonce)}">${SCRIPT}</script>
</body></html>`;
}
