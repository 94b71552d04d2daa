/**
 * The shared back end: PostgreSQL through `pg`, for a partner running several relay processes on one database.
 * Queries arrive with SQLite-style `?` placeholders (db.ts) and are numbered here. BIGINT columns hold times in
 * milliseconds, well inside JavaScript's safe integers, so they are read as numbers rather than pg's strings.
 */
import { Pool, types, type PoolClient } from 'pg';
import type { Db, Dialect, Params, Sql } from './db';

const dialect: Dialect = { name: 'postgres', serial: 'BIGSERIAL PRIMARY KEY', skipLocked: (table) => (table ? `FOR UPDATE OF ${table} SKIP LOCKED` : 'FOR UPDATE SKIP LOCKED'), lockMigrations: 'SELECT pg_advisory_xact_lock(8790)' };

const INT8_OID = 20;
const readInt8AsNumber = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? Number : types.getTypeParser(oid, format))) as typeof types.getTypeParser,
};

/** `?` → `$1, $2, …`. Our queries never put a `?` inside a string literal. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function statements(client: Pool | PoolClient): Sql {
  const query = async (sql: string, params: Params = []) =>
    client.query({ text: numbered(sql), values: [...params], types: readInt8AsNumber });
  return {
    all: async <T extends object>(sql: string, params?: Params) => (await query(sql, params)).rows as T[],
    get: async <T extends object>(sql: string, params?: Params) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql, params) => (await query(sql, params)).rowCount ?? 0,
  };
}

/** The URL with its password replaced, for logs and errors. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

export function openPostgres(url: string): Db {
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client that loses its server (a restart, a network cut) must not crash the process.
  pool.on('error', () => undefined);
  return {
    dialect,
    describe: `PostgreSQL ${withoutPassword(url)}`,
    ...statements(pool),
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(statements(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection that cannot even roll back is discarded rather than handed to the next caller.
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
