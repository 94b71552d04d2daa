/**
 * The embedded back end: one SQLite file through Node 22's built-in `node:sqlite`.
 *
 * Durability: WAL with synchronous=FULL, so a commit is on disk (the WAL is fsynced) before the call returns and
 * the relay acknowledges an event only after that. synchronous=NORMAL would be faster but "a transaction committed
 * in WAL mode with synchronous=NORMAL might roll back following a power loss or system crash"
 * (https://www.sqlite.org/pragma.html#pragma_synchronous), which would break "persist, then ack".
 *
 * node:sqlite is synchronous, so the connection lives on its own thread (sqlite-thread.ts): a COMMIT's fsync no
 * longer stops the event loop, and acks for other sockets go out meanwhile. The process has one connection, so
 * every statement and transaction goes through one queue: a transaction that awaits between statements must not
 * let another caller's statement slip into it. Other processes on the same file (the `tenant` CLI beside a running
 * relay) wait on `busy_timeout`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db, Dialect, Params, Sql } from './db';
import { startSqliteThread, type Step } from './sqlite-thread';

const dialect: Dialect = { name: 'sqlite', serial: 'INTEGER PRIMARY KEY AUTOINCREMENT', skipLocked: () => '', lockMigrations: undefined };

/** The Sql interface over one way of running a statement. */
const sqlOver = (run: (step: Step) => Promise<unknown>): Sql => ({
  all: async <T extends object>(sql: string, params?: Params) => (await run({ op: 'all', sql, params })) as T[],
  get: async <T extends object>(sql: string, params?: Params) => (await run({ op: 'get', sql, params })) as T | undefined,
  run: async (sql, params) => (await run({ op: 'run', sql, params })) as number,
});

export async function openSqlite(file: string): Promise<Db> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const thread = await startSqliteThread(file, 'The relay’s embedded database');
  const one = async (step: Step) => (await thread.run([step]))[0];
  try {
    for (const pragma of ['journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON', 'busy_timeout = 5000']) await one({ op: 'exec', sql: `PRAGMA ${pragma}` });
  } catch (error) {
    await thread.close();
    throw error;
  }

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
    ...sqlOver((step) => serial(() => one(step))),
    // Each message to the thread waits for the main thread to come round to its answer, so a transaction sends as
    // few as it can: BEGIN travels with its first statement, and statements issued together (Promise.all) are
    // sent without waiting for each other. IMMEDIATE takes the write lock up front, so two processes never
    // deadlock upgrading a read to a write. COMMIT answers after the fsync.
    transaction: (work) =>
      serial(async () => {
        let begun = false;
        const inTransaction = async (step: Step) => {
          const steps: Step[] = begun ? [] : [{ op: 'exec', sql: 'BEGIN IMMEDIATE' }];
          begun = true;
          steps.push({ ...step, inTransaction: true });
          return (await thread.run(steps)).at(-1);
        };
        try {
          const result = await work(sqlOver(inTransaction));
          if (begun) await one({ op: 'exec', sql: 'COMMIT' });
          return result;
        } catch (error) {
          if (begun) await one({ op: 'rollback' });
          throw error;
        }
      }),
    close: () => serial(() => thread.close()),
  };
}
