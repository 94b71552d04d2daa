/**
 * The Stream gateway's connections: WebSocket handshakes on `/connect?ticket=…` with connections/open tickets,
 * the open sockets, SYSTEM ping and disconnect, and the connection faults (refused handshakes, dropped sockets).
 * Protocol: open-dingtalk/developerpedia docs/learn/stream/protocol.md; ../shared/dingtalk-events.md §3.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { newMessageId } from './payloads';
import type { Ticket, Tickets } from './tickets';

export interface Connection {
  id: string;
  socket: WebSocket;
  ticket: Ticket;
  openedAt: number;
  /** Told to disconnect: no new events are routed to it (⚠ DingTalk's behaviour in those 10 s is undocumented). */
  closing: boolean;
  frames: number;
  acks: number;
}

export interface ConnectionInfo {
  id: string;
  clientId: string;
  openedAt: number;
  closing: boolean;
  frames: number;
  acks: number;
}

export interface Reply {
  messageId: string;
  /** The reply's `data`, parsed; {} when absent or malformed. */
  data: Record<string, unknown>;
}

export interface ConnectionHooks {
  now(): number;
  /** Called when a socket opens, so waiting events can go out. */
  opened(): void;
  /** Every reply a client sends that is not a ping echo: acks. */
  replied(connection: Connection, reply: Reply): void;
  /** Schedules work that stop() cancels. */
  later(ms: number, run: () => void): NodeJS.Timeout;
}

const rejectUpgrade = (socket: Duplex, status: string, body: unknown) => {
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
};

function replyOf(text: string): Reply | undefined {
  let reply: { headers?: { messageId?: unknown }; data?: unknown } | undefined;
  try {
    reply = JSON.parse(text) as typeof reply;
  } catch {
    return undefined;
  }
  const messageId = reply?.headers?.messageId;
  if (typeof messageId !== 'string') return undefined;
  try {
    const data: unknown = typeof reply?.data === 'string' ? JSON.parse(reply.data) : {};
    return { messageId, data: typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {} };
  } catch {
    return { messageId, data: {} };
  }
}

export class StreamConnections {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly open = new Map<string, Connection>();
  private readonly pings = new Map<string, (opaque: unknown) => void>();
  /** Fault: refuse this many WebSocket handshakes (HTTP 503). */
  refuseHandshakes = 0;

  constructor(
    private readonly tickets: Tickets,
    private readonly hooks: ConnectionHooks,
    /** After `disconnect`, the socket is closed this long later (DingTalk: after 10 s of silence). */
    public disconnectCloseMs: number,
  ) {}

  /** For the HTTP server's `upgrade` event. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    if (url.pathname !== '/connect') return rejectUpgrade(socket, '404 Not Found', { code: 'NotFound', message: `No WebSocket endpoint at ${url.pathname}` });
    if (this.refuseHandshakes > 0) {
      this.refuseHandshakes -= 1;
      return rejectUpgrade(socket, '503 Service Unavailable', { code: 'ServiceUnavailable', message: 'sandbox fault: connection refused' });
    }
    const grant = this.tickets.redeem(url.searchParams.get('ticket') ?? '', this.hooks.now());
    // ⚠ DingTalk's answer to a bad ticket is undocumented: a 401 with the reason.
    if (typeof grant === 'string') return rejectUpgrade(socket, '401 Unauthorized', { code: 'InvalidTicket', message: `ticket ${grant}` });
    this.server.handleUpgrade(request, socket, head, (ws) => this.attach(ws, grant));
  }

  private attach(socket: WebSocket, ticket: Ticket): void {
    const connection: Connection = { id: randomUUID(), socket, ticket, openedAt: this.hooks.now(), closing: false, frames: 0, acks: 0 };
    this.open.set(connection.id, connection);
    socket.on('message', (message) => this.onMessage(connection, message.toString()));
    socket.on('close', () => this.open.delete(connection.id));
    socket.on('error', () => this.open.delete(connection.id));
    this.hooks.opened();
  }

  private onMessage(connection: Connection, text: string): void {
    const reply = replyOf(text);
    if (!reply) return;
    connection.acks += 1;
    const ping = this.pings.get(reply.messageId);
    if (ping) ping(reply.data.opaque);
    else this.hooks.replied(connection, reply);
  }

  /** One open connection subscribed to events, picked at random ("随机策略", developerpedia FAQ). */
  pick(random: () => number): Connection | undefined {
    const candidates = [...this.open.values()].filter((c) => !c.closing && c.ticket.subscriptions.some((s) => s.type === 'EVENT'));
    return candidates[Math.floor(random() * candidates.length)];
  }

  send(connection: Connection, frame: unknown): void {
    connection.frames += 1;
    connection.socket.send(JSON.stringify(frame));
  }

  private targets(connectionId?: string): Connection[] {
    const all = [...this.open.values()];
    return connectionId ? all.filter((c) => c.id === connectionId) : all;
  }

  private system(connection: Connection, topic: string, data: unknown, messageId = newMessageId(this.hooks.now())): void {
    const headers = { contentType: 'application/json', messageId, time: String(this.hooks.now()), topic };
    connection.socket.send(JSON.stringify({ specVersion: '1.0', type: 'SYSTEM', headers, data: JSON.stringify(data) }));
  }

  /** SYSTEM ping to each (or one) connection; resolves with what each echoed, undefined after `timeoutMs` of silence. */
  ping(connectionId?: string, timeoutMs = 5000): Promise<{ connectionId: string; opaque: string; echoed: unknown }[]> {
    return Promise.all(
      this.targets(connectionId).map(
        (connection) =>
          new Promise<{ connectionId: string; opaque: string; echoed: unknown }>((resolve) => {
            const opaque = randomUUID();
            const messageId = newMessageId(this.hooks.now());
            const done = (echoed: unknown) => {
              this.pings.delete(messageId);
              clearTimeout(timer);
              resolve({ connectionId: connection.id, opaque, echoed });
            };
            const timer = this.hooks.later(timeoutMs, () => done(undefined));
            this.pings.set(messageId, done);
            this.system(connection, 'ping', { opaque }, messageId);
          }),
      ),
    );
  }

  /** SYSTEM disconnect; the socket is closed `disconnectCloseMs` later (the TCP close, not a WebSocket close frame). */
  disconnect(connectionId?: string, reason = 'connection is expired'): void {
    for (const connection of this.targets(connectionId)) {
      connection.closing = true;
      this.system(connection, 'disconnect', { reason });
      this.hooks.later(this.disconnectCloseMs, () => connection.socket.terminate());
    }
  }

  /** Fault: sockets die without a close frame, as on a network cut. */
  drop(connectionId?: string): void {
    for (const connection of this.targets(connectionId)) connection.socket.terminate();
  }

  list(): ConnectionInfo[] {
    return [...this.open.values()].map(({ id, ticket, openedAt, closing, frames, acks }) => ({ id, clientId: ticket.clientId, openedAt, closing, frames, acks }));
  }

  stop(): void {
    for (const connection of this.open.values()) connection.socket.terminate();
    this.server.close();
  }
}
