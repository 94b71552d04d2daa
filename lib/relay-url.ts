/**
 * The connection's Relay URL (README section 8): where the organisation's DingTalk event relay answers. HTTPS
 * is required, because the connection's Client ID and Secret travel to it; plain http is accepted only on this
 * machine's loopback (a relay under test, or `npm run relay` beside a local Zapier CLI). Every problem is listed
 * at once, and nothing is changed silently except a trailing slash.
 */
import { quote } from './inputs';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export type RelayUrlCheck = { ok: true; baseUrl: string } | { ok: false; problems: string[] };

export function checkRelayUrl(value: string): RelayUrlCheck {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { ok: false, problems: [`Relay URL ${quote(value)} is not a web address: use the relay's base address, e.g. https://relay.example.com`] };
  }
  const problems: string[] = [];
  const loopback = LOOPBACK.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    problems.push(`Relay URL must start with https:// (plain http:// only for a relay on this machine's loopback), not ${quote(url.protocol.replace(/:$/, ''))}`);
  }
  if (url.username || url.password) problems.push('Relay URL must not contain a user name or password: the relay checks your Client ID and Client Secret instead');
  if (url.search || url.hash) problems.push('Relay URL must not contain a query (?…) or fragment (#…): use the relay\'s base address');
  return problems.length ? { ok: false, problems } : { ok: true, baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}
