/**
 * A small key/value store interface, so the ledger and the lookups run the same inside Zapier (z.cache, see
 * zapier/store.ts), in the relay, in scripts and in benchmarks (the in-memory store below).
 */
export interface Store {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
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
