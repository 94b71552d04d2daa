/**
 * The Store (lib/store.ts) over Zapier's `z.cache`.
 *
 * Everything is stored under the connection's scope (`['auth']`): two Zapier users never share a ledger, and
 * every Zap on the same DingTalk connection does. ⚠ Zapier's published docs we could reach do not state
 * z.cache's TTL ceiling or value-size limit (what is stored, and for how long: lib/cache-keys.ts). A failed or
 * missing read only costs DingTalk calls, never an event.
 */
import type { ZObject } from 'zapier-platform-core';
import type { Store } from '../lib/store';

const SCOPE = ['auth'];

export function zapierStore(z: ZObject): Store {
  return {
    async get<T>(key: string) {
      // core's runtime takes a scope as the second argument (create-cache.js); its .d.ts omits it.
      const get = z.cache.get as (key: string, scope: string[]) => Promise<unknown>;
      const value = await get(key, SCOPE);
      return (value ?? undefined) as T | undefined;
    },
    async set(key, value, ttlSeconds) {
      try {
        await z.cache.set(key, value, ttlSeconds, SCOPE);
      } catch (error) {
        // A lost write costs calls on a later poll, never an event; say so in the logs and carry on.
        z.console.log(`Could not store ${key} in z.cache: ${(error as Error).message}`);
      }
    },
  };
}
