/**
 * `npm run relay`: the long-running service. Today it serves /health and /status and keeps retention; intake
 * (Stream, HTTP push, reconcile) and delivery attach here as they land. SIGINT/SIGTERM stop it cleanly; a
 * `kill -9` loses nothing acknowledged, because everything acknowledged is already committed.
 */
import { startServer, type RunningServer } from './api/server';
import type { Relay } from './open';
import { startRetention } from './retention';

export interface Serving {
  server: RunningServer;
  stop(): Promise<void>;
}

export async function serve(relay: Relay): Promise<Serving> {
  const { config, store, log } = relay;
  const server = await startServer({ config, store, log });
  const stopRetention = startRetention(store, config.retentionDays, log);
  log.info('relay.started', { url: server.url, database: store.db.describe, tenants: (await store.tenants.list()).length, allowedClientIds: config.allowedClientIds });
  return {
    server,
    async stop() {
      stopRetention();
      await server.close();
      await store.close();
      log.info('relay.stopped');
    },
  };
}
