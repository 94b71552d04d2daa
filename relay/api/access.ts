/**
 * Who may read /status (and, later, the status page). Requests from this machine may; so may any request with
 * the RELAY_STATUS_TOKEN as a bearer token. A request that came through a proxy (Forwarded, X-Forwarded-For)
 * counts as remote even if the proxy runs on this machine, which is how HTTPS is usually put in front.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export type Access = 'allowed' | 'needs-token' | 'no-token-configured';

const isLoopbackAddress = (address: string | undefined) =>
  address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));

export const sameSecret = (a: string, b: string) => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export function accessOf(request: IncomingMessage, statusToken: string | undefined): Access {
  const proxied = request.headers.forwarded !== undefined || request.headers['x-forwarded-for'] !== undefined;
  if (!proxied && isLoopbackAddress(request.socket.remoteAddress)) return 'allowed';
  if (!statusToken) return 'no-token-configured';
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  return bearer && sameSecret(bearer, statusToken) ? 'allowed' : 'needs-token';
}
