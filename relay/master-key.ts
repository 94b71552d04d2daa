/**
 * The master key: from RELAY_MASTER_KEY, or on loopback a key generated once and kept beside the database
 * (mode 0600), with a warning, so one organisation on one machine needs no configuration at all. The database
 * keeps a value sealed with the key, so a different key is recognised at start instead of failing later.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RelayConfig } from './config';
import type { Logger } from './log';
import { keyCheckValue, opensKeyCheck, type Sealer } from './secrets';
import type { Store } from './store';

function readOrCreateKeyFile(file: string, log: Logger): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32).toString('base64');
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
  log.warn('master_key.generated', { file, advice: 'RELAY_MASTER_KEY is not set, so the relay generated a key and keeps it in this file. Back the file up with the database: without it the stored DingTalk secrets cannot be read. Set RELAY_MASTER_KEY before serving beyond this machine.' });
  return key;
}

export function masterKeyOf(config: Pick<RelayConfig, 'masterKey'>, log: Logger): string {
  const key = 'value' in config.masterKey ? config.masterKey.value : readOrCreateKeyFile(config.masterKey.file, log);
  log.redact(key);
  return key;
}

/** Throws a sentence if the database was set up with another master key. */
export async function checkMasterKey(store: Store, sealer: Sealer): Promise<void> {
  const stored = await store.settings.setOnce('master_key_check', keyCheckValue(sealer));
  if (!opensKeyCheck(sealer, stored)) {
    throw new Error('The master key does not match this database: its stored DingTalk secrets were sealed with another key. Set RELAY_MASTER_KEY (or restore relay-data/master.key) to the key the database was set up with.');
  }
}
