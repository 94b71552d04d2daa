/**
 * Keeps the state in a SQLite file with Node 22's built-in `node:sqlite` (no dependency). It is loaded through
 * `process.getBuiltinModule`, only when a file is asked for: that works under jest too (whose resolver does not know
 * the `node:`-only builtin) and keeps the in-memory sandbox free of the module's ExperimentalWarning.
 *
 * One table of JSON rows (stateRows); after each change only the rows whose JSON changed are written, in one
 * transaction, so the file always holds a consistent state.
 */
import type { DatabaseSync } from 'node:sqlite';
import { stateFromRows, stateRows, type State } from './state';

export interface StateStore {
  load(): State | undefined;
  save(state: State): void;
  close(): void;
}

/**
 * Loads node:sqlite without its one-time "SQLite is an experimental feature" notice (Node 22 prints it on first
 * load); the choice is deliberate and documented, and any other warning still goes through.
 */
function loadSqlite() {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning instanceof Error ? warning.message : warning).startsWith('SQLite is an experimental feature')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule?.('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
}

function openDatabase(file: string): DatabaseSync {
  const sqlite = loadSqlite();
  if (!sqlite) throw new Error(`Keeping sandbox state in a file needs Node 22.5 or later with node:sqlite (this is ${process.version}).`);
  return new sqlite.DatabaseSync(file);
}

export function sqliteStore(file: string): StateStore {
  const db = openDatabase(file);
  db.exec('CREATE TABLE IF NOT EXISTS sandbox_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT');
  const upsert = db.prepare('INSERT INTO sandbox_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const remove = db.prepare('DELETE FROM sandbox_state WHERE key = ?');
  /** What the file holds, so a save writes only the difference. */
  let saved = new Map<string, string>();

  return {
    load() {
      const rows = db.prepare('SELECT key, value FROM sandbox_state').all();
      saved = new Map(rows.map((row) => [String(row.key), String(row.value)]));
      return stateFromRows(saved);
    },
    save(state) {
      const rows = stateRows(state);
      const changed = [...rows].filter(([key, value]) => saved.get(key) !== value);
      const gone = [...saved.keys()].filter((key) => !rows.has(key));
      if (changed.length === 0 && gone.length === 0) return;
      db.exec('BEGIN');
      try {
        for (const [key, value] of changed) upsert.run(key, value);
        for (const key of gone) remove.run(key);
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
      saved = rows;
    },
    close() {
      db.close();
    },
  };
}
