/**
 * One step shared by Stream and HTTP push: a DingTalk payload in, a durable row out. The caller acknowledges only
 * after this resolves (persist, then ack); if it throws, the store failed and the caller asks DingTalk to push the
 * event again (Stream LATER, HTTP 503).
 *
 * - Approval events are normalised (dingtalk/events/normalise.ts) and stored once per tenant and eventId;
 *   a duplicate resolves as `duplicate` and is acknowledged like a new one.
 * - DingTalk's 20001 notice (the organisation's push quota is spent, the event's content withheld) is recorded as an
 *   error, which /status shows; the approvals it hid are recovered by the daily reconcile.
 * - A payload no documented shape fits is recorded as an error and acknowledged: pushing it again cannot fix it.
 */
import { EventShapeError, normaliseEvent, type NormalisedEvent } from '../../dingtalk/events/normalise';
import { toNewEvent } from '../events';
import type { Logger } from '../log';
import type { Store } from '../store';

export type Ingested =
  | { outcome: 'stored' | 'duplicate'; eventId: string }
  | { outcome: 'paused'; eventId: string }
  | { outcome: 'ignored'; eventType: string }
  | { outcome: 'check_url' }
  | { outcome: 'invalid'; problems: string[] };

/** Error sources /status groups by. */
export const PUSH_QUOTA_SOURCE = 'push-quota';
export const SHAPE_SOURCE = 'event-shape';

export const PUSH_QUOTA_ADVICE =
  'DingTalk paused event pushes (20001): the organisation has used its monthly push quota (3,000 on the free edition). ' +
  'Events are withheld until the month ends; the daily reconcile recovers finished approvals, or upgrade the edition, ' +
  'or add subscription rules in the developer console so fewer events are pushed.';

export interface IngestOptions {
  store: Store;
  log: Logger;
  now?: () => number;
}

export function ingester({ store, log, now = Date.now }: IngestOptions) {
  return async function ingest(tenantId: string, payload: unknown): Promise<Ingested> {
    let event: NormalisedEvent;
    try {
      event = normaliseEvent(payload);
    } catch (error) {
      if (!(error instanceof EventShapeError)) throw error;
      await store.errors.record({ tenantId, at: now(), source: SHAPE_SOURCE, message: error.message });
      log.warn('intake.invalid_event', { tenantId, problems: error.problems });
      return { outcome: 'invalid', problems: error.problems };
    }
    switch (event.kind) {
      case 'check_url':
        return { outcome: 'check_url' };
      case 'paused':
        await store.errors.record({ tenantId, at: now(), source: PUSH_QUOTA_SOURCE, message: PUSH_QUOTA_ADVICE });
        log.warn('intake.push_quota_paused', { tenantId, eventId: event.eventId, errCode: event.errCode });
        return { outcome: 'paused', eventId: event.eventId };
      case 'other':
        return { outcome: 'ignored', eventType: event.eventType };
      default: {
        const [recorded] = await store.events.record([toNewEvent(tenantId, event)], now());
        return { outcome: recorded!.stored ? 'stored' : 'duplicate', eventId: event.eventId };
      }
    }
  };
}

export type Ingest = ReturnType<typeof ingester>;
