/**
 * Stream delivery: each event to one open connection at random, pushed again after a timeout until a connection acks
 * it SUCCESS (same messageId ⚠), optionally once more after the ack (a duplicate with a new messageId: "依然可能出现重复
 * 推送", developerpedia FAQ), with acks that can be made slow. Events with no connection open wait for one (⚠ DingTalk's
 * buffering while offline is unknown). ../shared/dingtalk-events.md §3 lists what is known and what is ⚠.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { StreamConnections, type Connection, type Reply } from './connections';
import { eventFrame, newMessageId, type SandboxEvent } from './payloads';
import type { Tickets } from './tickets';

export interface StreamSettings {
  /** Un-acked EVENT frames are pushed again after this long ([NODE] docstring: "within 60 s" ⚠). */
  redeliverAfterMs: number;
  /** Slow acks: an ack takes effect only this long after it arrives, so a redelivery can overtake it. */
  ackDelayMs: number;
  /** The chance (0–1) that an acked event is pushed once more. */
  duplicateRate: number;
  random: () => number;
}

export interface StreamEnvironment {
  now(): number;
  tickets: Tickets;
  corpId: string;
  appKey: string;
  disconnectCloseMs: number;
}

interface Pending {
  event: SandboxEvent;
  messageId: string;
  timer?: NodeJS.Timeout;
}

export interface StreamDelivery {
  at: number;
  eventId: string;
  messageId: string;
  connectionId: string;
  kind: 'push' | 'redelivery' | 'duplicate' | 'notice';
}

const DUPLICATE_DELAY_MS = 20;
const LOG_LIMIT = 20_000;

export class StreamGateway {
  readonly connections: StreamConnections;
  private readonly pending = new Map<string, Pending>();
  private readonly waiting: Pending[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly deliveries: StreamDelivery[] = [];

  constructor(
    readonly settings: StreamSettings,
    private readonly env: StreamEnvironment,
  ) {
    this.connections = new StreamConnections(
      env.tickets,
      {
        now: env.now,
        opened: () => {
          for (const item of this.waiting.splice(0)) this.send(item, 'redelivery');
        },
        replied: (connection, reply) => this.onReply(connection, reply),
        later: (ms, run) => this.later(ms, run),
      },
      env.disconnectCloseMs,
    );
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.connections.handleUpgrade(request, socket, head);
  }

  private later(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private push(connection: Connection, event: SandboxEvent, messageId: string, kind: StreamDelivery['kind'], data?: Record<string, unknown>): void {
    const { corpId, appKey, now } = this.env;
    this.connections.send(connection, eventFrame(event, { messageId, connectionId: connection.id, corpId, appKey, now: now() }, data));
    if (this.deliveries.length >= LOG_LIMIT) this.deliveries.shift();
    this.deliveries.push({ at: now(), eventId: event.eventId, messageId, connectionId: connection.id, kind });
  }

  private send(item: Pending, kind: 'push' | 'redelivery'): void {
    const connection = this.connections.pick(this.settings.random);
    if (!connection) {
      this.waiting.push(item);
      return;
    }
    this.push(connection, item.event, item.messageId, kind);
    item.timer = this.later(this.settings.redeliverAfterMs, () => {
      if (this.pending.get(item.messageId) === item) this.send(item, 'redelivery');
    });
  }

  /** Pushes an event and keeps pushing it until a connection acks it SUCCESS. */
  deliver(event: SandboxEvent): void {
    const item: Pending = { event, messageId: newMessageId(this.env.now()) };
    this.pending.set(item.messageId, item);
    this.send(item, 'push');
  }

  /** A one-off frame nobody tracks: a duplicate, or the 20001 notice with `data` in place of the event's. */
  sendOnce(event: SandboxEvent, kind: 'duplicate' | 'notice', data?: Record<string, unknown>): void {
    const connection = this.connections.pick(this.settings.random);
    if (connection) this.push(connection, event, newMessageId(this.env.now()), kind, data);
  }

  private onReply(_connection: Connection, reply: Reply): void {
    const status = typeof reply.data.status === 'string' ? reply.data.status : '(none)';
    const register = () => this.registerAck(reply.messageId, status);
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

  /** Events pushed but not yet acked SUCCESS, or waiting for a connection. */
  unacked(): number {
    return this.pending.size;
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.connections.stop();
  }
}
