/**
 * What stands between a request and its handler, in the order the sandbox applies it: injected 5xx, the access
 * token, the app's permissions, the per-app per-API QPS limit, the monthly quota; then the call meter.
 *
 * Codes: server-api-error-codes-1, how-to-process-api-throttling-on-the-dingtalk-server (QPS: the count per API
 * per app in the current second; 90018 / QpsLimitForAppkeyAndApi. Quota: 90020 / ApiCountLimitForOrg), and
 * add-api-permission (403 AccessTokenPermissionDenied naming `requiredScopes`). Throttled or refused calls are not
 * metered. Which calls count follows `metered` in dingtalk/endpoints.ts, so the billing rule has one source.
 */
import { endpoints, type Endpoint, type EndpointName } from '../dingtalk/endpoints';
import { apiError, oapiError, type Context, type Incoming, type Reply } from './http';

export interface GateSettings {
  latencyMs: number;
  qpsLimit: number;
  monthlyQuota: number | undefined;
}

export const isEndpointName = (name: string): name is EndpointName => Object.hasOwn(endpoints, name);

export class Gate {
  readonly denied = new Set<EndpointName>();
  private readonly failures = new Map<EndpointName, { status: number; times: number }>();
  /** endpoint → calls let through in the current second. */
  private readonly windows = new Map<EndpointName, { second: number; count: number }>();

  constructor(readonly settings: GateSettings) {}

  failNext(name: EndpointName, status: number, times: number): void {
    if (status < 500 || status > 599) throw new Error(`failNext takes a 5xx status, not ${status}`);
    this.failures.set(name, { status, times });
  }

  /** The rejection for this call, or undefined to let it through (and count it). */
  check(ctx: Context, name: EndpointName, request: Incoming): Reply | undefined {
    const endpoint: Endpoint = endpoints[name];
    return (
      this.injectedFailure(name, endpoint) ??
      (endpoint.authenticated ? tokenProblem(ctx, endpoint, request) : undefined) ??
      this.permissionProblem(name, endpoint) ??
      this.throttle(ctx, name, endpoint) ??
      this.quotaProblem(ctx, endpoint) ??
      this.count(ctx, name, endpoint)
    );
  }

  private injectedFailure(name: EndpointName, endpoint: Endpoint): Reply | undefined {
    const failure = this.failures.get(name);
    if (!failure) return undefined;
    if (--failure.times <= 0) this.failures.delete(name);
    if (endpoint.host === 'api') return apiError(failure.status, 'systemError', '系统异常');
    // ⚠ What oapi's front end answers with a 5xx is undocumented; a gateway page is the likeliest.
    return { status: failure.status, raw: Buffer.from(`<html><body><h1>${failure.status} Server Error</h1></body></html>`), headers: { 'content-type': 'text/html' } };
  }

  private permissionProblem(name: EndpointName, endpoint: Endpoint): Reply | undefined {
    if (!this.denied.has(name)) return undefined;
    if (endpoint.host === 'oapi') return oapiError(60011, '没有调用该接口的权限');
    return apiError(403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied', '没有调用该接口的权限', {
      accessdenieddetail: { requiredScopes: [endpoint.permission] },
    });
  }

  private throttle(ctx: Context, name: EndpointName, endpoint: Endpoint): Reply | undefined {
    const second = Math.floor(ctx.now() / 1000);
    const window = this.windows.get(name);
    const current = window && window.second === second ? window : { second, count: 0 };
    if (current.count >= this.settings.qpsLimit) {
      return endpoint.host === 'oapi'
        ? oapiError(90018, '您的企业应用调用钉钉开放平台当前接口的所有请求都被暂时禁用了')
        : apiError(403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', '您的企业应用调用钉钉开放平台当前接口的所有请求都被暂时禁用了');
    }
    current.count += 1;
    this.windows.set(name, current);
    return undefined;
  }

  private quotaProblem(ctx: Context, endpoint: Endpoint): Reply | undefined {
    const quota = this.settings.monthlyQuota;
    if (!endpoint.metered || quota === undefined || ctx.state.meter.metered < quota) return undefined;
    return endpoint.host === 'oapi'
      ? oapiError(90020, '当前组织的接口调用量已超出每月额度')
      : apiError(403, 'Forbidden.AccessDenied.ApiCountLimitForOrg', '当前组织的接口调用量已超出每月额度');
  }

  private count(ctx: Context, name: EndpointName, endpoint: Endpoint): undefined {
    const { meter } = ctx.state;
    meter.byEndpoint[name] = (meter.byEndpoint[name] ?? 0) + 1;
    if (endpoint.metered) meter.metered += 1;
    else meter.free += 1;
    return undefined;
  }
}

/**
 * api.dingtalk.com reads the token from `x-acs-dingtalk-access-token` only; oapi from `?access_token=` only
 * (../shared/dingtalk-api.md §1.3). A token in the wrong place counts as missing.
 */
function tokenProblem(ctx: Context, endpoint: Endpoint, request: Incoming): Reply | undefined {
  const header = request.headers['x-acs-dingtalk-access-token'];
  const token = endpoint.host === 'api' ? (Array.isArray(header) ? header[0] : header) : request.query.access_token;
  const expiresAt = token ? ctx.state.tokens[token] : undefined;
  if (expiresAt !== undefined && expiresAt > ctx.now()) return undefined;
  if (endpoint.host === 'api') {
    return token
      ? apiError(400, 'InvalidAuthentication', '不合法的access_token')
      : apiError(400, 'AuthenticationFailed.MissingParameter', '缺少参数 x-acs-dingtalk-access-token');
  }
  // topapi wraps auth errors as 88 with the real code in sub_code.
  const [subCode, subMsg] = !token ? ['40000', '缺少参数 access_token'] : expiresAt === undefined ? ['40014', '不合法的access_token'] : ['42001', 'access_token超时'];
  return oapiError(88, `ding talk error[subcode=${subCode},submsg=${subMsg}]`, { sub_code: subCode, sub_msg: subMsg });
}
