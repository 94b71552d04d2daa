/**
 * A small key/value store interface over Zapier's `z.cache`, so the ledger can also run in scripts and
 * benchmarks with an in-memory map.
 *
 * Everything is stored under the connection's scope (`['auth']`): two Zapier users never share a ledger, and
 * every Zap on the same DingTalk connection does. ⚠ Zapier's published docs we could reach do not state
 * z.cache's TTL ceiling or value-size limit. A ledger holds about 62 bytes per approval seen in the last 31 days
 * (about 19 KB for 300 approvals a month; 121 KB for 2,000 a week, per `npm run bench`), and a failed or missing
 * read only costs DingTalk calls, never an event.
 */
import type { ZObject } from 'zapier-platform-core';

export interface Store {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
}

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

/** An in-memory store that, like z.cache, keeps values as JSON (so a caller never shares an object with it). */
export function memoryStore(): Store & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    async get<T>(key: string) {
      const value = data.get(key);
      return value === undefined ? undefined : (JSON.parse(value) as T);
    },
    async set(key, value) {
      data.set(key, JSON.stringify(value));
    },
  };
}
