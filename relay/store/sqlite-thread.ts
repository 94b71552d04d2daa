/**
 * One node:sqlite connection on its own worker thread. node:sqlite is synchronous, so on the main thread every
 * durable COMMIT (an fsync of the WAL) stops the event loop: frames from every socket wait, and so do the acks of
 * events already committed. `npm run bench:relay` measured COMMIT at 3.7 ms typical but 20–46 ms at p99 on this
 * 2-core machine under the other work on it, which put the ack p99 over 50 ms. Here the main thread only posts
 * statements and awaits their results; the thread runs them in the order they arrive, on its one connection, so
 * the caller (sqlite.ts) still decides what is one transaction. A COMMIT's result arrives after the fsync: the
 * relay still acknowledges only what is on disk.
 *
 * The thread's code is a self-contained function sent as source (`eval`), so it runs the same under jest, the
 * crash tests' ts-register and the built JavaScript, with no separate file to ship.
 */
import { Worker } from 'node:worker_threads';
import type { Params } from './db';
import { loadSqlite, requireSqlite } from './node-sqlite';

type Op = 'all' | 'get' | 'run' | 'exec' | 'rollback' | 'close';

/** One statement. `inTransaction`: refuse to run it outside one (its BEGIN failed), rather than autocommit it. */
export interface Step {
  op: Op;
  sql?: string;
  params?: Params;
  inTransaction?: boolean;
}

interface Reply {
  id: number;
  ok: boolean;
  /** The result of each step, in order. */
  values?: unknown[];
  error?: { message: string; code?: string; errcode?: number; errstr?: string };
  /** The step that failed; those before it ran. */
  failedAt?: number;
}

/** Runs on the worker thread. Only what it is given and `require` are in scope there. */
function threadMain(load: typeof loadSqlite): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const sqlite = load()!;
  const send = (reply: Reply) => parentPort!.postMessage(reply);
  const failure = (id: number, error: unknown, failedAt = 0): Reply => {
    const { message, code, errcode, errstr } = error as Error & { code?: string; errcode?: number; errstr?: string };
    return { id, ok: false, error: { message: String(message), code, errcode, errstr }, failedAt };
  };
  let db: import('node:sqlite').DatabaseSync;
  try {
    db = new sqlite.DatabaseSync((workerData as { file: string }).file);
  } catch (error) {
    send(failure(0, error));
    return;
  }
  const prepared = new Map<string, import('node:sqlite').StatementSync>();
  const prepare = (sql: string) => {
    let statement = prepared.get(sql);
    if (!statement) prepared.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  const run = ({ op, sql = '', params = [], inTransaction }: Step): unknown => {
    // isTransaction exists from Node 22.16; the project pins a later 22.
    if (inTransaction && (db as { isTransaction?: boolean }).isTransaction === false) throw new Error('The transaction this statement belongs to is not open.');
    const args = params as import('node:sqlite').SQLInputValue[];
    if (op === 'exec') return void db.exec(sql);
    // After a failed BEGIN or COMMIT there may be nothing to roll back.
    if (op === 'rollback') return void ((db as { isTransaction?: boolean }).isTransaction !== false && db.exec('ROLLBACK'));
    if (op === 'close') return void db.close();
    if (op === 'run') return Number(prepare(sql).run(...args).changes);
    return prepare(sql)[op](...args);
  };
  send({ id: 0, ok: true });
  parentPort!.on('message', ({ id, steps }: { id: number; steps: Step[] }) => {
    const values: unknown[] = [];
    try {
      for (const step of steps) values.push(run(step));
      send({ id, ok: true, values });
    } catch (error) {
      send(failure(id, error, values.length));
    }
  });
}

export class SqliteStepError extends Error {
  constructor(message: string, readonly failedAt: number, readonly code?: string, readonly errcode?: number, readonly errstr?: string) {
    super(message);
  }
}

export interface SqliteThread {
  /** Runs the steps in order, in one message; stops at the first that fails (SqliteStepError says which). */
  run(steps: Step[]): Promise<unknown[]>;
  close(): Promise<void>;
}

/** Starts the thread and opens `file` on it; rejects if the file cannot be opened. */
export function startSqliteThread(file: string, purpose: string): Promise<SqliteThread> {
  requireSqlite(purpose); // on an older Node, say so here rather than from the thread
  const worker = new Worker(`(${threadMain.toString()})(${loadSqlite.toString()})`, { eval: true, workerData: { file } });
  const pending = new Map<number, { resolve(values: unknown[]): void; reject(error: unknown): void }>();
  let nextId = 1;
  let broken: Error | undefined;

  const toError = ({ error, failedAt }: Reply) => new SqliteStepError(error!.message, failedAt ?? 0, error!.code, error!.errcode, error!.errstr);
  // The thread holds the process open only while a call waits on it, as a synchronous connection would.
  const settled = () => {
    if (pending.size === 0) worker.unref();
  };
  const failAll = (error: Error) => {
    broken ??= error;
    for (const { reject } of pending.values()) reject(broken);
    pending.clear();
    settled();
  };

  const run = (steps: Step[]) =>
    new Promise<unknown[]>((resolve, reject) => {
      if (broken) return reject(broken);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, steps });
    });

  return new Promise((resolveOpen, rejectOpen) => {
    worker.on('message', (reply: Reply) => {
      if (reply.id === 0) {
        if (reply.ok) resolveOpen({ run, close: async () => void (await run([{ op: 'close' }]), await worker.terminate()) });
        else {
          rejectOpen(new Error(`${purpose} could not be opened: ${reply.error!.message}`));
          void worker.terminate();
        }
        return;
      }
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.ok) waiting?.resolve(reply.values!);
      else waiting?.reject(toError(reply));
      settled();
    });
    worker.on('error', (error) => {
      rejectOpen(error);
      failAll(error);
    });
    worker.on('exit', () => failAll(new Error(`${purpose} is closed.`)));
  });
}
