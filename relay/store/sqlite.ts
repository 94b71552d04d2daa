/**
 * The embedded back end: one SQLite file through Node 22's built-in `node:sqlite`.
 *
 * Durability: WAL with synchronous=FULL, so a commit is on disk (the WAL is fsynced) before the call returns and
 * the relay acknowledges an event only after that. synchronous=NORMAL would be faster but "a transaction committed
 * in WAL mode with synchronous=NORMAL might roll back following a power loss or system crash"
 * (https://www.sqlite.org/pragma.html#pragma_synchronous), which would break "persist, then ack".
 *
 * node:sqlite is synchronous and a process has one connection, so every statement and transaction goes through
 * one queue: a transaction that awaits between statements must not let another caller's statement slip into it.
 * Other processes on the same file (the `tenant` CLI beside a running relay) wait on `busy_timeout`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { Db, Dialect, Params, Sql } from './db';
import { openSqliteFile } from './node-sqlite';

const dialect: Dialect = { name: 'sqlite', serial: 'INTEGER PRIMARY KEY AUTOINCREMENT', skipLocked: () => '', lockMigrations: undefined };

const args = (params: Params = []) => params as SQLInputValue[];

function statements(db: DatabaseSync): Sql {
  const prepared = new Map<string, StatementSync>();
  const prepare = (sql: string) => {
    let statement = prepared.get(sql);
    if (!statement) prepared.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  return {
    all: async <T extends object>(sql: string, params?: Params) => prepare(sql).all(...args(params)) as T[],
    get: async <T extends object>(sql: string, params?: Params) => prepare(sql).get(...args(params)) as T | undefined,
    run: async (sql, params) => Number(prepare(sql).run(...args(params)).changes),
  };
}

export function openSqlite(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = openSqliteFile(file, 'The relay’s embedded database');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA busy_timeout = 5000');
  const direct = statements(db);

  let queue: Promise<unknown> = Promise.resolve();
  /** Runs `work` after everything queued before it, whether that succeeded or not. */
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  };

  return {
    dialect,
    describe: `SQLite ${file}`,
    all: (sql, params) => serial(() => direct.all(sql, params)),
    get: (sql, params) => serial(() => direct.get(sql, params)),
    run: (sql, params) => serial(() => direct.run(sql, params)),
    // IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading a read to a write.
    transaction: (work) =>
      serial(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(direct);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      }),
    close: () => serial(async () => db.close()),
  };
}
