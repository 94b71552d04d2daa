/**
 * The relay's HTTP server (node:http): `/health` for machines, `/status` for people and their tools. Intake
 * (the HTTP push endpoint) and part 2's API add their routes through `routes`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RelayConfig } from '../config';
import type { Logger } from '../log';
import type { Store } from '../store';
import { accessOf } from './access';
import { statusOf, type StatusSource } from './status';

export type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export interface ServerOptions {
  config: Pick<RelayConfig, 'host' | 'port' | 'statusToken'>;
  store: Store;
  log: Logger;
  statusSources?: StatusSource[];
  /** More routes by "METHOD /path" (exact path) or a matcher, tried before "not found". */
  routes?: { match: (method: string, path: string) => boolean; handle: Handler }[];
  now?: () => number;
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export function sendJson(response: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body, null, 2);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export async function startServer({ config, store, log, statusSources = [], routes = [], now = Date.now }: ServerOptions): Promise<RunningServer> {
  const health: Handler = async (_request, response) => {
    const reachable = await store.reachable();
    sendJson(response, reachable ? 200 : 503, { status: reachable ? 'ok' : 'unavailable', database: reachable ? 'reachable' : 'unreachable' });
  };

  const status: Handler = async (request, response) => {
    const access = accessOf(request, config.statusToken);
    if (access === 'no-token-configured') return sendJson(response, 403, { error: 'Status is available off this machine only with a token: set RELAY_STATUS_TOKEN and send it as "Authorization: Bearer <token>".' });
    if (access === 'foreign-host') return sendJson(response, 403, { error: 'Ask for /status as http://127.0.0.1:<port>/status or http://localhost:<port>/status on this machine, or send RELAY_STATUS_TOKEN as "Authorization: Bearer <token>".' });
    if (access === 'needs-token') {
      response.setHeader('www-authenticate', 'Bearer');
      return sendJson(response, 401, { error: 'Send RELAY_STATUS_TOKEN as "Authorization: Bearer <token>".' });
    }
    sendJson(response, 200, await statusOf(store, statusSources, now()));
  };

  const builtIn: Record<string, Handler> = { 'GET /health': health, 'GET /status': status };

  const server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://relay').pathname;
    const handler = builtIn[`${method} ${path}`] ?? routes.find((route) => route.match(method, path))?.handle;
    const handled = handler ? handler(request, response) : Promise.resolve(sendJson(response, 404, { error: `No ${method} ${path} here.` }));
    handled.catch((error: unknown) => {
      log.error('http.failed', { method, path, error });
      if (!response.headersSent) sendJson(response, 500, { error: 'The relay failed to answer; its log says why.' });
      else response.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log.info('http.listening', { url });
  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
