/** What createSandbox() exposes of the event side: fault switches, and a window on what was emitted and delivered. */
import { checkedRate, type EmittedEvent, type EventHub } from './hub';
import type { HttpPushTarget, PushOutcome } from './push';
import type { ConnectionInfo } from './connections';
import type { StreamDelivery } from './stream';

export interface EventFaults {
  /** Stream: sockets die without a close frame (all, or one connection). */
  dropSockets(connectionId?: string): void;
  /** Stream: the next N (default 1) WebSocket handshakes are refused with HTTP 503; 0 stops refusing. */
  refuseConnections(times?: number): void;
  /** Stream: acks take effect only this long after they arrive, so redeliveries can overtake them. */
  setAckDelay(ms: number): void;
  /** Stream: the chance (0–1) that an acked event is pushed once more. */
  setDuplicateRate(rate: number): void;
  /** Stream and HTTP push: how long before an unsettled event is pushed again. */
  setRedeliverAfter(ms: number): void;
  /** Pushes a month; once spent, events go out as 20001 notices only. */
  setPushQuota(n: number): void;
}

export interface SandboxEvents {
  /** Every event the sandbox produced, oldest first. */
  emitted(): EmittedEvent[];
  /** Every Stream frame sent for an event, with its kind (push, redelivery, duplicate, notice). */
  deliveries(): StreamDelivery[];
  /** Every HTTP push attempt and its outcome. */
  httpPushes(): ({ eventId: string; attempt: number } & PushOutcome)[];
  /** Open Stream connections, in the order they opened. */
  connections(): ConnectionInfo[];
  /** Events not yet acked SUCCESS (Stream) or answered with success (HTTP push). */
  unsettled(): number;
  /** Pushes used this month, and the quota. */
  pushes(): { used: number; quota: number };
  /** SYSTEM ping; resolves with each connection's echo (undefined if it did not answer within timeoutMs, default 5 s). */
  ping(connectionId?: string, timeoutMs?: number): Promise<{ connectionId: string; opaque: string; echoed: unknown }[]>;
  /** SYSTEM disconnect, then the socket closes after the configured delay. */
  disconnect(connectionId?: string, reason?: string): void;
  /** Switches the app to HTTP push to this target (undefined: back to Stream), as in the developer console. */
  useHttpPush(target: HttpPushTarget | undefined): void;
  /** The console's URL check against the HTTP push target. */
  checkUrl(): Promise<PushOutcome>;
  /** How long an HTTP push waits for its reply before it counts as failed (default 1,500 ms). */
  setPushTimeout(ms: number): void;
}

export const eventFaults = (hub: EventHub): EventFaults => ({
  dropSockets: (connectionId) => hub.stream.connections.drop(connectionId),
  refuseConnections: (times = 1) => void (hub.stream.connections.refuseHandshakes = times),
  setAckDelay: (ms) => void (hub.stream.settings.ackDelayMs = ms),
  setDuplicateRate: (rate) => void (hub.stream.settings.duplicateRate = checkedRate(rate)),
  setRedeliverAfter: (ms) => void (hub.stream.settings.redeliverAfterMs = ms),
  setPushQuota: (n) => void (hub.meter.quota = n),
});

export const eventsApi = (hub: EventHub): SandboxEvents => ({
  emitted: () => structuredClone(hub.emitted),
  deliveries: () => [...hub.stream.deliveries],
  httpPushes: () => [...hub.httpLog],
  connections: () => hub.stream.connections.list(),
  unsettled: () => hub.unsettled(),
  pushes: () => hub.pushes(),
  ping: (connectionId, timeoutMs) => hub.stream.connections.ping(connectionId, timeoutMs),
  disconnect: (connectionId, reason) => hub.stream.connections.disconnect(connectionId, reason),
  useHttpPush: (target) => void (hub.httpPush = target),
  checkUrl: () => hub.checkUrl(),
  setPushTimeout: (ms) => void (hub.pushTimeoutMs = ms),
});
