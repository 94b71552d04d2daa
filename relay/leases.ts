/**
 * Which process holds which of each tenant's Stream connections. DingTalk routes every event to one of an app's
 * open connections at random (dingtalk-events.md §3), so each tenant gets two slots; with more than one process
 * alive, the two slots go to different processes, so a dying process leaves every tenant one live connection.
 *
 * Every 5 s each process says it is alive, renews its leases (15 s) and takes free or expired slots. A process
 * that dies stops renewing: its slots expire within 15 s and are taken at the next tick, under 30 s in all. Intake
 * opens a connection on `gained` and closes it on `lost`; a removed tenant's leases vanish with it, so its
 * connections close at every process's next tick.
 */
import type { Logger } from './log';
import type { Store } from './store';

export const SLOTS_PER_TENANT = 2;
export const LEASE_TTL_MS = 15_000;
export const TICK_EVERY_MS = 5_000;

/** expired: not renewed in time (this process paused, or lost the database); tenant-removed; rebalanced: handed
 * to another process; stopped: this process is shutting down. */
export type LostReason = 'expired' | 'tenant-removed' | 'rebalanced' | 'stopped';

export interface LeaseKeeperOptions {
  store: Store;
  log: Logger;
  process: { id: string; host: string; pid: number };
  gained(tenantId: string, slot: number): void;
  lost(tenantId: string, slot: number, reason: LostReason): void;
  now?: () => number;
  ttlMs?: number;
  tickEveryMs?: number;
}

const keyOf = (tenantId: string, slot: number) => `${tenantId}#${slot}`;

export function leaseKeeper({ store, log, process: me, gained, lost, now = Date.now, ttlMs = LEASE_TTL_MS, tickEveryMs = TICK_EVERY_MS }: LeaseKeeperOptions) {
  /** The slots this process holds, as it last knew them. */
  const held = new Map<string, { tenantId: string; slot: number }>();
  let lastRenewedAt = now();
  let timer: NodeJS.Timeout | undefined;

  const drop = (key: string, reason: LostReason) => {
    const lease = held.get(key);
    if (!lease) return;
    held.delete(key);
    log.info('lease.lost', { tenantId: lease.tenantId, slot: lease.slot, reason });
    lost(lease.tenantId, lease.slot, reason);
  };
  const take = (tenantId: string, slot: number) => {
    held.set(keyOf(tenantId, slot), { tenantId, slot });
    log.info('lease.gained', { tenantId, slot });
    gained(tenantId, slot);
  };
  const holdsOtherSlot = (tenantId: string, slot: number) =>
    [...held.values()].some((lease) => lease.tenantId === tenantId && lease.slot !== slot);

  async function tick(): Promise<void> {
    const at = now();
    await store.leases.heartbeat(me, at);
    const renewed = new Set((await store.leases.renew(me.id, at, ttlMs)).map((lease) => keyOf(lease.tenantId, lease.slot)));
    lastRenewedAt = at;
    const tenants = new Set((await store.tenants.list()).map((tenant) => tenant.clientId));
    for (const [key, lease] of [...held]) if (!renewed.has(key)) drop(key, tenants.has(lease.tenantId) ? 'expired' : 'tenant-removed');

    const others = (await store.leases.liveProcesses(at - ttlMs)).filter((process) => process.id !== me.id).length;
    const leases = new Map((await store.leases.all()).map((lease) => [keyOf(lease.tenantId, lease.slot), lease]));
    for (const tenantId of tenants) {
      for (let slot = 0; slot < SLOTS_PER_TENANT; slot++) {
        const key = keyOf(tenantId, slot);
        if (held.has(key)) {
          // Holding both slots while another process is alive: hand one over, so one death never takes both.
          if (others > 0 && slot > 0 && holdsOtherSlot(tenantId, slot) && (await store.leases.release(tenantId, slot, me.id))) drop(key, 'rebalanced');
          continue;
        }
        const lease = leases.get(key);
        if (lease && lease.expiresAt > at) continue;
        if (others > 0 && holdsOtherSlot(tenantId, slot)) continue;
        if (await store.leases.acquire(tenantId, slot, me.id, at, ttlMs)) take(tenantId, slot);
      }
    }
  }

  async function safeTick() {
    try {
      await tick();
    } catch (error) {
      // Without the database nothing can be renewed: once the leases would have expired, others may hold the
      // slots, so close the connections rather than keep two per slot.
      const expired = now() - lastRenewedAt >= ttlMs;
      log.error('lease.tick_failed', { error, retryInMs: tickEveryMs, closingConnections: expired && held.size > 0 });
      if (expired) for (const key of [...held.keys()]) drop(key, 'expired');
    }
  }

  return {
    tick,
    held: () => [...held.values()],
    start() {
      void safeTick();
      timer = setInterval(() => void safeTick(), tickEveryMs);
    },
    /** Stops, hands every slot back at once (no 15 s wait for another process) and says goodbye. */
    async stop(): Promise<void> {
      clearInterval(timer);
      for (const key of [...held.keys()]) drop(key, 'stopped');
      await store.leases.stopped(me.id);
    },
  };
}
