/**
 * One of a tenant's Stream connections (one per leased slot): DingTalk's protocol (../shared/dingtalk-events.md §3)
 * with `ws`, written here rather than taken from npm `dingtalk-stream`, which acks before async work ends and
 * storms on reconnect (§4).
 *
 * - Opens through the project's client (dingtalk/gateway.ts over the axios transport), one attempt at a time; after
 *   a failure or a lost socket it waits (backoff.ts) and logs why.
 * - Answers SYSTEM ping with the same messageId and opaque value.
 * - On SYSTEM disconnect it opens the replacement at once and keeps serving the old socket, whose frames may still be
 *   in flight, until DingTalk closes it (10 s later).
 * - Persist, then ack: SUCCESS only once the event is committed; LATER when the store fails, so DingTalk pushes it
 *   again. Events are handled as they arrive, not one after another, so group commit can put many in one commit.
 * - A socket that says nothing for LIVENESS_MS (no frame, no pong) is treated as dead: a network cut sends no close.
 */
import WebSocket from 'ws';
import { eventAck, frameData, parseFrame, pingAck, SYSTEM_TOPICS, type Ack } from '../../dingtalk/events/stream';
import { openConnection, streamUrl } from '../../dingtalk/gateway';
import type { Transport } from '../../dingtalk/transport';
import type { Logger } from '../log';
import type { TenantCredentials } from '../tenants';
import { backoffMs } from './backoff';
import type { Ingest } from './ingest';

export type ConnectionState = 'connecting' | 'open' | 'waiting' | 'stopped';

export const LIVENESS_MS = 30_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface StreamConnectionOptions {
  tenantId: string;
  slot: number;
  credentials(): Promise<TenantCredentials | undefined>;
  transport(credentials: TenantCredentials): Transport;
  ingest: Ingest;
  log: Logger;
  /** Called with how long each event took from arrival to ack, and the ack's status (benchmarks, status). */
  acked?(ms: number, status: 'SUCCESS' | 'LATER'): void;
  random?: () => number;
}

export interface ConnectionStatus {
  slot: number;
  state: ConnectionState;
  since: string;
  /** Why the connection is waiting, and until when. */
  waiting?: { reason: string; retryAt: string; failures: number };
  eventsAcked: number;
  lastEventAt: string | null;
}

export class StreamConnection {
  private socket: WebSocket | undefined;
  /** Old sockets told to disconnect, still served until DingTalk closes them. */
  private readonly retiring = new Set<WebSocket>();
  private state: ConnectionState = 'waiting';
  private since = Date.now();
  private attempting = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private waiting: ConnectionStatus['waiting'];
  private eventsAcked = 0;
  private lastEventAt: number | null = null;
  private stopped = false;

  constructor(private readonly options: StreamConnectionOptions) {}

  start(): void {
    void this.attempt();
  }

  status(): ConnectionStatus {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      slot: this.options.slot,
      state: this.state,
      since: new Date(this.since).toISOString(),
      ...(this.state === 'waiting' && this.waiting ? { waiting: this.waiting } : {}),
      eventsAcked: this.eventsAcked,
      lastEventAt: iso(this.lastEventAt),
    };
  }

  private setState(state: ConnectionState) {
    if (state !== this.state) this.since = Date.now();
    this.state = state;
  }

  private get fields() {
    return { tenantId: this.options.tenantId, slot: this.options.slot };
  }

  /** One attempt at a time: a second call while one runs or one is scheduled does nothing. */
  private async attempt(): Promise<void> {
    if (this.attempting || this.stopped) return;
    this.attempting = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.setState('connecting');
    try {
      const credentials = await this.options.credentials();
      if (!credentials) throw new Error('the tenant has no stored credentials (removed?)');
      const ticket = await openConnection(this.options.transport(credentials), {
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret,
        extras: { client: 'dingtalk-approvals-relay' },
      });
      const socket = await this.openSocket(streamUrl(ticket));
      if (this.stopped) {
        socket.terminate();
        return;
      }
      this.adopt(socket);
    } catch (error) {
      this.scheduleRetry(`opening the connection failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.attempting = false;
    }
  }

  private openSocket(url: string): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`the Stream gateway refused the WebSocket with HTTP ${response.statusCode}`));
        socket.terminate();
      });
    });
  }

  private adopt(socket: WebSocket): void {
    const previous = this.socket;
    if (previous) this.retiring.add(previous);
    this.socket = socket;
    this.failures = 0;
    this.waiting = undefined;
    this.setState('open');
    this.options.log.info('stream.open', { ...this.fields, replacing: previous !== undefined });
    let heard = Date.now();
    socket.on('message', (message) => {
      heard = Date.now();
      void this.onMessage(socket, message.toString());
    });
    socket.on('pong', () => (heard = Date.now()));
    socket.on('error', (error) => this.options.log.warn('stream.socket_error', { ...this.fields, error }));
    socket.on('close', (code) => this.onClose(socket, code));
    clearInterval(this.livenessTimer);
    this.livenessTimer = setInterval(() => {
      if (socket !== this.socket) return;
      if (Date.now() - heard > LIVENESS_MS) {
        this.options.log.warn('stream.silent', { ...this.fields, silentMs: Date.now() - heard });
        socket.terminate();
      } else socket.ping();
    }, LIVENESS_MS / 2);
    this.livenessTimer.unref();
  }

  private onClose(socket: WebSocket, code: number): void {
    if (this.retiring.delete(socket)) return;
    if (socket !== this.socket) return;
    this.socket = undefined;
    clearInterval(this.livenessTimer);
    if (!this.stopped) this.scheduleRetry(`the connection closed (code ${code})`);
  }

  private scheduleRetry(reason: string): void {
    if (this.stopped || this.retryTimer) return;
    const waitMs = backoffMs(this.failures, this.options.random);
    this.failures += 1;
    this.waiting = { reason, retryAt: new Date(Date.now() + waitMs).toISOString(), failures: this.failures };
    this.setState('waiting');
    this.options.log.warn('stream.waiting', { ...this.fields, reason, waitMs, failures: this.failures });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.attempt();
    }, waitMs);
  }

  private send(socket: WebSocket, ack: Ack): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(ack));
  }

  private async onMessage(socket: WebSocket, text: string): Promise<void> {
    let message: unknown;
    let frame;
    try {
      message = JSON.parse(text);
      frame = parseFrame(message);
    } catch (error) {
      this.options.log.warn('stream.bad_frame', { ...this.fields, error });
      return;
    }
    const messageId = String(frame.headers.messageId ?? '');
    if (frame.type === 'SYSTEM') {
      if (frame.headers.topic === SYSTEM_TOPICS.ping) this.send(socket, pingAck(messageId, frameData(frame).opaque));
      else if (frame.headers.topic === SYSTEM_TOPICS.disconnect && socket === this.socket) {
        this.options.log.info('stream.disconnect', { ...this.fields, reason: frameData(frame).reason });
        this.retiring.add(socket);
        this.socket = undefined;
        void this.attempt();
      }
      return;
    }
    if (frame.type !== 'EVENT') return;
    const arrived = performance.now();
    let status: 'SUCCESS' | 'LATER' = 'SUCCESS';
    try {
      await this.options.ingest(this.options.tenantId, message);
    } catch (error) {
      status = 'LATER';
      this.options.log.error('stream.store_failed', { ...this.fields, eventId: frame.headers.eventId, error });
    }
    this.send(socket, eventAck(messageId, status, status === 'LATER' ? 'the relay could not store the event; push it again' : undefined));
    if (status === 'SUCCESS') {
      this.eventsAcked += 1;
      this.lastEventAt = Date.now();
    }
    this.options.acked?.(performance.now() - arrived, status);
  }

  /** Closes every socket; nothing more is acknowledged. Events in flight are pushed again by DingTalk. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.livenessTimer);
    for (const socket of [this.socket, ...this.retiring]) socket?.close(1000, 'relay stopping');
    this.socket = undefined;
    this.retiring.clear();
    this.setState('stopped');
  }
}
