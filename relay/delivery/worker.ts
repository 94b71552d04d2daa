/**
 * The delivery worker: claims due rows of the outbox, POSTs each event record to its hook with Standard Webhooks
 * headers, and records the outcome. A claim holds rows for `lockMs`; a process that dies mid-POST leaves them
 * `inflight`, and the next claim once that process is seen dead (its heartbeat a lease old, 15 s) or its lock runs
 * out marks them as redeliveries (the receiver may have them already). That is the only way a hook gets an event
 * twice. Several processes can run it on Postgres (SKIP LOCKED).
 */
import { LEASE_TTL_MS } from '../leases';
import type { Logger } from '../log';
import type { Sealer } from '../secrets';
import type { Store, StoredEvent } from '../store';
import type { DeliveryRow } from '../store/deliveries';
import type { SubscriptionRow } from '../store/subscriptions';
import { decide } from './outcome';
import { pacer } from './pace';
import { hostOf, postHook } from './post';
import { eventRecord } from './record';
import { DELIVERY_TIMEOUT_MS, HOOKS_PER_SECOND, RETRY_SCHEDULE_MS } from './schedule';
import { webhookHeaders } from './signature';
import { openSubscription } from './subscription-secrets';

export interface DeliveryWorkerOptions {
  store: Store;
  sealer: Sealer;
  log: Logger;
  now?: () => number;
  schedule?: readonly number[];
  timeoutMs?: number;
  /** How long a claim holds a row: longer than a POST can take, pacing included. */
  lockMs?: number;
  batch?: number;
  /** How often an idle worker looks for due rows; `wake()` looks at once. */
  pollMs?: number;
  hooksPerSecond?: number;
  /**
   * This process's id in the processes table (its lease keeper's heartbeat). Claims then name it, and claims of a
   * process whose heartbeat is older than `deadAfterMs` are taken over at once rather than after their lock.
   */
  processId?: string;
  deadAfterMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function deliveryWorker({
  store, sealer, log, now = Date.now, schedule = RETRY_SCHEDULE_MS, timeoutMs = DELIVERY_TIMEOUT_MS,
  lockMs = 4 * DELIVERY_TIMEOUT_MS, batch = 50, pollMs = 100, hooksPerSecond = HOOKS_PER_SECOND, processId, deadAfterMs = LEASE_TTL_MS,
}: DeliveryWorkerOptions) {
  const pace = pacer(hooksPerSecond);
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;

  async function deliver(row: DeliveryRow, event: StoredEvent | undefined, subscription: SubscriptionRow | undefined): Promise<void> {
    if (!subscription) return; // removed while claimed: its rows went with it
    const record = event && eventRecord(event, Number(row.redelivery) === 1);
    if (!record) {
      await store.deliveries.dead(row, { error: 'This event has no record to deliver (its kind is not one a subscription can ask for).' }, now());
      return;
    }
    const { targetUrl, signingSecret } = openSubscription(sealer, subscription, log);
    const body = JSON.stringify(record);
    await pace.take(subscription.id);
    const headers = webhookHeaders(signingSecret, `msg_${row.eventId}_${subscription.id}`, body, now());
    const result = await postHook(targetUrl, body, headers, timeoutMs);
    const decision = decide(result, Number(row.attempts), schedule, now());
    const fields = { tenantId: subscription.tenantId, subscriptionId: subscription.id, host: hostOf(targetUrl), eventId: row.eventId, attempt: Number(row.attempts), httpStatus: decision.outcome.httpStatus ?? null };
    switch (decision.action) {
      case 'done':
        await store.deliveries.done(row, decision.outcome, now());
        return;
      case 'remove-subscription':
        await store.subscriptions.remove(subscription.id);
        log.info('subscription.removed', { ...fields, reason: 'The hook answered 410 Gone.' });
        return;
      case 'retry':
        await store.deliveries.retryAt(row, decision.at, decision.outcome, now());
        log.warn('delivery.retrying', { ...fields, error: decision.outcome.error, nextAttemptAt: new Date(decision.at).toISOString() });
        return;
      case 'dead':
        await store.deliveries.dead(row, decision.outcome, now());
        log.error('delivery.dead', { ...fields, error: decision.outcome.error });
    }
  }

  /** Claims one batch and delivers it; says how many rows it claimed. */
  async function runOnce(): Promise<number> {
    const at = now();
    const claimed = await store.deliveries.claimDue(at, batch, lockMs, processId ? { id: processId, deadBefore: at - deadAfterMs } : null);
    if (claimed.length === 0) return 0;
    const [events, subscriptions] = await Promise.all([
      store.events.byIds([...new Set(claimed.map((row) => Number(row.eventId)))]),
      Promise.all([...new Set(claimed.map((row) => row.subscriptionId))].map((id) => store.subscriptions.get(id))),
    ]);
    const eventById = new Map(events.map((event) => [Number(event.id), event]));
    const subscriptionById = new Map(subscriptions.filter((s) => s !== undefined).map((s) => [s.id, s]));
    await Promise.all(
      claimed.map((row) =>
        deliver(row, eventById.get(Number(row.eventId)), subscriptionById.get(row.subscriptionId)).catch((error: unknown) =>
          // The row stays inflight until its lock runs out, then is tried again (marked as a redelivery).
          log.error('delivery.failed', { subscriptionId: row.subscriptionId, eventId: row.eventId, error }),
        ),
      ),
    );
    return claimed.length;
  }

  async function run() {
    while (running) {
      let claimed = 0;
      try {
        claimed = await runOnce();
      } catch (error) {
        log.error('delivery.claim-failed', { error, retryInMs: 1000 });
        await sleep(1000);
      }
      if (claimed < batch && running) {
        await Promise.race([sleep(pollMs), new Promise<void>((resolve) => (wakeUp = resolve))]);
        wakeUp = undefined;
      }
    }
  }

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    /** Looks for due rows now (after an event is stored or a timer fires). */
    wake: () => wakeUp?.(),
    /** Stops claiming and waits for the POSTs under way. */
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
    },
  };
}

export type DeliveryWorker = ReturnType<typeof deliveryWorker>;
