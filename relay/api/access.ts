/**
 * Who may read /status and the status page. Requests from this machine may; so may any request with
 * the RELAY_STATUS_TOKEN as a bearer token. A request that came through a proxy (Forwarded, X-Forwarded-For)
 * counts as remote even if the proxy runs on this machine, which is how HTTPS is usually put in front.
 * A browser cannot send a bearer token, so the token is also accepted as an HTTP Basic password (any user name):
 * the browser asks for it once and sends it with every request to the status page.
 * A request from this machine whose Host header names another site is refused without the token: that is how DNS
 * rebinding looks (a web page whose name now points at 127.0.0.1 reading the relay through the user's browser).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export type Access = 'allowed' | 'needs-token' | 'no-token-configured' | 'foreign-host';

const isLoopbackAddress = (address: string | undefined) =>
  address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));

export const sameSecret = (a: string, b: string) => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export function accessOf(request: IncomingMessage, statusToken: string | undefined): Access {
  const proxied = request.headers.forwarded !== undefined || request.headers['x-forwarded-for'] !== undefined;
  if (sentToken(request, statusToken)) return 'allowed';
  if (!proxied && isLoopbackAddress(request.socket.remoteAddress)) return hostIsLoopback(request.headers.host) ? 'allowed' : 'foreign-host';
  return statusToken ? 'needs-token' : 'no-token-configured';
}

/** True when the request carries the status token. */
export function sentToken(request: IncomingMessage, statusToken: string | undefined): boolean {
  const sent = tokenOf(request.headers.authorization ?? '');
  return statusToken !== undefined && sent !== undefined && sameSecret(sent, statusToken);
}

/** The token of "Bearer <token>", or the password of "Basic base64(user:<token>)". */
function tokenOf(authorization: string): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
  if (bearer) return bearer;
  const basic = /^Basic\s+(\S+)$/i.exec(authorization)?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  return decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) || undefined : undefined;
}

/** True when a Host header names this machine (localhost, 127.x.x.x, [::1]), with or without a port. */
export function hostIsLoopback(host: string | undefined): boolean {
  const name = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  return name === 'localhost' || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);
}
