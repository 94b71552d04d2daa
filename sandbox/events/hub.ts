/**
 * DingTalk's event side of the sandbox, wired together: after every change the sandbox makes, find the approval
 * events (observe.ts), meter them against the org's push quota (quota.ts), and push each one over Stream
 * (stream.ts) or, when an HTTP push URL is configured, over encrypted HTTP push (push.ts). An app uses one mode at a
 * time, as in the developer console.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { State } from '../state';
import { Observer } from './observe';
import { httpPlaintext, newEventId, PAUSED_DATA, type SandboxEvent } from './payloads';
import { checkUrl, pushOnce, type HttpPushTarget, type PushOutcome } from './push';
import { FREE_EDITION_PUSHES, PushMeter } from './quota';
import { StreamGateway, type StreamSettings } from './stream';
import type { Tickets } from './tickets';

export interface EventOptions {
  /** Push an un-acked event (Stream) or a failed push (HTTP) again after this long; default 60,000 ms (⚠). */
  redeliverAfterMs?: number;
  /** Slow acks: an ack takes effect this long after it arrives; default 0. */
  ackDelayMs?: number;
  /** Chance (0–1) of one extra copy after an ack; default 0. */
  duplicateRate?: number;
  /** After a SYSTEM disconnect the socket closes this much later; default 10,000 ms (DingTalk's 10 s). */
  disconnectCloseMs?: number;
  /** Pushes a month; default 3,000 (the free edition since 2025-11-19). */
  pushQuota?: number;
  /** SYSTEM ping to every connection this often; default off (⚠ DingTalk's cadence is undocumented). */
  pingIntervalMs?: number;
  /** Push over HTTP to this URL instead of Stream. */
  httpPush?: HttpPushTarget;
  /** How long an HTTP push waits for the reply; default 1,500 ms (http-callback-overview). */
  pushTimeoutMs?: number;
  /** Routing and duplicate dice; default Math.random. */
  random?: () => number;
}

export interface EmittedEvent extends SandboxEvent {
  /** pushed: counted and sent; paused: the quota was spent, so only a 20001 notice went out. */
  status: 'pushed' | 'paused';
}

const LOG_LIMIT = 20_000;

export const checkedRate = (rate: number): number => {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`The duplicate rate is a chance between 0 and 1, not ${rate}`);
  return rate;
};

export class EventHub {
  readonly stream: StreamGateway;
  readonly meter: PushMeter;
  readonly emitted: EmittedEvent[] = [];
  readonly httpLog: ({ eventId: string; attempt: number } & PushOutcome)[] = [];
  httpPush: HttpPushTarget | undefined;
  pushTimeoutMs: number;
  private readonly observer: Observer;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private httpUnsettled = 0;
  private stopped = false;

  constructor(
    private readonly state: State,
    private readonly now: () => number,
    tickets: Tickets,
    options: EventOptions = {},
  ) {
    const settings: StreamSettings = {
      redeliverAfterMs: options.redeliverAfterMs ?? 60_000,
      ackDelayMs: options.ackDelayMs ?? 0,
      duplicateRate: checkedRate(options.duplicateRate ?? 0),
      random: options.random ?? Math.random,
    };
    const disconnectCloseMs = options.disconnectCloseMs ?? 10_000;
    this.stream = new StreamGateway(settings, { now, tickets, corpId: state.org.corpId, appKey: state.app.appKey, disconnectCloseMs });
    this.meter = new PushMeter(options.pushQuota ?? FREE_EDITION_PUSHES);
    this.httpPush = options.httpPush;
    this.pushTimeoutMs = options.pushTimeoutMs ?? 1500;
    this.observer = new Observer(state);
    if (options.pingIntervalMs) this.every(options.pingIntervalMs, () => void this.stream.connections.ping());
  }

  private every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private later(ms: number, run: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.stream.handleUpgrade(request, socket, head);
  }

  /** Called after every change: turns what changed into events and pushes them. */
  observe(): void {
    for (const change of this.observer.changes(this.state, this.now())) this.publish({ ...change, eventId: newEventId() });
  }

  private publish(event: SandboxEvent): void {
    const counted = this.meter.take(this.now());
    if (this.emitted.length >= LOG_LIMIT) this.emitted.shift();
    this.emitted.push({ ...event, status: counted ? 'pushed' : 'paused' });
    if (this.httpPush) {
      if (counted) this.pushHttp(this.httpPush, event, 1);
      else this.track(pushOnce(this.httpPush, this.state.app.appKey, httpPlaintext(event, this.state.org.corpId, PAUSED_DATA), this.now(), this.pushTimeoutMs));
    } else if (counted) this.stream.deliver(event);
    else this.stream.sendOnce(event, 'notice', PAUSED_DATA);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
    return promise;
  }

  /** HTTP push until the receiver answers an encrypted success (⚠ DingTalk's retry schedule is undocumented). */
  private pushHttp(target: HttpPushTarget, event: SandboxEvent, attempt: number): void {
    if (attempt === 1) this.httpUnsettled += 1;
    const plaintext = httpPlaintext(event, this.state.org.corpId);
    void this.track(pushOnce(target, this.state.app.appKey, plaintext, this.now(), this.pushTimeoutMs)).then((outcome) => {
      if (this.httpLog.length >= LOG_LIMIT) this.httpLog.shift();
      this.httpLog.push({ eventId: event.eventId, attempt, ...outcome });
      if (outcome.ok) this.httpUnsettled -= 1;
      else this.later(this.stream.settings.redeliverAfterMs, () => this.pushHttp(target, event, attempt + 1));
    });
  }

  /** The console's URL check against the configured HTTP push target. */
  checkUrl(): Promise<PushOutcome> {
    if (!this.httpPush) return Promise.reject(new Error('No HTTP push URL is configured: pass events.httpPush or call events.useHttpPush first.'));
    return this.track(checkUrl(this.httpPush, this.state.app.appKey, this.now(), this.pushTimeoutMs));
  }

  /** Pushes used this month (a new month starts at zero), and the quota. */
  pushes(): { used: number; quota: number } {
    this.meter.spent(this.now());
    return { used: this.meter.used, quota: this.meter.quota };
  }

  /** Events not yet settled: un-acked on Stream, or not yet answered with success over HTTP. */
  unsettled(): number {
    return this.stream.unacked() + this.httpUnsettled;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.stream.stop();
    await Promise.allSettled([...this.inFlight]);
  }
}
