/**
 * The relay's store: one query layer, two back ends (SQLite by default, Postgres for several processes). Every
 * room of the relay reads and writes through this object, and the same test suite runs against both back ends.
 */
import { openDb, type Db } from './db';
import { migrate } from './migrations';
import { tenantQueries } from './tenants';
import { eventQueries } from './events';
import { leaseQueries } from './leases';
import { errorQueries, nonceQueries, reconcileQueries, settingQueries } from './bookkeeping';
import { subscriptionQueries } from './subscriptions';
import { deliveryQueries } from './deliveries';
import { timerQueries } from './timers';
import { statsQueries } from './stats';
import { chartQueries } from './charts';

export type Store = ReturnType<typeof storeOver>;

function storeOver(db: Db) {
  return {
    db,
    tenants: tenantQueries(db),
    events: eventQueries(db),
    nonces: nonceQueries(db),
    leases: leaseQueries(db),
    reconcileRuns: reconcileQueries(db),
    errors: errorQueries(db),
    settings: settingQueries(db),
    subscriptions: subscriptionQueries(db),
    deliveries: deliveryQueries(db),
    timers: timerQueries(db),
    stats: statsQueries(db),
    charts: chartQueries(db),
    /** True when the database answers a query. */
    async reachable(): Promise<boolean> {
      try {
        return (await db.get('SELECT 1 AS ok')) !== undefined;
      } catch {
        return false;
      }
    },
    close: () => db.close(),
  };
}

/** Opens the database RELAY_DATABASE_URL names and brings its schema up to date. */
export async function openStore(url: string): Promise<Store> {
  const db = await openDb(url);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return storeOver(db);
}

export type { NewEvent, StoredEvent, Via, Recorded } from './events';
export type { TenantRow } from './tenants';
export type { LeaseRow } from './leases';
export type { SubscriptionFilters } from './subscriptions';
