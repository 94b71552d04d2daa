/**
 * What every relay command needs: the checked configuration, the log, the store with its schema up to date,
 * the master key proven against the database, and the tenants.
 */
import { readConfig, type RelayConfig } from './config';
import { createLogger, type Logger } from './log';
import { checkMasterKey, masterKeyOf } from './master-key';
import { sealerFor, type Sealer } from './secrets';
import { openStore, type Store } from './store';
import { tenantService, type CredentialCheck, type TenantService } from './tenants';

export interface Relay {
  config: RelayConfig;
  log: Logger;
  store: Store;
  tenants: TenantService;
  /** Seals and opens secrets at rest (subscriptions' target URLs and signing secrets, too). */
  sealer: Sealer;
}

/** Bad configuration: every problem at once. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`The relay cannot start:\n${problems.map((problem) => `- ${problem}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

export interface OpenOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  log?: Logger;
  checkCredentials?: CredentialCheck;
}

export async function openRelay({ env = process.env, cwd, log = createLogger(), checkCredentials }: OpenOptions = {}): Promise<Relay> {
  const result = readConfig(env, cwd);
  if (!result.ok) throw new ConfigurationError(result.problems);
  const { config } = result;
  for (const warning of result.warnings) log.warn('config.warning', { advice: warning });
  const sealer = sealerFor(masterKeyOf(config, log));
  const store = await openStore(config.databaseUrl);
  try {
    await checkMasterKey(store, sealer);
  } catch (error) {
    await store.close();
    throw error;
  }
  return { config, log, store, sealer, tenants: tenantService({ store, sealer, config, log, checkCredentials }) };
}
