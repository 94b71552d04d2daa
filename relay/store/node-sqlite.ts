/**
 * Node 22's built-in SQLite (`node:sqlite`, no native build to break). It is loaded through
 * `process.getBuiltinModule`, only when a file is asked for: that works under jest too (whose resolver does not know
 * the `node:`-only builtin) and keeps processes that never open a file free of the module's ExperimentalWarning.
 * Shared by the relay's store and the sandbox's state file.
 */
import type { DatabaseSync } from 'node:sqlite';

/**
 * Loads node:sqlite without its one-time "SQLite is an experimental feature" notice (Node 22 prints it on first
 * load); the choice is deliberate and documented, and any other warning still goes through. Self-contained: the
 * relay's SQLite thread (relay/store/sqlite-thread.ts) runs it from source.
 */
export function loadSqlite() {
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

/** node:sqlite, or an error that names who needs it (`purpose`) on an older Node. */
export function requireSqlite(purpose: string) {
  const sqlite = loadSqlite();
  if (!sqlite) throw new Error(`${purpose} needs Node 22.5 or later with node:sqlite (this is ${process.version}).`);
  return sqlite;
}

/** Opens (or creates) a SQLite file on this thread. */
export function openSqliteFile(file: string, purpose: string): DatabaseSync {
  return new (requireSqlite(purpose).DatabaseSync)(file);
}
