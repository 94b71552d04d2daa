/**
 * Runs a test suite against both back ends: a SQLite file, and a real PostgreSQL server started for this test
 * file (postgres-server.ts). Each test gets a fresh, migrated database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openStore, type Store } from '../../relay/store';
import { startTestPostgres, type TestPostgres } from './postgres-server';

export interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  /** A URL for a new, empty database. */
  newDatabaseUrl(): Promise<string>;
}

/** `describe`s `suite` once per back end; `backend()` is valid inside tests. */
export function describeEachBackend(suite: (backend: () => Backend) => void) {
  describe.each(['SQLite', 'PostgreSQL'] as const)('%s', (name) => {
    let postgres: TestPostgres | undefined;
    let dir: string;
    const current: Backend = {
      name,
      async newDatabaseUrl() {
        const database = `relay_${randomUUID().replace(/-/g, '')}`;
        return postgres ? postgres.createDatabase(database) : `sqlite:${join(dir, `${database}.db`)}`;
      },
    };
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'relay-store-'));
      if (name === 'PostgreSQL') postgres = await startTestPostgres();
    }, 120_000);
    afterAll(async () => {
      await postgres?.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    suite(() => current);
  });
}

/** Opens fresh stores and closes them after each test. */
export function storesFor(backend: () => Backend) {
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  return {
    /** A new database, opened once; `again(url)` opens a second connection to it (another process's view). */
    async fresh(): Promise<{ store: Store; url: string }> {
      const url = await backend().newDatabaseUrl();
      const store = await openStore(url);
      opened.push(store);
      return { store, url };
    },
    async again(url: string): Promise<Store> {
      const store = await openStore(url);
      opened.push(store);
      return store;
    },
  };
}
