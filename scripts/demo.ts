/**
 * `npm start`: the integration's real operations, run through Zapier's own tooling (createAppTester) against the
 * local DingTalk sandbox, telling the story of one expense claim, then (on simulated time) of a purchase request
 * that waits too long and is escalated. No credentials needed.
 *
 * Written for the person who will run the Zaps (an office manager, not a developer): form fields by their labels,
 * values as sentences, and each step's metered DingTalk calls against the organisation's monthly quota.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { createSandbox, type Sandbox } from '../sandbox';
import { statisticsSummary } from './statistics-summary';

type Operation = (z: ZObject, bundle: Bundle) => unknown;
type Field = { key: string; label?: string; type?: string; list?: boolean; required?: boolean; choices?: Record<string, string>; children?: Field[] };
type Row = Record<string, unknown>;

/** DingTalk's free edition since 2025-11-19: metered calls a month for the whole organisation (README §5). */
const FREE_MONTHLY_QUOTA = 5000;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Simulated time for the second story: Date (now and `new Date()`) runs ahead by what the story advances, in this
 * process only, so the sandbox, token expiry and the triggers' thresholds all see the same clock.
 */
let clockOffsetMs = 0;
const RealDate = Date;
class StoryDate extends RealDate {
  constructor(...args: [] | [string | number | Date]) {
    if (args.length === 0) super(RealDate.now() + clockOffsetMs);
    else super(args[0]);
  }
  static override now(): number {
    return RealDate.now() + clockOffsetMs;
  }
}
globalThis.Date = StoryDate as DateConstructor;
const advanceClock = (ms: number) => {
  clockOffsetMs += ms;
};

const line = (text = '') => console.log(text);
const step = (n: number, text: string) => line(`\n${n}. ${text}`);
const sent = (text: string) => line(`   → ${text}`);
const got = (text: string) => line(`   ← ${text}`);
const detail = (text: string) => line(`       ${text}`);
const count = (n: number) => n.toLocaleString('en-US');
const calls = (n: number) => `${n} metered DingTalk call${n === 1 ? '' : 's'}`;

/** A form value as a person reads it: lists joined, date ranges as "from to", table rows one per line. */
function readable(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (Array.isArray(value)) return value.every((item) => typeof item !== 'object') ? value.join(', ') : `${value.length} line${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    const range = value as { start?: unknown; end?: unknown };
    if ('start' in range || 'end' in range) return `${readable(range.start)} to ${readable(range.end)}`;
    // Table cells are keyed like record fields (Receipt_Date_單據日期): spaces read better.
    return Object.entries(value).map(([label, v]) => `${label.replace(/_/g, ' ')}: ${readable(v)}`).join('; ');
  }
  return String(value);
}

/** "2026-11-30T06:05:04+08:00" → "2026-11-30 06:05 Hong Kong time" (the records carry +08:00). */
const when = (iso: unknown) => `${String(iso).replace('T', ' ').slice(0, 16)} Hong Kong time`;

/** Prints "Label: value" lines; table rows are listed under their field, numbered. */
function printForm(entries: { label: string; value: unknown }[]): void {
  for (const { label, value } of entries) {
    detail(`${label}: ${readable(value)}`);
    if (Array.isArray(value) && value.some((item) => typeof item === 'object' && item !== null)) {
      value.forEach((row, i) => detail(`  ${i + 1}. ${readable(row)}`));
    }
  }
}

/** A value for each form field, as someone filling in an expense claim in another app would send it. */
function fill(field: Field, colleague: string, deptId: string): unknown {
  const label = field.label ?? field.key;
  if (field.children) return [Object.fromEntries(field.children.map((child) => [child.key, fill(child, colleague, deptId)]))];
  if (field.choices) return field.list ? [Object.keys(field.choices)[0]] : Object.keys(field.choices)[0];
  if (field.type === 'number') return /amount|金額/i.test(label) ? '6480.50' : '1';
  if (field.type === 'datetime') return '2026-11-24';
  if (/user|colleague|同事/i.test(label) || field.key.includes('InnerContact')) return colleague;
  if (/department|centre|部門|中心/i.test(label) || field.key.includes('Department')) return [deptId];
  if (/title|事由/i.test(label)) return 'Client dinner with Harbour Logistics';
  if (/description|說明/i.test(label)) return 'Dinner for 4 at Harbour City';
  if (/remark|備註/i.test(label)) return 'Paid with the company card.';
  return `Example ${label}`;
}

/** The form as the user filled it in: each value under its field's label (children labelled inside table rows). */
function labelled(fields: Field[], form: Row): { label: string; value: unknown }[] {
  const labelOf = (list: Field[] | undefined, key: string) => list?.find((f) => f.key === key)?.label ?? key;
  return fields
    .filter((field) => field.key in form)
    .map((field) => {
      const value = form[field.key];
      const rows = Array.isArray(value) && field.children ? (value as Row[]).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [labelOf(field.children, k), v]))) : value;
      return { label: field.label ?? field.key, value: rows };
    });
}

async function main() {
  // Run core as under test: its checks are strict and it does not print memory lines after every call.
  process.env.NODE_ENV ??= 'test';
  const started = Date.now();
  const sandbox: Sandbox = await createSandbox();
  const startupMs = Date.now() - started;
  process.env.DINGTALK_API_BASE_URL = sandbox.url;
  process.env.DINGTALK_OAPI_BASE_URL = sandbox.url;
  // Loaded after the base URLs are set, as Zapier would load the app with its environment.
  const App = (await import('../index')).default as unknown as {
    authentication: { sessionConfig: { perform: Operation }; test: Operation };
    triggers: Record<string, { operation: { perform: Operation } }>;
    creates: Record<string, { operation: { perform: Operation; inputFields: unknown[] } }>;
    searches: Record<string, { operation: { perform: Operation; outputFields: { key: string; label?: string }[] } }>;
    hydrators: Record<string, Operation>;
  };
  const { createAppTester } = await import('zapier-platform-core');
  const appTester = createAppTester(App);
  const meta = { isLoadingSample: false, isFillingDynamicDropdown: false, isPopulatingDedupe: false, isTestingAuth: false, limit: -1, page: 0 };
  line(`A local DingTalk sandbox is running at ${sandbox.url} (started in ${startupMs} ms).`);

  // Each step ends with what it spent: the quota is the one thing a DingTalk integration must not waste.
  let meteredBefore = sandbox.meter.metered;
  const spent = () => {
    const n = sandbox.meter.metered - meteredBefore;
    meteredBefore = sandbox.meter.metered;
    line(`   (${calls(n)})`);
  };

  step(1, 'Connect Zapier to DingTalk with the app\'s Client ID and Secret.');
  const session = (await appTester(App.authentication.sessionConfig.perform, { authData: sandbox.credentials, meta })) as Row;
  const authData = { ...sandbox.credentials, ...(session as Record<string, string>) };
  // As Zapier does: when a step asks for a new token (RefreshAuthError), run the session login and the step again.
  const run = async <T>(operation: Operation, inputData: Row = {}, extraMeta: Row = {}): Promise<T> => {
    const attempt = () => appTester(operation, { authData, inputData, meta: { ...meta, ...extraMeta } }) as Promise<T>;
    try {
      return await attempt();
    } catch (error) {
      if ((error as Error).name !== 'RefreshAuthError') throw error;
      Object.assign(authData, (await appTester(App.authentication.sessionConfig.perform, { authData: sandbox.credentials, meta })) as Record<string, string>);
      return attempt();
    }
  };
  got(`Connected to ${((await run<Row>(App.authentication.test)).connection_label as string) ?? 'DingTalk'}.`);
  spent();

  step(2, 'Find the expense claim template and the people involved.');
  const templates = await run<Row[]>(App.triggers.list_templates!.operation.perform);
  const expense = templates.find((t) => /expense/i.test(String(t.name)))!;
  got(`Template: ${String(expense.name)}`);
  const users = sandbox.org.users();
  const staff = users.find((u) => u.userid === 'user-chan-0001') ?? users[0]!;
  const found = await run<Row[]>(App.searches.find_user!.operation.perform, { mobile: staff.mobile });
  got(`Find User by mobile number ${staff.mobile}: ${String(found[0]?.name ?? 'nobody')}`);
  spent();

  step(3, 'Turn on two Zaps: "New Approval" and "Approval Approved".');
  // The demo tells one story in a few minutes, so its Zaps ask DingTalk on every poll rather than on Auto's budget.
  const watch = { processCode: expense.id, refreshMinutes: '0' };
  // Zapier keeps each Zap's seen ids and only runs the Zap for new ones; the demo does the same.
  const seen = { new_approval: new Set<unknown>(), approval_approved: new Set<unknown>() };
  const poll = async (key: keyof typeof seen, extraMeta: Row = {}) => {
    const records = await run<Row[]>(App.triggers[key]!.operation.perform, watch, extraMeta);
    const fresh = records.filter((r) => !seen[key].has(r.id));
    fresh.forEach((r) => seen[key].add(r.id));
    return fresh;
  };
  await poll('new_approval', { isPopulatingDedupe: true });
  await poll('approval_approved', { isPopulatingDedupe: true });
  got(`Zapier notes the ${seen.new_approval.size} expense claims already in DingTalk, so only new ones will run the Zaps.`);
  spent();

  step(4, 'A form in another tool is submitted: Start Approval fills in a DingTalk expense claim.');
  const fields = (await appTester(App.creates.start_approval!.operation.inputFields as never, { authData, inputData: { processCode: expense.id }, meta })) as Field[];
  const colleague = users.find((u) => u.userid !== staff.userid)!.userid;
  const formFields = fields.filter((f) => f.key.startsWith('form__') && f.type !== 'copy');
  const form = Object.fromEntries(formFields.map((f) => [f.key, fill(f, colleague, String(staff.deptIds[0]))]));
  sent(`Start Approval for ${staff.name}, with these fields:`);
  printForm(labelled(formFields, form));
  const approval = await run<Row>(App.creates.start_approval!.operation.perform, { processCode: expense.id, originatorUserId: staff.userid, ...form });
  const approvers = (approval.tasks as Row[]).map((t) => String(t.user_name ?? t.user_id));
  got(`Expense claim ${String(approval.id)} is in DingTalk, waiting for ${approvers.join(' and ')}.`);
  sandbox.org.addAttachment(String(approval.id), { fileName: 'dinner-receipt.pdf', fileType: 'pdf', content: '%PDF-1.7 receipt for HKD 6,480.50' });
  got(`${staff.name} attaches the receipt in the DingTalk app: dinner-receipt.pdf`);
  spent();

  step(5, '"New Approval" fires.');
  for (const record of await poll('new_approval')) got(`New expense claim ${String(record.id)}, submitted ${when(record.created_at)}.`);
  spent();

  step(6, 'The manager approves (over HK$5,000, so the director approves too), through the Approve or Reject action.');
  for (let round = 0; round < 5; round += 1) {
    const current = (await run<Row[]>(App.searches.find_approval!.operation.perform, { approvalId: approval.id }))[0]!;
    const pending = (current.tasks as Row[]).find((t) => t.status === 'RUNNING');
    if (!pending) break;
    const decided = await run<Row>(App.creates.approve_or_reject!.operation.perform, { processInstanceId: approval.id, actionerUserId: pending.user_id, result: 'agree', remark: 'OK, within budget.' });
    got(`${String(pending.user_name ?? pending.user_id)} approved; the claim is now ${decided.status === 'COMPLETED' ? 'complete' : 'waiting for the next approver'}.`);
  }
  spent();

  step(7, '"Approval Approved" fires and hands the next Zap step the form and the receipt as a file.');
  const approved = await poll('approval_approved');
  const record = (await appTester(App.hydrators.approval!, { authData, inputData: { id: approved[0]!.id, processCode: expense.id }, meta })) as Row;
  got(`Expense claim ${String(record.id)} by ${String(record.originator_name)}: ${String(record.outcome)} in ${String(record.processing_minutes)} minutes.`);
  printForm(record.form as { label: string; value: unknown }[]);
  for (const file of record.attachments as Row[]) got(`File ${String(file.name)} (${String(file.size)} bytes), downloaded fresh from DingTalk when a later step uses it.`);
  spent();

  step(8, 'Add a comment for the finance team.');
  const comment = await run<Row>(App.creates.add_comment!.operation.perform, { processInstanceId: approval.id, commentUserId: staff.userid, text: 'Receipt attached; paid by company card.' });
  got(`Comment added as ${staff.name} at ${when(comment.commented_at)}: "${String(comment.comment)}"`);
  spent();

  // The second story runs on simulated time: a day passes in seconds, for the sandbox and the integration alike.
  line('\nThe second story, on simulated time: a purchase request is left waiting.');
  const purchase = templates.find((t) => /purchase/i.test(String(t.name)))!;
  // Chan's department manager approves first; the Budget Holder Chan chooses (Finance's Ho Chi Keung) next.
  const manager = users.find((u) => u.userid === 'user-lee-0002') ?? users[1]!;
  const budgetHolder = users.find((u) => u.userid === 'user-ho-0004') ?? users[2]!;

  step(9, 'Turn on two "Approval Waiting Too Long" Zaps on purchase requests: at 2 hours (remind) and at 24 hours (escalate).');
  // Both Zaps share one refresh of DingTalk's running list per 15 minutes (Refresh Interval), whatever Zapier's polling.
  const waitingZap = (hours: number) => ({ processCode: purchase.id, hours: String(hours), refreshMinutes: '15' });
  const waitingSeen = new Set<unknown>();
  const pollWaiting = async (hours: number, extraMeta: Row = {}) => {
    const records = await run<Row[]>(App.triggers.approval_waiting_too_long!.operation.perform, waitingZap(hours), extraMeta);
    const fresh = records.filter((r) => !waitingSeen.has(r.id));
    fresh.forEach((r) => waitingSeen.add(r.id));
    return fresh;
  };
  await pollWaiting(2, { isPopulatingDedupe: true });
  await pollWaiting(24, { isPopulatingDedupe: true });
  // The Budget Holder field appears once the originator is known (DingTalk's forecast of the approval chain).
  const purchaseFields = (await appTester(App.creates.start_approval!.operation.inputFields as never, { authData, inputData: { processCode: purchase.id, originatorUserId: staff.userid }, meta })) as Field[];
  const purchaseForm = Object.fromEntries(
    purchaseFields
      .filter((f) => (f.key.startsWith('form__') && f.type !== 'copy') || f.key.startsWith('approver__'))
      .map((f) => [f.key, f.key.startsWith('approver__') ? [budgetHolder.userid] : fill(f, colleague, String(staff.deptIds[0]))]),
  );
  const request = await run<Row>(App.creates.start_approval!.operation.perform, { processCode: purchase.id, originatorUserId: staff.userid, ...purchaseForm });
  got(`${staff.name} submits purchase request ${String(request.id)}; it waits for ${manager.name}, who is busy.`);
  spent();

  // Zapier polls every 1 to 15 minutes; the story polls every 15 minutes of simulated time.
  const untilFired = async (hours: number, limitHours: number) => {
    const deadline = Date.now() + limitHours * HOUR_MS;
    let polls = 0;
    while (Date.now() < deadline) {
      advanceClock(15 * 60 * 1000);
      polls += 1;
      const other = hours === 2 ? 24 : 2;
      const fired = (await pollWaiting(hours)).filter((r) => r.approval_id === request.id);
      const alsoFired = (await pollWaiting(other)).filter((r) => r.approval_id === request.id);
      if (alsoFired.length > 0) got(`(The ${other}-hour Zap fired too, for ${String(alsoFired[0]!.approver_name)}.)`);
      if (fired.length > 0) return { record: fired[0]!, polls };
    }
    throw new Error(`The ${hours}-hour Zap did not fire within ${limitHours} hours`);
  };

  step(10, 'Two hours later, "Approval Waiting Too Long" (2 hours) fires, and a work notification reminds the approver.');
  const reminder = await untilFired(2, 3);
  got(`${String(reminder.record.approver_name)} has waited ${String(reminder.record.hours_waited)} hours (since ${when(reminder.record.waiting_since)}), after ${reminder.polls} polls of both Zaps.`);
  await run<Row>(App.creates.send_work_notification!.operation.perform, {
    userIds: [reminder.record.approver_user_id],
    msgType: 'text',
    content: `Reminder: purchase request ${String(reminder.record.title ?? reminder.record.approval_id)} has waited for your approval for over 2 hours.`,
  });
  got(`Work notification sent to ${String(reminder.record.approver_name)}.`);
  spent();

  step(11, 'At 24 hours it fires again (24 hours), and Transfer Approval Task moves the task to the approver\'s manager, who approves; then the Budget Holder approves.');
  const escalation = await untilFired(24, 23);
  got(`Still waiting after ${String(escalation.record.hours_waited)} hours (${escalation.polls} more polls); ${String(escalation.record.approver_name)}'s manager is ${String(escalation.record.manager_name)}.`);
  const moved = await run<Row>(App.creates.transfer_approval_task!.operation.perform, {
    processInstanceId: request.id,
    taskId: escalation.record.task_id,
    target: 'manager',
    remark: 'Waiting over 24 hours: escalated to the manager.',
  });
  got(`Task moved from ${String(escalation.record.approver_name)} to ${String(escalation.record.manager_name)}.`);
  const decided = await run<Row>(App.creates.approve_or_reject!.operation.perform, { processInstanceId: request.id, actionerUserId: moved.to_user_id, result: 'agree', remark: 'Approved on escalation.' });
  const next = (decided.tasks as Row[] | undefined)?.find((t) => t.status === 'RUNNING');
  got(`${String(escalation.record.manager_name)} approved; the purchase request ${next ? `moves on to ${String(next.user_name ?? next.user_id)}, the Budget Holder` : 'is complete'}.`);
  if (next) {
    // The Budget Holder approves three hours later, so the week's report has a finished request and its steps.
    advanceClock(3 * HOUR_MS);
    const last = await run<Row>(App.creates.approve_or_reject!.operation.perform, { processInstanceId: request.id, actionerUserId: next.user_id, taskId: next.task_id, result: 'agree' });
    got(`${String(next.user_name ?? next.user_id)} approved three hours later; the purchase request is ${last.status === 'COMPLETED' ? 'complete' : 'still running'}.`);
  }
  spent();

  step(12, 'Find Approval Statistics reports the week.');
  const [report] = await run<Row[]>(App.searches.find_approval_statistics!.operation.perform, { processCode: purchase.id, period: 'last_7_days' });
  const [summary, ...figures] = statisticsSummary(report ?? {}, App.searches.find_approval_statistics!.operation.outputFields);
  got(summary!);
  figures.forEach(detail);
  spent();

  const { metered, free } = sandbox.meter;
  line(`\nThis story spent ${calls(metered)}: ${count(metered)} of your ${count(FREE_MONTHLY_QUOTA)} this month.`);
  line(
    `DingTalk's free edition gives the whole organisation ${count(FREE_MONTHLY_QUOTA)} metered calls a month, shared by all its apps ` +
      `(Professional: 200,000); once they are spent, every app's calls fail until the month ends. ${count(free)} more calls were free ` +
      '(access tokens and staff lookups).',
  );
  await sandbox.stop();
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
