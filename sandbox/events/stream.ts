/**
 * The Stream gateway stand-in: WebSocket connections opened with connections/open tickets, EVENT frames routed to
 * one open connection at random ("通过随机策略选取一个Stream通道推送", developerpedia FAQ), redelivery of frames not
 * acked SUCCESS within a timeout (same messageId ⚠), optional duplicates after an ack (new messageId), SYSTEM ping
 * and disconnect, and faults. ../shared/dingtalk-events.md §3 has the protocol; every ⚠ there applies here.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { eventFrame, newMessageId, type SandboxEvent } from './payloads';
import type { Ticket, Tickets } from './tickets';

export interface StreamSettings {
  /** Un-acked EVENT frames are pushed again after this long ([NODE] docstring: "within 60 s" ⚠). */
  redeliverAfterMs: number;
  /** Slow acks: an ack takes effect only this long after it arrives, so a redelivery can overtake it. */
  ackDelayMs: number;
  /** The chance (0–1) that an acked event is pushed once more ("依然可能出现重复推送", developerpedia FAQ). */
  duplicateRate: number;
  /** After `disconnect`, the gateway closes the socket this long later (DingTalk: after 10 s of silence). */
  disconnectCloseMs: number;
  random: () => number;
}

export interface StreamEnvironment {
  now(): number;
  tickets: Tickets;
  corpId: string;
  appKey: string;
}

interface Connection {
  id: string;
  socket: WebSocket;
  ticket: Ticket;
  openedAt: number;
  closing: boolean;
  frames: number;
  acks: number;
}

interface Pending {
  event: SandboxEvent;
  messageId: string;
  attempts: number;
  timer?: NodeJS.Timeout;
}

export interface StreamDelivery {
  at: number;
  eventId: string;
  messageId: string;
  connectionId: string;
  kind: 'push' | 'redelivery' | 'duplicate' | 'notice';
}

export interface ConnectionInfo {
  id: string;
  clientId: string;
  openedAt: number;
  closing: boolean;
  frames: number;
  acks: number;
}

const PING_TIMEOUT_MS = 5000;
const DUPLICATE_DELAY_MS = 20;
const LOG_LIMIT = 20_000;

const rejectUpgrade = (socket: Duplex, status: string, body: unknown) => {
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
};

export class StreamGateway {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly open = new Map<string, Connection>();
  private readonly pending = new Map<string, Pending>();
  /** Events with no connection to go to: pushed as soon as one opens (⚠ DingTalk's offline buffering is unknown). */
  private readonly waiting: Pending[] = [];
  private readonly pings = new Map<string, (opaque: unknown) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Fault: refuse this many WebSocket handshakes (HTTP 503). */
  refuseHandshakes = 0;
  readonly deliveries: StreamDelivery[] = [];
  readonly acks: { at: number; messageId: string; status: string; connectionId: string }[] = [];

  constructor(
    readonly settings: StreamSettings,
    private readonly env: StreamEnvironment,
  ) {}

  /** For the HTTP server's `upgrade` event: `/connect?ticket=…`. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    if (url.pathname !== '/connect') return rejectUpgrade(socket, '404 Not Found', { code: 'NotFound', message: `No WebSocket endpoint at ${url.pathname}` });
    if (this.refuseHandshakes > 0) {
      this.refuseHandshakes -= 1;
      return rejectUpgrade(socket, '503 Service Unavailable', { code: 'ServiceUnavailable', message: 'sandbox fault: connection refused' });
    }
    const grant = this.env.tickets.redeem(url.searchParams.get('ticket') ?? '', this.env.now());
    // ⚠ DingTalk's answer to a bad ticket is undocumented: a 401 with the reason.
    if (typeof grant === 'string') return rejectUpgrade(socket, '401 Unauthorized', { code: 'InvalidTicket', message: `ticket ${grant}` });
    this.server.handleUpgrade(request, socket, head, (ws) => this.attach(ws, grant));
  }

  private attach(socket: WebSocket, ticket: Ticket): void {
    const connection: Connection = { id: randomUUID(), socket, ticket, openedAt: this.env.now(), closing: false, frames: 0, acks: 0 };
    this.open.set(connection.id, connection);
    socket.on('message', (message) => this.onMessage(connection, message.toString()));
    socket.on('close', () => this.open.delete(connection.id));
    socket.on('error', () => this.open.delete(connection.id));
    for (const item of this.waiting.splice(0)) this.send(item, 'redelivery');
  }

  private later(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private pick(): Connection | undefined {
    const candidates = [...this.open.values()].filter((c) => !c.closing && c.ticket.subscriptions.some((s) => s.type === 'EVENT'));
    return candidates[Math.floor(this.settings.random() * candidates.length)];
  }

  private record(delivery: Omit<StreamDelivery, 'at'>): void {
    if (this.deliveries.length >= LOG_LIMIT) this.deliveries.shift();
    this.deliveries.push({ at: this.env.now(), ...delivery });
  }

  private frame(connection: Connection, event: SandboxEvent, messageId: string, data?: Record<string, unknown>) {
    const { corpId, appKey } = this.env;
    return JSON.stringify(eventFrame(event, { messageId, connectionId: connection.id, corpId, appKey, now: this.env.now() }, data));
  }

  private send(item: Pending, kind: 'push' | 'redelivery'): void {
    const connection = this.pick();
    if (!connection) {
      this.waiting.push(item);
      return;
    }
    item.attempts += 1;
    connection.frames += 1;
    connection.socket.send(this.frame(connection, item.event, item.messageId));
    this.record({ eventId: item.event.eventId, messageId: item.messageId, connectionId: connection.id, kind });
    item.timer = this.later(this.settings.redeliverAfterMs, () => {
      if (this.pending.get(item.messageId) === item) this.send(item, 'redelivery');
    });
  }

  /** Pushes an event and keeps pushing it until a connection acks it SUCCESS. */
  deliver(event: SandboxEvent): void {
    const item: Pending = { event, messageId: newMessageId(this.env.now()), attempts: 0 };
    this.pending.set(item.messageId, item);
    this.send(item, 'push');
  }

  /** A one-off frame nobody tracks: a duplicate, or the 20001 notice with `data` in place of the event's. */
  sendOnce(event: SandboxEvent, kind: 'duplicate' | 'notice', data?: Record<string, unknown>): void {
    const connection = this.pick();
    if (!connection) return;
    const messageId = newMessageId(this.env.now());
    connection.frames += 1;
    connection.socket.send(this.frame(connection, event, messageId, data));
    this.record({ eventId: event.eventId, messageId, connectionId: connection.id, kind });
  }

  private onMessage(connection: Connection, text: string): void {
    let ack: { headers?: { messageId?: unknown }; data?: unknown } | undefined;
    try {
      ack = JSON.parse(text) as typeof ack;
    } catch {
      return;
    }
    const messageId = typeof ack?.headers?.messageId === 'string' ? ack.headers.messageId : undefined;
    if (!messageId) return;
    let data: Record<string, unknown> = {};
    try {
      data = typeof ack?.data === 'string' ? (JSON.parse(ack.data) as Record<string, unknown>) : {};
    } catch {
      // A malformed ack counts as no ack: the event is pushed again after the timeout.
    }
    connection.acks += 1;
    const ping = this.pings.get(messageId);
    if (ping) return ping(data.opaque);
    const status = typeof data.status === 'string' ? data.status : '(none)';
    this.acks.push({ at: this.env.now(), messageId, status, connectionId: connection.id });
    const register = () => this.registerAck(messageId, status);
    if (this.settings.ackDelayMs > 0) this.later(this.settings.ackDelayMs, register);
    else register();
  }

  /** SUCCESS settles the event; LATER or anything else leaves it for redelivery (⚠ what LATER does is unknown). */
  private registerAck(messageId: string, status: string): void {
    const item = this.pending.get(messageId);
    if (!item || status !== 'SUCCESS') return;
    if (item.timer) clearTimeout(item.timer);
    this.pending.delete(messageId);
    if (this.settings.random() < this.settings.duplicateRate) this.later(DUPLICATE_DELAY_MS, () => this.sendOnce(item.event, 'duplicate'));
  }

  private targets(connectionId?: string): Connection[] {
    const all = [...this.open.values()];
    return connectionId ? all.filter((c) => c.id === connectionId) : all;
  }

  private system(connection: Connection, topic: string, data: unknown, messageId = newMessageId(this.env.now())): void {
    connection.socket.send(
      JSON.stringify({ specVersion: '1.0', type: 'SYSTEM', headers: { contentType: 'application/json', messageId, time: String(this.env.now()), topic }, data: JSON.stringify(data) }),
    );
  }

  /** SYSTEM ping to each (or one) connection; resolves with what each echoed, undefined after `timeoutMs` of silence. */
  ping(connectionId?: string, timeoutMs = PING_TIMEOUT_MS): Promise<{ connectionId: string; opaque: string; echoed: unknown }[]> {
    return Promise.all(
      this.targets(connectionId).map(
        (connection) =>
          new Promise<{ connectionId: string; opaque: string; echoed: unknown }>((resolve) => {
            const opaque = randomUUID();
            const messageId = newMessageId(this.env.now());
            const done = (echoed: unknown) => {
              this.pings.delete(messageId);
              clearTimeout(timer);
              resolve({ connectionId: connection.id, opaque, echoed });
            };
            const timer = this.later(timeoutMs, () => done(undefined));
            this.pings.set(messageId, done);
            this.system(connection, 'ping', { opaque }, messageId);
          }),
      ),
    );
  }

  /** SYSTEM disconnect, then the socket is closed after `disconnectCloseMs`; no new events go to it meanwhile (⚠). */
  disconnect(connectionId?: string, reason = 'connection is expired'): void {
    for (const connection of this.targets(connectionId)) {
      connection.closing = true;
      this.system(connection, 'disconnect', { reason });
      this.later(this.settings.disconnectCloseMs, () => connection.socket.terminate());
    }
  }

  /** Fault: sockets die without a close frame, as on a network cut. */
  drop(connectionId?: string): void {
    for (const connection of this.targets(connectionId)) connection.socket.terminate();
  }

  connections(): ConnectionInfo[] {
    return [...this.open.values()].map(({ id, ticket, openedAt, closing, frames, acks }) => ({ id, clientId: ticket.clientId, openedAt, closing, frames, acks }));
  }

  /** Events pushed but not yet acked SUCCESS, or waiting for a connection. */
  unacked(): number {
    return this.pending.size;
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const connection of this.open.values()) connection.socket.terminate();
    this.server.close();
  }
}
