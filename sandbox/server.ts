/**
 * The HTTP side: one Node `http` handler serving both hosts' paths (api `/v1.0/…`, oapi `/topapi/…`) plus the
 * download URLs. Per request: parse, wait the configured latency, route by method and path from
 * dingtalk/endpoints.ts, pass the gate (faults, token, permission, QPS, quota, meter), run the handler, save.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { endpoints, type EndpointName } from '../dingtalk/endpoints';
import type { Gate } from './gate';
import { apiError, oapiError, Rejection, type Context, type Handler, type Incoming, type Reply } from './http';
import { download } from './routes/download';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ServerParts {
  ctx: Context;
  gate: Gate;
  handlers: Record<EndpointName, Handler>;
  /** Called after every request, to persist what changed. */
  commit(): void;
}

const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

async function readBody(request: IncomingMessage): Promise<Record<string, unknown> | 'too-large' | 'malformed'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw.trim() === '') return {};
  // topapi also takes form-encoded bodies (its doc examples use them); JSON is what our client sends.
  if ((request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : 'malformed';
  } catch {
    return 'malformed';
  }
}

function send(response: ServerResponse, reply: Reply): void {
  const body = reply.raw ?? Buffer.from(JSON.stringify(reply.body ?? {}));
  response.writeHead(reply.status, {
    'content-type': reply.raw ? 'application/octet-stream' : 'application/json;charset=utf-8',
    ...reply.headers,
    'content-length': String(body.length),
  });
  response.end(body);
}

const badRequest = (path: string, message: string): Reply =>
  path.startsWith('/topapi/') ? oapiError(40035, `不合法的参数：${message}`) : apiError(400, 'InvalidParameter', message);

export function requestHandler({ ctx, gate, handlers, commit }: ServerParts) {
  const routes = new Map(Object.entries(endpoints).map(([name, endpoint]) => [routeKey(endpoint.method, endpoint.path), name as EndpointName]));

  async function answer(request: IncomingMessage): Promise<Reply> {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const body = await readBody(request);
    if (gate.settings.latencyMs > 0) await sleep(gate.settings.latencyMs);
    if (body === 'too-large' || body === 'malformed') return badRequest(url.pathname, body === 'too-large' ? 'body too large' : 'body is not a JSON object');
    if (request.method === 'GET' && url.pathname.startsWith('/download/')) return download(ctx, url.pathname.slice('/download/'.length));
    if (request.method === 'GET' && url.pathname === '/') {
      return { status: 200, body: { sandbox: 'DingTalk (api.dingtalk.com + oapi.dingtalk.com)', org: ctx.state.org.name, endpoints: Object.keys(endpoints) } };
    }
    const name = routes.get(routeKey(request.method ?? 'GET', url.pathname));
    if (!name) return apiError(404, 'NotFound', `The sandbox does not serve ${request.method ?? ''} ${url.pathname}`);
    const incoming: Incoming = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      body,
    };
    const rejected = gate.check(ctx, name, incoming);
    if (rejected) return rejected;
    try {
      return handlers[name](ctx, incoming);
    } catch (error) {
      if (error instanceof Rejection) return error.reply;
      throw error;
    }
  }

  return (request: IncomingMessage, response: ServerResponse): void => {
    answer(request)
      .catch((error: unknown) => {
        console.error('DingTalk sandbox: unexpected error', error);
        return apiError(500, 'systemError', `系统异常 (sandbox bug: ${error instanceof Error ? error.message : String(error)})`);
      })
      .then((reply) => {
        commit();
        send(response, reply);
      })
      .catch((error: unknown) => {
        console.error('DingTalk sandbox: could not answer', error);
        if (!response.headersSent) send(response, apiError(500, 'systemError', '系统异常'));
      });
  };
}
