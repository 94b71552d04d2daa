/**
 * `npm start`: the integration's real operations, run through Zapier's own tooling (createAppTester) against the
 * local DingTalk sandbox, telling the story of one expense claim. No credentials needed.
 *
 * Written for the person who will run the Zaps (an office manager, not a developer): form fields by their labels,
 * values as sentences, and each step's metered DingTalk calls against the organisation's monthly quota.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { createSandbox, type Sandbox } from '../sandbox';

type Operation = (z: ZObject, bundle: Bundle) => unknown;
type Field = { key: string; label?: string; type?: string; list?: boolean; required?: boolean; choices?: Record<string, string>; children?: Field[] };
type Row = Record<string, unknown>;

/** DingTalk's free edition since 2025-11-19: metered calls a month for the whole organisation (README §5). */
const FREE_MONTHLY_QUOTA = 5000;

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
    searches: Record<string, { operation: { perform: Operation } }>;
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
  const run = <T>(operation: Operation, inputData: Row = {}, extraMeta: Row = {}) =>
    appTester(operation, { authData, inputData, meta: { ...meta, ...extraMeta } }) as Promise<T>;
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
  const watch = { processCode: expense.id };
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

  step(9, 'A purchase request is left waiting: remind the approver with a work notification.');
  const purchase = templates.find((t) => /purchase/i.test(String(t.name)));
  if (purchase) {
    const waiting = sandbox.org.instance(String((await run<Row[]>(App.triggers.new_approval!.operation.perform, { processCode: purchase.id }, { isLoadingSample: true }))[0]?.id ?? '')) as Row | undefined;
    const approverId = String((waiting?.tasks as Row[] | undefined)?.find((t) => t.status === 'RUNNING')?.userId ?? colleague);
    await run<Row>(App.creates.send_work_notification!.operation.perform, {
      userIds: [approverId],
      msgType: 'text',
      content: 'Reminder: a purchase request has been waiting for your approval for over 2 hours.',
    });
    got(`Work notification sent to ${users.find((u) => u.userid === approverId)?.name ?? approverId}.`);
    spent();
  }

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
