/**
 * `npm start`: the integration's real operations, run through Zapier's own tooling (createAppTester) against the
 * local DingTalk sandbox, telling the story of one expense claim. No credentials needed.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { createSandbox, type Sandbox } from '../sandbox';

type Operation = (z: ZObject, bundle: Bundle) => unknown;
type Field = { key: string; label?: string; type?: string; list?: boolean; required?: boolean; choices?: Record<string, string>; children?: Field[] };
type Row = Record<string, unknown>;

const line = (text = '') => console.log(text);
const step = (n: number, text: string) => line(`\n${n}. ${text}`);
const sent = (what: string, data: unknown) => line(`   → ${what} ${JSON.stringify(data)}`);
const got = (what: string, data: unknown) => line(`   ← ${what} ${typeof data === 'string' ? data : JSON.stringify(data)}`);

/** A value for each form field, as someone filling in an expense claim in another app would send it. */
function fill(field: Field, colleague: string, deptId: string): unknown {
  const label = field.label ?? field.key;
  if (field.children) return [Object.fromEntries(field.children.map((child) => [child.key, fill(child, colleague, deptId)]))];
  if (field.choices) return field.list ? [Object.keys(field.choices)[0]] : Object.keys(field.choices)[0];
  if (field.type === 'number') return /amount|金額/i.test(label) ? '6480.50' : '1';
  if (field.type === 'datetime') return '2026-11-24';
  if (/user|colleague|同事/i.test(label) || field.key.includes('InnerContact')) return colleague;
  if (/department|centre|部門|中心/i.test(label) || field.key.includes('Department')) return [deptId];
  return `Client dinner with Harbour Logistics (${label})`;
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

  step(1, 'Connect Zapier to DingTalk with the app\'s Client ID and Secret.');
  const session = (await appTester(App.authentication.sessionConfig.perform, { authData: sandbox.credentials, meta })) as Row;
  const authData = { ...sandbox.credentials, ...(session as Record<string, string>) };
  const run = <T>(operation: Operation, inputData: Row = {}, extraMeta: Row = {}) =>
    appTester(operation, { authData, inputData, meta: { ...meta, ...extraMeta } }) as Promise<T>;
  got('connection label', ((await run<Row>(App.authentication.test)).connection_label as string) ?? '');

  step(2, 'Find the expense claim template and the people involved.');
  const templates = await run<Row[]>(App.triggers.list_templates!.operation.perform);
  const expense = templates.find((t) => /expense/i.test(String(t.name)))!;
  got('template', expense);
  const users = sandbox.org.users();
  const staff = users.find((u) => u.userid === 'user-chan-0001') ?? users[0]!;
  const found = await run<Row[]>(App.searches.find_user!.operation.perform, { mobile: staff.mobile });
  got(`Find User by mobile ${staff.mobile}`, { id: found[0]?.id, name: found[0]?.name });

  step(3, 'Turn on two Zaps: "New Approval" and "Approval Approved" (Zapier seeds their dedupe lists).');
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
  got('seeded', `${seen.new_approval.size} existing approval(s) will not fire`);

  step(4, 'A form in another tool is submitted: Start Approval fills the DingTalk expense claim.');
  const fields = (await appTester(App.creates.start_approval!.operation.inputFields as never, { authData, inputData: { processCode: expense.id }, meta })) as Field[];
  const colleague = users.find((u) => u.userid !== staff.userid)!.userid;
  const form = Object.fromEntries(fields.filter((f) => f.key.startsWith('form__') && f.type !== 'copy').map((f) => [f.key, fill(f, colleague, String(staff.deptIds[0]))]));
  sent('form', form);
  const approval = await run<Row>(App.creates.start_approval!.operation.perform, { processCode: expense.id, originatorUserId: staff.userid, ...form });
  got('new approval', { id: approval.id, status: approval.status, approvers: (approval.tasks as Row[]).map((t) => t.user_name ?? t.user_id) });
  sandbox.org.addAttachment(String(approval.id), { fileName: 'dinner-receipt.pdf', fileType: 'pdf', content: '%PDF-1.7 receipt for HKD 6,480.50' });
  got('the employee attaches a receipt in DingTalk', 'dinner-receipt.pdf');

  step(5, '"New Approval" fires.');
  got('new records', (await poll('new_approval')).map((r) => ({ id: r.id, status: r.status, submitted: r.created_at })));

  step(6, 'The manager approves (over HKD 5,000, so the director approves too), through the Approve or Reject action.');
  for (let round = 0; round < 5; round += 1) {
    const current = (await run<Row[]>(App.searches.find_approval!.operation.perform, { approvalId: approval.id }))[0]!;
    const pending = (current.tasks as Row[]).find((t) => t.status === 'RUNNING');
    if (!pending) break;
    const decided = await run<Row>(App.creates.approve_or_reject!.operation.perform, { processInstanceId: approval.id, actionerUserId: pending.user_id, result: 'agree', remark: 'OK, within budget.' });
    got(`${pending.user_name ?? pending.user_id} approved; status`, decided.status);
  }

  step(7, '"Approval Approved" fires and delivers the flattened form and the receipt as a file.');
  const approved = await poll('approval_approved');
  const record = (await appTester(App.hydrators.approval!, { authData, inputData: { id: approved[0]!.id, processCode: expense.id }, meta })) as Row;
  got('record', Object.fromEntries(Object.entries(record).filter(([k]) => k.startsWith('form__') || ['id', 'outcome', 'processing_minutes', 'originator_name'].includes(k))));
  got('attachments', (record.attachments as Row[]).map((a) => ({ name: a.name, type: a.type, size: a.size, file: 'fetched fresh from DingTalk when a later step uses it' })));

  step(8, 'Add a comment for the finance team.');
  const comment = await run<Row>(App.creates.add_comment!.operation.perform, { processInstanceId: approval.id, commentUserId: staff.userid, text: 'Receipt attached; paid by company card.' });
  got('comment', comment);

  step(9, 'A purchase request is left waiting: remind the approver with a work notification.');
  const purchase = templates.find((t) => /purchase/i.test(String(t.name)));
  if (purchase) {
    const waiting = sandbox.org.instance(String((await run<Row[]>(App.triggers.new_approval!.operation.perform, { processCode: purchase.id }, { isLoadingSample: true }))[0]?.id ?? '')) as Row | undefined;
    const approverId = (waiting?.tasks as Row[] | undefined)?.find((t) => t.status === 'RUNNING')?.userId ?? colleague;
    const reminder = await run<Row>(App.creates.send_work_notification!.operation.perform, {
      userIds: [String(approverId)],
      msgType: 'text',
      content: 'Reminder: a purchase request has been waiting for your approval for over 2 hours.',
    });
    got('work notification', reminder);
  }

  line(`\nDingTalk calls metered against the monthly quota: ${sandbox.meter.metered} (free calls: ${sandbox.meter.free}).`);
  line(`By endpoint: ${JSON.stringify(sandbox.meter.byEndpoint)}`);
  await sandbox.stop();
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
