/**
 * The one seam between the relay's queries and its two databases. Queries are written once, in the SQL that
 * SQLite (3.35+) and PostgreSQL (15+) both speak: `?` placeholders, `ON CONFLICT`, `RETURNING`, integer
 * milliseconds for times, TEXT for JSON and sealed secrets. The few words that differ live in `Dialect`.
 */
export type Params = ReadonlyArray<string | number | null>;
export type Row = Record<string, unknown>;

/** A connection, or a transaction on one. */
export interface Sql {
  all<T extends object = Row>(sql: string, params?: Params): Promise<T[]>;
  get<T extends object = Row>(sql: string, params?: Params): Promise<T | undefined>;
  /** Runs a write and says how many rows it changed. */
  run(sql: string, params?: Params): Promise<number>;
}

export interface Dialect {
  name: 'sqlite' | 'postgres';
  /** An auto-incrementing integer primary key. */
  serial: string;
  /** Appended to a claim's inner SELECT so replicas skip rows another one is claiming (Postgres only). */
  skipLocked(table?: string): string;
  /** Serialises migrations across processes inside their transaction (SQLite's BEGIN IMMEDIATE already does). */
  lockMigrations: string | undefined;
}

export interface Db extends Sql {
  dialect: Dialect;
  /** Runs `work` in one transaction: all of it commits, or none of it does. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  /** A human-readable name for logs, without any password. */
  describe: string;
  close(): Promise<void>;
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url);

/** `sqlite:relay-data/relay.db`, `sqlite:///abs/path.db` or a plain file path. */
export function sqlitePathOf(url: string): string {
  return url.replace(/^sqlite:(\/\/(?=\/))?/i, '');
}

/** Opens the database a RELAY_DATABASE_URL names; Postgres is loaded only when asked for. */
export async function openDb(url: string): Promise<Db> {
  if (isPostgresUrl(url)) return (await import('./postgres')).openPostgres(url);
  return (await import('./sqlite')).openSqlite(sqlitePathOf(url));
}
