/**
 * A local HTTP receiver posing as Zapier or any webhook consumer (port 0), and a Standard Webhooks verifier
 * written from the spec (standard-webhooks.md: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` under the
 * base64 key after `whsec_`), independent of relay/delivery/signature.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (ms). */
  delayMs?: number;
  /** Never answer. */
  hang?: boolean;
  /** The response body (default: Zapier's success body on 200, "nope" otherwise). */
  body?: string;
}

export async function startReceiver(answer: (request: Received, index: number) => Answer | Promise<Answer> = () => ({ status: 200 })) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry: Received = { path: request.url ?? '/', headers: request.headers, body, json: JSON.parse(body || 'null') };
      received.push(entry);
      const reply = await answer(entry, received.length - 1);
      if (reply.hang) return;
      setTimeout(() => {
        response.writeHead(reply.status, reply.headers);
        response.end(reply.body ?? (reply.status === 200 ? '{"status":"success"}' : 'nope'));
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** True when one of the request's signatures is the HMAC the spec describes. */
export function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  if (!/^\d+$/.test(timestamp)) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return String(headers['webhook-signature'])
    .split(' ')
    .some((signature) => {
      const [version, value] = signature.split(',');
      const given = Buffer.from(value ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}
