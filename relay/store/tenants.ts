/** Tenants: one DingTalk internal app each. Secrets arrive sealed (relay/secrets.ts) and leave sealed. */
import type { Db } from './db';

export interface TenantRow {
  clientId: string;
  /** Sealed; null once the tenant is removed. */
  clientSecret: string | null;
  callbackToken: string | null;
  callbackAesKey: string | null;
  addedAt: number;
  updatedAt: number;
  removedAt: number | null;
}

export interface SealedTenant {
  clientId: string;
  clientSecret: string;
  callbackToken?: string | null;
  callbackAesKey?: string | null;
}

const columns = `client_id AS "clientId", client_secret AS "clientSecret", callback_token AS "callbackToken",
  callback_aes_key AS "callbackAesKey", added_at AS "addedAt", updated_at AS "updatedAt", removed_at AS "removedAt"`;

export function tenantQueries(db: Db) {
  return {
    /** Adds a tenant, or replaces the secrets of one added before (and brings a removed one back). */
    async save(tenant: SealedTenant, now: number): Promise<void> {
      await db.run(
        `INSERT INTO tenants (client_id, client_secret, callback_token, callback_aes_key, added_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (client_id) DO UPDATE SET client_secret = excluded.client_secret, callback_token = excluded.callback_token,
           callback_aes_key = excluded.callback_aes_key, updated_at = excluded.updated_at, removed_at = NULL`,
        [tenant.clientId, tenant.clientSecret, tenant.callbackToken ?? null, tenant.callbackAesKey ?? null, now, now],
      );
    },

    get: (clientId: string) => db.get<TenantRow>(`SELECT ${columns} FROM tenants WHERE client_id = ? AND removed_at IS NULL`, [clientId]),

    /** Active tenants, by Client ID. */
    list: () => db.all<TenantRow>(`SELECT ${columns} FROM tenants WHERE removed_at IS NULL ORDER BY client_id`),

    /**
     * Erases a tenant's secrets and frees its connection slots and subscriptions in one transaction. A running
     * relay notices at its next lease renewal (leases.ts) and closes the tenant's connections. False if there was
     * no such tenant.
     */
    async remove(clientId: string, now: number): Promise<boolean> {
      return db.transaction(async (tx) => {
        const changed = await tx.run(
          `UPDATE tenants SET client_secret = NULL, callback_token = NULL, callback_aes_key = NULL, removed_at = ?, updated_at = ?
           WHERE client_id = ? AND removed_at IS NULL`,
          [now, now, clientId],
        );
        if (changed === 0) return false;
        await tx.run('DELETE FROM leases WHERE tenant_id = ?', [clientId]);
        await tx.run("UPDATE subscriptions SET status = 'disabled', status_reason = 'tenant removed', updated_at = ? WHERE tenant_id = ? AND status = 'active'", [now, clientId]);
        return true;
      });
    },
  };
}
