/**
 * Intake: DingTalk's approval events in, over Stream (a connection per leased slot, so two per tenant) and HTTP push
 * (a route on the relay's server), each stored once before it is acknowledged; the daily reconcile for the tenants
 * whose first slot this process holds; and what /status shows of it all.
 */
import { axiosTransport } from '../../dingtalk/axios-transport';
import type { Handler } from '../api/server';
import type { StatusSource } from '../api/status';
import { periodStarts } from '../api/status';
import type { LostReason } from '../leases';
import type { Relay } from '../open';
import { httpPushRoute } from './http-push';
import { ingester, PUSH_QUOTA_SOURCE } from './ingest';
import { startReconcile } from './reconcile';
import { StreamConnection, type ConnectionStatus } from './stream-connection';

export interface IntakeOptions {
  processId: string;
  /** Each Stream event's time from arrival to ack (benchmarks). */
  acked?(ms: number, status: 'SUCCESS' | 'LATER'): void;
  now?: () => number;
}

export interface Intake {
  gained(tenantId: string, slot: number): void;
  lost(tenantId: string, slot: number, reason: LostReason): void;
  statusSources: StatusSource[];
  routes: { match: (method: string, path: string) => boolean; handle: Handler }[];
  stop(): void;
}

/** One connection slot in /status: who holds its lease, and, on the holder, the connection's own state. */
export type ConnectionEntry = { heldBy: string; leaseExpiresAt: string } & (ConnectionStatus | { slot: number; state: 'held by another process' });

/** Pushes this app received this month against the edition's quota, and when DingTalk said it was spent. */
export interface PushQuotaEntry {
  used: number;
  quota: number;
  share: number | null;
  pausedAt: string | null;
}

const keyOf = (tenantId: string, slot: number) => `${tenantId}#${slot}`;

export function startIntake(relay: Relay, { processId, acked, now = Date.now }: IntakeOptions): Intake {
  const { store, log, tenants, config } = relay;
  const ingest = ingester({ store, log, now });
  const connections = new Map<string, StreamConnection>();

  const stopReconcile = startReconcile(
    {
      store,
      log,
      holder: processId,
      now,
      credentials: (tenantId) => tenants.credentials(tenantId),
      transport: (credentials, onRequest) => axiosTransport({ appKey: credentials.clientId, appSecret: credentials.clientSecret, onRequest }),
    },
    () => [...connections.keys()].filter((key) => key.endsWith('#0')).map((key) => key.slice(0, -2)),
  );

  const connectionsSource: StatusSource = {
    name: 'connections',
    forTenant: async (clientId): Promise<ConnectionEntry[]> =>
      (await store.leases.all())
        .filter((lease) => lease.tenantId === clientId)
        .map((lease) => {
          const local = lease.holder === processId ? connections.get(keyOf(clientId, lease.slot))?.status() : undefined;
          return { heldBy: lease.holder, leaseExpiresAt: new Date(lease.expiresAt).toISOString(), ...(local ?? { slot: lease.slot, state: 'held by another process' }) };
        }),
  };

  const pushQuotaSource: StatusSource = {
    name: 'pushQuota',
    async forTenant(clientId): Promise<PushQuotaEntry> {
      const { monthStart } = periodStarts(now());
      const [counts, errors] = await Promise.all([store.stats.eventCounts(periodStarts(now()).todayStart, monthStart), store.errors.latest(clientId, 20)]);
      const used = Number(counts.find((row) => row.tenantId === clientId)?.pushedThisMonth ?? 0);
      const paused = errors.find((error) => error.source === PUSH_QUOTA_SOURCE && error.at >= monthStart);
      return {
        // What this app received; DingTalk counts every app of the organisation against one quota (⚠ and whether
        // redeliveries count is unknown), so the real figure can be higher.
        used,
        quota: config.pushQuota,
        share: config.pushQuota > 0 ? Math.round((used / config.pushQuota) * 1000) / 1000 : null,
        pausedAt: paused ? new Date(paused.at).toISOString() : null,
      };
    },
  };

  // A tenant removed in this process closes at once; other processes notice at their next lease tick.
  tenants.onRemoved((clientId) => {
    for (const [key, connection] of connections) {
      if (!key.startsWith(`${clientId}#`)) continue;
      connection.stop();
      connections.delete(key);
    }
  });

  return {
    gained(tenantId, slot) {
      const key = keyOf(tenantId, slot);
      connections.get(key)?.stop();
      const connection = new StreamConnection({
        tenantId,
        slot,
        credentials: () => tenants.credentials(tenantId),
        transport: (credentials) => axiosTransport({ appKey: credentials.clientId, appSecret: credentials.clientSecret }),
        ingest,
        log,
        acked,
      });
      connections.set(key, connection);
      connection.start();
    },
    lost(tenantId, slot) {
      const key = keyOf(tenantId, slot);
      connections.get(key)?.stop();
      connections.delete(key);
    },
    statusSources: [connectionsSource, pushQuotaSource],
    routes: [httpPushRoute({ store, tenants, ingest, log, now })],
    stop() {
      stopReconcile();
      for (const connection of connections.values()) connection.stop();
      connections.clear();
    },
  };
}
