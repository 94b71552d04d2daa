/**
 * connections/open tickets: "ticket的有效期为90秒且只能用来建立一条连接" (valid 90 s, one connection;
 * open-dingtalk/developerpedia docs/learn/stream/protocol.md). A ticket is gone after its first use, valid or not.
 */
import { randomUUID } from 'node:crypto';

export const TICKET_TTL_MS = 90_000;

export interface Subscription {
  type: string;
  topic: string;
}

export interface Ticket {
  ticket: string;
  clientId: string;
  subscriptions: Subscription[];
  localIp?: string;
  expiresAt: number;
}

export class Tickets {
  private readonly issued = new Map<string, Ticket>();
  private readonly spent = new Set<string>();

  constructor(private readonly ttlMs = TICKET_TTL_MS) {}

  issue(now: number, clientId: string, subscriptions: Subscription[], localIp?: string): Ticket {
    for (const [key, ticket] of this.issued) if (ticket.expiresAt < now - this.ttlMs) this.issued.delete(key);
    const ticket: Ticket = { ticket: randomUUID(), clientId, subscriptions, ...(localIp ? { localIp } : {}), expiresAt: now + this.ttlMs };
    this.issued.set(ticket.ticket, ticket);
    return ticket;
  }

  /** The ticket's grant, or why it is refused; either way it cannot be used again. */
  redeem(key: string, now: number): Ticket | 'unknown' | 'used' | 'expired' {
    if (this.spent.has(key)) return 'used';
    const ticket = this.issued.get(key);
    if (!ticket) return 'unknown';
    this.issued.delete(key);
    this.spent.add(key);
    return ticket.expiresAt < now ? 'expired' : ticket;
  }
}
