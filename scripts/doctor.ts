/**
 * `npm run doctor`: checks a real DingTalk app (credentials in .env) against production. For each permission
 * the integration needs it makes one cheap, harmless call and reports ok or missing, with how to fix it, then
 * lists the approval templates the app can see. It spends about five metered calls of the monthly quota.
 *
 * A permission counts as granted when DingTalk answers anything but a permission error: probing a write
 * permission with a made-up approval id gets "not found", which proves the permission without changing data.
 */
import { isAxiosError } from 'axios';
import { readFileSync } from 'node:fs';
import { getAccessToken } from '../dingtalk/auth';
import { getDepartment, getUser, getUserIdByMobile, listDepartmentUsers, searchUser } from '../dingtalk/contact';
import { DingTalkError } from '../dingtalk/errors';
import { axiosTransport } from '../dingtalk/axios-transport';
import { budgetOf, budgetProblems, EDITION_CHOICES } from '../quota/budget';
import { monthName, quotaMonthOf, resetText } from '../quota/month';
import { baseUrl, type Transport } from '../dingtalk/transport';
import { grantProcessInstanceForDownloadFile, listAllTemplates, listProcessInstanceIds } from '../dingtalk/workflow';

interface Check {
  permission: string;
  needed: string;
  probe: (transport: Transport, context: Context) => Promise<string>;
}

interface Context {
  firstUserId?: string;
  firstTemplate?: string;
}

const DAY = 24 * 60 * 60 * 1000;
const PROBE_ID = 'doctor-probe-0000';

const checks: Check[] = [
  {
    permission: 'qyapi_get_department_list',
    needed: 'connecting the account, department dropdowns',
    probe: async (t) => `organisation: ${(await getDepartment(t)).name}`,
  },
  {
    permission: 'qyapi_get_department_member',
    needed: 'user dropdowns',
    probe: async (t, context) => {
      const page = await listDepartmentUsers(t, 1);
      context.firstUserId = page.items[0]?.userid;
      return `${page.items.length} user(s) in the root department`;
    },
  },
  {
    permission: 'qyapi_get_member',
    needed: 'user names on records, Find User',
    probe: async (t, context) => (context.firstUserId ? `read ${(await getUser(t, context.firstUserId)).name}` : 'no user to read (root department is empty)'),
  },
  {
    permission: 'qyapi_get_member_by_mobile',
    needed: 'Find User by mobile number',
    probe: async (t) => ((await getUserIdByMobile(t, '+852-00000000')) ? 'found a user' : 'lookup works (no user with the probe number)'),
  },
  {
    permission: 'qyapi_addresslist_search',
    needed: 'Find User by name (1 metered call)',
    probe: async (t) => `search works (${(await searchUser(t, { queryWord: 'zzz-doctor-probe' })).items.length} match)`,
  },
  {
    permission: 'Workflow.Form.Read',
    needed: 'Template dropdowns, Start Approval fields (1 metered call per 100 templates)',
    probe: async (t, context) => {
      const { items } = await listAllTemplates(t, {}, 300);
      context.firstTemplate = items[0]?.processCode;
      const names = items.map((template) => `    ${template.processCode}  ${template.name}`);
      return [`${items.length} template(s) visible:`, ...names].join('\n');
    },
  },
  {
    permission: 'Workflow.Instance.Read',
    needed: 'approval triggers, Find Approval (1 metered call)',
    probe: async (t, context) => {
      if (!context.firstTemplate) return 'skipped: no template to list';
      const page = await listProcessInstanceIds(t, { processCode: context.firstTemplate, startTime: Date.now() - DAY });
      return `${page.items.length} approval(s) in the last day of ${context.firstTemplate}`;
    },
  },
  {
    permission: 'Workflow.Instance.Write',
    needed: 'Start Approval, comments, approve/reject, revoke, attachment files (1 metered call)',
    probe: async (t) => {
      await grantProcessInstanceForDownloadFile(t, { processInstanceId: PROBE_ID, fileId: PROBE_ID });
      return 'granted';
    },
  },
];

const FIX = 'In the DingTalk developer console (open-dev.dingtalk.com), open your app → Permissions, search for the code and apply for it; then release a new version of the app.';

/**
 * The example values in .env.example (`KEY=value` lines), which a .env copied from it still holds until edited.
 * Read from the working folder, like .env itself.
 */
export function exampleValues(file = '.env.example'): Record<string, string> {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  return Object.fromEntries(text.split('\n').flatMap((line) => {
    const match = /^\s*([A-Za-z_]\w*)=(.*)$/.exec(line);
    return match ? [[match[1]!, match[2]!.trim()]] : [];
  }));
}

/** Why no answer came back, when none did: DNS, a refused connection, a timeout. Undefined when DingTalk answered. */
function unreachable(error: unknown, timeoutMs: number): string | undefined {
  if (!isAxiosError(error) || error.response) return undefined;
  const code = error.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'its host name does not resolve (DNS)';
  if (code === 'ECONNREFUSED') return 'the connection was refused';
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return `no answer within ${timeoutMs / 1000} s`;
  return `the connection failed (${code || error.message})`;
}

function unreachableAdvice(env: NodeJS.ProcessEnv, reason: string): string {
  const override = env.DINGTALK_API_BASE_URL || env.DINGTALK_OAPI_BASE_URL ? ', and DINGTALK_API_BASE_URL / DINGTALK_OAPI_BASE_URL in .env' : '';
  return `UNREACHABLE  DingTalk cannot be reached at ${baseUrl('api')}: ${reason}. Check this machine's internet connection, proxy and firewall${override}, then run the doctor again. Nothing else was checked.`;
}

/** Lines of .env that are empty or still hold .env.example's value. */
function unfilled(env: NodeJS.ProcessEnv, examples: Record<string, string>, keys: string[]): string[] {
  return keys.flatMap((key) => {
    const value = (env[key] ?? '').trim();
    if (!value) return [`${key} is empty`];
    return value === examples[key] ? [`${key} still holds the example value from .env.example (${value})`] : [];
  });
}

async function probe(check: Check, transport: Transport, context: Context): Promise<{ ok: boolean; detail: string }> {
  try {
    return { ok: true, detail: await check.probe(transport, context) };
  } catch (error) {
    if (error instanceof DingTalkError && error.problem.kind === 'missing-permission') return { ok: false, detail: FIX };
    // Any other DingTalk answer (not found, bad parameter) means the permission itself is in place.
    if (error instanceof DingTalkError && error.problem.kind === 'api') return { ok: true, detail: `granted (DingTalk answered ${error.problem.code})` };
    throw error;
  }
}

export interface DoctorOptions {
  /** .env.example's values, which count as not filled in. */
  examples?: Record<string, string>;
  /** How long to wait for each DingTalk answer. */
  timeoutMs?: number;
}

/**
 * What doctor can honestly say about the budget: the one the .env settings describe (the same fields as the
 * connection, `authData_dingtalkEdition`, `authData_monthlyCallQuota`, `authData_quotaSharePercent`) and what this run
 * spent. The month's spend lives in Zapier's z.cache, which only the Find API Usage search can read.
 */
export function budgetLines(env: NodeJS.ProcessEnv, metered: number, now = Date.now()): string[] {
  const settings = { edition: env.authData_dingtalkEdition, customQuota: env.authData_monthlyCallQuota, sharePercent: env.authData_quotaSharePercent };
  const problems = budgetProblems(settings);
  const budget = budgetOf(settings);
  const month = quotaMonthOf(now);
  return [
    ...(problems.length ? [`MISSING  budget settings: ${problems.join('; ')}; using the safe default`] : []),
    `Budget:  ${budget.calls.toLocaleString('en-US')} calls in ${monthName(month)} for this integration (${budget.sharePercent} % of ${EDITION_CHOICES[budget.edition]}` +
      `${budget.defaulted.length ? `; ${budget.defaulted.join(' and ')} not set in .env, so the default` : ''}); the quota resets on ${resetText(month)}.`,
    `         This run spent ${metered} of them. The month's spend so far is kept by Zapier for each connection: see it with the Find API Usage search in a Zap.`,
  ];
}

export async function doctor(env: NodeJS.ProcessEnv = process.env, print: (line: string) => void = console.log, options: DoctorOptions = {}): Promise<boolean> {
  const examples = options.examples ?? exampleValues();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const notFilled = unfilled(env, examples, ['authData_appKey', 'authData_appSecret']);
  if (notFilled.length > 0) {
    print(`Fill in .env first: ${notFilled.join('; ')}. Replace those lines with your app's Client ID and Client Secret (developer console → your app → Credentials & Basic Info); do not add second copies below them.`);
    return false;
  }
  const appKey = env.authData_appKey!.trim();
  const appSecret = env.authData_appSecret!.trim();
  let metered = 0;
  const transport = axiosTransport({ appKey, appSecret, timeoutMs, onRequest: (endpoint) => (metered += endpoint.metered ? 1 : 0) });
  print(`DingTalk: ${baseUrl('api')} and ${baseUrl('oapi')}`);
  try {
    await getAccessToken(transport, { appKey, appSecret });
    print('ok       credentials (Client ID and Client Secret)');
  } catch (error) {
    const reason = unreachable(error, timeoutMs);
    if (reason) print(unreachableAdvice(env, reason));
    else if (error instanceof DingTalkError && error.problem.kind === 'bad-credentials') print(`MISSING  credentials: ${error.message}`);
    else print(`ERROR    credentials not checked: ${(error as Error).message}`);
    return false;
  }
  const context: Context = {};
  let allOk = true;
  for (const check of checks) {
    let result: { ok: boolean; detail: string };
    try {
      result = await probe(check, transport, context);
    } catch (error) {
      const reason = unreachable(error, timeoutMs);
      if (!reason) throw error;
      print(unreachableAdvice(env, reason));
      return false;
    }
    allOk &&= result.ok;
    print(`${result.ok ? 'ok      ' : 'MISSING '} ${check.permission} (${check.needed})\n         ${result.detail.replace(/\n/g, '\n         ')}`);
  }
  const [agentProblem] = unfilled(env, examples, ['authData_agentId']);
  const agentOk = !agentProblem && /^\d+$/.test(env.authData_agentId!.trim());
  const agentAdvice = agentProblem ? `: ${agentProblem}; replace that line with your app's AgentId (your app → Credentials & Basic Info)` : ': authData_agentId must be the number shown as AgentId (your app → Credentials & Basic Info)';
  print(`${agentOk ? 'ok      ' : 'MISSING '} Agent ID for work notifications${agentOk ? '' : agentAdvice}`);
  print(`\n${metered} metered call(s) spent of the monthly quota.`);
  for (const line of budgetLines(env, metered)) print(line);
  return allOk && agentOk;
}

if (require.main === module) {
  try {
    process.loadEnvFile('.env');
  } catch {
    // No .env: doctor() says what to put in it.
  }
  doctor()
    .then((ok) => process.exit(ok ? 0 : 1))
    .catch((error: Error) => {
      console.error(error.message);
      process.exit(1);
    });
}
