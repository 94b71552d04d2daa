/**
 * Keeps the state in a SQLite file with Node 22's built-in `node:sqlite` (no dependency), loaded only when a file
 * is asked for (relay/store/node-sqlite.ts).
 *
 * One table of JSON rows (stateRows); after each change only the rows whose JSON changed are written, in one
 * transaction, so the file always holds a consistent state.
 */
import { openSqliteFile } from '../relay/store/node-sqlite';
import { stateFromRows, stateRows, type State } from './state';

export interface StateStore {
  load(): State | undefined;
  save(state: State): void;
  close(): void;
}

export function sqliteStore(file: string): StateStore {
  const db = openSqliteFile(file, 'Keeping sandbox state in a file');
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
