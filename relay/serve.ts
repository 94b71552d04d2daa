/**
 * `npm run relay`: the long-running service. It serves /health, /status and the subscription API, delivers the
 * outbox, fires waiting timers, keeps retention and holds leases on the tenants' connection slots; intake
 * (Stream, HTTP push, reconcile) opens and closes connections on the keeper's `gained` and `lost`. Events stored
 * by another process are picked up by the delivery worker's poll. SIGINT/SIGTERM stop it cleanly; a `kill -9` loses nothing acknowledged, because everything acknowledged is already committed.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { startServer, type RunningServer } from './api/server';
import { subscriptionApi } from './api/subscriptions';
import { deliveryStatus } from './delivery/status';
import { deliveryWorker } from './delivery/worker';
import { timerWorker } from './timers/worker';
import type { StatusSource } from './api/status';
import { leaseKeeper } from './leases';
import type { Relay } from './open';
import { startRetention } from './retention';
import type { Store } from './store';

export interface Serving {
  server: RunningServer;
  processId: string;
  stop(): Promise<void>;
}

/** Until intake reports real connection states: which process holds each slot, and until when. */
const leasedSlots = (store: Store): StatusSource => ({
  name: 'connections',
  forTenant: async (clientId) =>
    (await store.leases.all())
      .filter((lease) => lease.tenantId === clientId)
      .map((lease) => ({ slot: lease.slot, state: 'leased', heldBy: lease.holder, leaseExpiresAt: new Date(lease.expiresAt).toISOString() })),
});

export async function serve(relay: Relay): Promise<Serving> {
  const { config, store, log } = relay;
  const processId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const keeper = leaseKeeper({ store, log, process: { id: processId, host: hostname(), pid: process.pid }, gained: () => undefined, lost: () => undefined });
  const delivery = deliveryWorker({ store, sealer: relay.sealer, log });
  const timers = timerWorker({ store, log, fired: delivery.wake });
  const routes = subscriptionApi({ config, store, sealer: relay.sealer, tenants: relay.tenants, log, replayed: delivery.wake });
  const server = await startServer({ config, store, log, statusSources: [leasedSlots(store), deliveryStatus(store)], routes });
  const stopRetention = startRetention(store, config.retentionDays, log);
  keeper.start();
  delivery.start();
  timers.start();
  log.info('relay.started', { url: server.url, processId, database: store.db.describe, tenants: (await store.tenants.list()).length, allowedClientIds: config.allowedClientIds });
  return {
    server,
    processId,
    async stop() {
      stopRetention();
      await timers.stop();
      await delivery.stop();
      await keeper.stop();
      await server.close();
      await store.close();
      log.info('relay.stopped');
    },
  };
}
