/**
 * A minimal Stream client for the sandbox tests: opens a connection through the project's own client
 * (dingtalk/gateway.ts over the axios transport), then a real WebSocket, records every frame and acks as told.
 * The relay's real client comes later; this one does just enough to prove the gateway's behaviour.
 */
import WebSocket from 'ws';
import { openConnection, streamUrl } from '../../dingtalk/gateway';
import { eventAck, frameData, parseFrame, pingAck, type Frame } from '../../dingtalk/events/stream';
import type { Transport } from '../../dingtalk/transport';
import type { Sandbox } from '../../sandbox';

export type AckMode = 'SUCCESS' | 'LATER' | 'none';

export class StreamTestClient {
  readonly frames: Frame[] = [];
  closed = false;
  closedAt: number | undefined;

  private constructor(
    readonly socket: WebSocket,
    public ackMode: AckMode,
    public answerPings: boolean,
  ) {
    socket.on('message', (message) => this.onFrame(parseFrame(message.toString())));
    socket.on('close', () => {
      this.closed = true;
      this.closedAt = Date.now();
    });
  }

  static async connect(sandbox: Sandbox, transport: Transport, options: { ack?: AckMode; answerPings?: boolean } = {}): Promise<StreamTestClient> {
    const ticket = await openConnection(transport, { clientId: sandbox.credentials.appKey, clientSecret: sandbox.credentials.appSecret });
    const socket = new WebSocket(streamUrl(ticket));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new StreamTestClient(socket, options.ack ?? 'SUCCESS', options.answerPings ?? true);
  }

  private onFrame(frame: Frame): void {
    this.frames.push(frame);
    const messageId = String(frame.headers.messageId ?? '');
    if (frame.type === 'SYSTEM' && frame.headers.topic === 'ping' && this.answerPings) this.send(pingAck(messageId, frameData(frame).opaque));
    if (frame.type === 'EVENT' && this.ackMode !== 'none') this.send(eventAck(messageId, this.ackMode));
  }

  send(message: unknown): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** EVENT frames received, in order. */
  events(): Extract<Frame, { type: 'EVENT' }>[] {
    return this.frames.filter((frame): frame is Extract<Frame, { type: 'EVENT' }> => frame.type === 'EVENT');
  }

  eventIds(): string[] {
    return this.events().map((frame) => String(frame.headers.eventId));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(what: string, check: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lets pending socket traffic arrive, for asserting that something did NOT happen. */
export const settle = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));
