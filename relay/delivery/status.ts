/**
 * The delivery side of /status (and the status page): per tenant, its subscriptions, deliveries sent, queued,
 * retrying and dead, how many may have been received twice, and the last delivery errors.
 */
import type { StatusSource } from '../api/status';
import type { Store } from '../store';

const RECENT = 5;

export interface DeliveryEntry {
  subscriptions: number;
  sent: number;
  queued: number;
  retrying: number;
  dead: number;
  redeliveries: number;
  lastErrors: { at: string; subscriptionId: string; status: string; attempts: number; httpStatus: number | null; error: string | null }[];
}

export function deliveryStatus(store: Store): StatusSource {
  return {
    name: 'deliveries',
    async forTenant(clientId): Promise<DeliveryEntry> {
      const [mine, subscriptions, errors] = await Promise.all([store.deliveries.counts(clientId), store.subscriptions.ofTenant(clientId), store.deliveries.lastErrors(clientId, RECENT)]);
      return {
        subscriptions: subscriptions.filter((s) => s.status === 'active').length,
        sent: Number(mine?.sent ?? 0),
        queued: Number(mine?.queued ?? 0),
        retrying: Number(mine?.retrying ?? 0),
        dead: Number(mine?.dead ?? 0),
        redeliveries: Number(mine?.redeliveries ?? 0),
        lastErrors: errors.map((error) => ({
          at: new Date(Number(error.updatedAt)).toISOString(),
          subscriptionId: error.subscriptionId,
          status: error.status,
          attempts: Number(error.attempts),
          httpStatus: error.lastStatus,
          error: error.lastError,
        })),
      };
    },
  };
}
