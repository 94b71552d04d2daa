/**
 * `npm run relay`: the long-running service. It serves /health, /status, the status page (/), HTTP push and the
 * subscription API, delivers the outbox, fires waiting timers, keeps retention and holds leases on the tenants'
 * connection slots; intake (relay/intake: Stream, HTTP push, reconcile) opens and closes Stream connections on the
 * keeper's `gained` and `lost`. Events stored by another process are picked up by the delivery worker's poll.
 * SIGINT/SIGTERM stop it cleanly; a `kill -9` loses nothing acknowledged, because everything acknowledged is
 * already committed.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { startServer, type RunningServer } from './api/server';
import { startIntake, type IntakeOptions } from './intake';
import { subscriptionApi } from './api/subscriptions';
import { statusPage } from './api/status-page';
import { deliveryStatus } from './delivery/status';
import { deliveryWorker } from './delivery/worker';
import { timerWorker } from './timers/worker';
import { leaseKeeper } from './leases';
import type { Relay } from './open';
import { startRetention } from './retention';

export interface Serving {
  server: RunningServer;
  processId: string;
  stop(): Promise<void>;
}

export async function serve(relay: Relay, options: Omit<IntakeOptions, 'processId'> = {}): Promise<Serving> {
  const { config, store, log } = relay;
  const processId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const intake = startIntake(relay, { ...options, processId });
  const keeper = leaseKeeper({ store, log, process: { id: processId, host: hostname(), pid: process.pid }, gained: intake.gained, lost: intake.lost });
  const delivery = deliveryWorker({ store, sealer: relay.sealer, log, processId });
  const timers = timerWorker({ store, log, fired: delivery.wake });
  // /status and the status page read the same sources: intake's connections and push quota, delivery's counts.
  const statusSources = [...intake.statusSources, deliveryStatus(store)];
  const routes = [
    ...intake.routes,
    ...subscriptionApi({ config, store, sealer: relay.sealer, tenants: relay.tenants, log, replayed: delivery.wake }),
    ...statusPage({ config, store, log, statusSources, now: options.now, replayed: delivery.wake }),
  ];
  const server = await startServer({ config, store, log, statusSources, routes, now: options.now });
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
      intake.stop();
      await server.close();
      await store.close();
      log.info('relay.stopped');
    },
  };
}
