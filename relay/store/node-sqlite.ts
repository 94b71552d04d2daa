/**
 * Node 22's built-in SQLite (`node:sqlite`, no native build to break). It is loaded through
 * `process.getBuiltinModule`, only when a file is asked for: that works under jest too (whose resolver does not know
 * the `node:`-only builtin) and keeps processes that never open a file free of the module's ExperimentalWarning.
 * Shared by the relay's store and the sandbox's state file.
 */
import type { DatabaseSync } from 'node:sqlite';

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

/** Opens (or creates) a SQLite file; `purpose` names who needs it in the error on an older Node. */
export function openSqliteFile(file: string, purpose: string): DatabaseSync {
  const sqlite = loadSqlite();
  if (!sqlite) throw new Error(`${purpose} needs Node 22.5 or later with node:sqlite (this is ${process.version}).`);
  return new sqlite.DatabaseSync(file);
}
