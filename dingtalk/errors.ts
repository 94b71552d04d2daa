/**
 * One error model for both DingTalk hosts, as a pure table: a response goes in, a `Problem` (or nothing,
 * when the call succeeded) comes out. The Zapier middleware and the axios adapter each turn a Problem into
 * their own error class, so the classification is written and tested once.
 *
 * Sources for the code sets:
 * - api.dingtalk.com errors are an HTTP status plus `{code, message, requestid}`;
 *   oapi.dingtalk.com errors are `{errcode, errmsg}` inside HTTP 200
 *   (https://open.dingtalk.com/document/development/server-api-error-codes-1).
 * - Throttling: https://open.dingtalk.com/document/development/how-to-process-api-throttling-on-the-dingtalk-server
 *   and https://open.dingtalk.com/document/development/call-frequency-limit
 * - Monthly quota: https://open.dingtalk.com/document/development/dingtalk-application-development-platform-billing-model
 */
import { endpointFor, type Endpoint } from './endpoints';

export type ProblemKind =
  | 'expired-token'
  | 'bad-credentials'
  | 'missing-permission'
  | 'throttled'
  | 'quota-exhausted'
  | 'server'
  | 'api';

export interface Problem {
  kind: ProblemKind;
  status: number;
  code: string;
  message: string;
  requestId?: string;
  endpoint?: Endpoint;
  /** The permission DingTalk named, or the one our endpoint table lists. */
  permission?: string;
  /** For `throttled`: how long to wait before trying again. */
  retryAfterSeconds?: number;
}

/** Expired or invalid token: refresh it and retry. 88 is topapi's generic auth error, here without a known sub_code. */
const EXPIRED_TOKEN_CODES = new Set(['InvalidAuthentication', '40014', '42001', '88']);
/** The token call's answer to a wrong AppKey/AppSecret. */
const BAD_CREDENTIAL_CODES = new Set(['invalidClientIdOrSecret']);
const PERMISSION_CODES = new Set(['Forbidden.AccessDenied.AccessTokenPermissionDenied', '60011']);
const QUOTA_CODES = new Set(['Forbidden.AccessDenied.ApiCountLimitForOrg', '90020']);
/** Codes DingTalk uses for per-app, per-API and global rate limits, and for a busy server. */
const THROTTLE_CODES = new Set([
  '1111',
  'system.busy',
  'systemBusy',
  '-1',
  '90001',
  '90002',
  '90018',
  ...Array.from({ length: 12 }, (_, i) => String(90003 + i)),
]);
const THROTTLE_PREFIXES = ['Forbidden.AccessDenied.QpsLimit', 'Forbidden.AccessDenied.QpmLimit'];

/** Seconds to wait: DingTalk advises a 1 s pause for per-second limits; a per-minute limit needs a minute. */
const QPS_DELAY_SECONDS = 2;
const QPM_DELAY_SECONDS = 60;

interface RawResponse {
  url: string;
  method?: string;
  status: number;
  body: unknown;
  retryAfter?: string | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;

/**
 * The scope DingTalk asked for. The add-api-permission doc page shows
 * `accessdenieddetail: {requiredScopes: [...]}` (capitalised as `AccessDeniedDetail` in its SDK example), and
 * newer messages read "应用尚未开通所需的权限：[Scope.Name]"; 60011 on oapi usually names nothing.
 */
function requiredScope(body: Record<string, unknown>, message: string): string | undefined {
  const detailKey = Object.keys(body).find((key) => key.toLowerCase() === 'accessdenieddetail');
  const detail = detailKey ? body[detailKey] : undefined;
  if (isRecord(detail) && Array.isArray(detail.requiredScopes) && detail.requiredScopes.length > 0) {
    return detail.requiredScopes.map(String).join(', ');
  }
  return /权限[：:]\s*\[([^\]]+)\]/.exec(message)?.[1];
}

/** A non-JSON body worth quoting: short plain text. An HTML or XML page (a proxy's 502, a ban page) is never echoed. */
function plainText(body: unknown): string {
  if (typeof body !== 'string' || /<[a-z!?/]/i.test(body)) return '';
  return body.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** Reads `{code, message, requestid}` (api host) or `{errcode, errmsg, sub_code}` (oapi host). */
function errorFields(status: number, body: unknown) {
  if (!isRecord(body)) {
    return status >= 400 ? { code: `HTTP ${status}`, message: plainText(body) } : undefined;
  }
  // The ban for one IP above 10,000 calls in 20 s: `{"status":1111,"wait":5,"punish":"deny",…}` (dingtalk-api.md §4).
  if (body.status === 1111 || 'punish' in body) return { code: '1111', message: '', waitMinutes: Number(body.wait) || 5 };
  if ('errcode' in body) {
    const errcode = text(body.errcode) ?? '0';
    if (errcode === '0' && status < 400) return undefined;
    // topapi wraps many errors as errcode 88 ("鉴权异常") with the real code in sub_code, e.g. 40014 or 60011.
    const subCode = errcode === '88' ? text(body.sub_code) : undefined;
    return {
      code: subCode && subCode !== '0' ? subCode : errcode,
      message: text(body.sub_msg) ?? text(body.errmsg) ?? '',
      requestId: text(body.request_id) ?? text(body.requestId),
    };
  }
  if (status < 400) return undefined;
  return {
    code: text(body.code) ?? `HTTP ${status}`,
    message: text(body.message) ?? '',
    requestId: text(body.requestid) ?? text(body.requestId),
  };
}

function kindOf(status: number, code: string): ProblemKind {
  if (EXPIRED_TOKEN_CODES.has(code)) return 'expired-token';
  if (BAD_CREDENTIAL_CODES.has(code)) return 'bad-credentials';
  if (PERMISSION_CODES.has(code)) return 'missing-permission';
  if (QUOTA_CODES.has(code)) return 'quota-exhausted';
  if (THROTTLE_CODES.has(code) || THROTTLE_PREFIXES.some((prefix) => code.startsWith(prefix)) || status === 429) {
    return 'throttled';
  }
  if (status >= 500) return 'server';
  return 'api';
}

function retryAfterSeconds(code: string, retryAfter?: string | null, waitMinutes?: number): number {
  const header = Number(retryAfter);
  if (Number.isFinite(header) && header > 0) return header;
  if (waitMinutes) return waitMinutes * 60;
  return code.includes('QpmLimit') ? QPM_DELAY_SECONDS : QPS_DELAY_SECONDS;
}

/** Classifies one DingTalk response. Returns undefined when the call succeeded. */
export function problemOf({ url, method, status, body, retryAfter }: RawResponse): Problem | undefined {
  const fields = errorFields(status, body);
  if (!fields) return undefined;
  const endpoint = endpointFor(method, url);
  const kind = kindOf(status, fields.code);
  const problem: Problem = { kind, status, code: fields.code, message: fields.message, endpoint };
  if (fields.requestId) problem.requestId = fields.requestId;
  if (kind === 'missing-permission') {
    problem.permission = (isRecord(body) && requiredScope(body, fields.message)) || endpoint?.permission;
  }
  if (kind === 'throttled') problem.retryAfterSeconds = retryAfterSeconds(fields.code, retryAfter, 'waitMinutes' in fields ? fields.waitMinutes : undefined);
  return problem;
}

/** Thrown outside Zapier (scripts, sandbox demo) for a DingTalk error; carries the classified problem. */
export class DingTalkError extends Error {
  constructor(readonly problem: Problem, message: string) {
    super(message);
    this.name = 'DingTalkError';
  }
}

/** A DingTalk response that does not have the shape the client relies on. */
export class DingTalkSchemaError extends Error {
  constructor(readonly endpoint: string, detail: string) {
    super(`DingTalk ${endpoint} returned a response this integration does not understand: ${detail}`);
    this.name = 'DingTalkSchemaError';
  }
}
