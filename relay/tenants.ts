/**
 * Tenants: the DingTalk internal apps the relay serves, one per Client ID. Adding one checks its input, the
 * allow-list and the credentials themselves (by fetching a DingTalk token, dingtalk/auth.ts) before anything is
 * saved; secrets are sealed (secrets.ts) and never logged. Removing one erases its secrets and tells whoever
 * listens in this process; relays in other processes notice when their leases on its connections vanish.
 */
import { getAccessToken } from '../dingtalk/auth';
import { axiosTransport } from '../dingtalk/axios-transport';
import { allows, type RelayConfig } from './config';
import type { Logger } from './log';
import type { Sealer } from './secrets';
import type { Store } from './store';

export interface TenantInput {
  clientId: string;
  clientSecret: string;
  /** HTTP push only: the console's token (3–32 letters or digits) and aes_key (43 letters or digits). */
  callbackToken?: string;
  callbackAesKey?: string;
}

export interface TenantCredentials {
  clientId: string;
  clientSecret: string;
  callbackToken: string | null;
  callbackAesKey: string | null;
}

export interface TenantSummary {
  clientId: string;
  addedAt: string;
  /** Whether HTTP push (encrypted callback) credentials are stored. */
  httpPush: boolean;
}

/** Bad input: every problem, in sentences, found before anything was sent or saved. */
export class TenantInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'TenantInputError';
  }
}

/** Throws if DingTalk refuses the credentials; the DingTalk client turns its code into a sentence. */
export type CredentialCheck = (clientId: string, clientSecret: string) => Promise<void>;

/** One token request (GetAccessToken is not metered, dingtalk/endpoints.ts). */
export const checkWithDingTalk: CredentialCheck = async (appKey, appSecret) => {
  await getAccessToken(axiosTransport({ appKey, appSecret }), { appKey, appSecret });
};

// The console's rules for HTTP push credentials (dingtalk-events.md §6, KB 0003-configure-stream-push).
const CALLBACK_TOKEN = /^[A-Za-z0-9]{3,32}$/;
const CALLBACK_AES_KEY = /^[A-Za-z0-9]{43}$/;

export function problemsWith(input: TenantInput, config: Pick<RelayConfig, 'allowedClientIds'>): string[] {
  const problems: string[] = [];
  if (!input.clientId) problems.push('--client-id is required: the Client ID (AppKey) of your DingTalk app.');
  else if (!/^[A-Za-z0-9_-]+$/.test(input.clientId)) problems.push(`--client-id "${input.clientId}" is not a DingTalk Client ID (letters, digits, - and _ only).`);
  else if (!allows(config, input.clientId)) problems.push(`Client ID ${input.clientId} is not in RELAY_ALLOWED_CLIENT_IDS; add it there to let this relay serve the app.`);
  if (!input.clientSecret) problems.push('--client-secret is required: the Client Secret (AppSecret) of your DingTalk app.');
  if (Boolean(input.callbackToken) !== Boolean(input.callbackAesKey)) {
    problems.push('HTTP push needs both --callback-token and --callback-aes-key (from the app’s event subscription page); give both or neither.');
  }
  if (input.callbackToken && !CALLBACK_TOKEN.test(input.callbackToken)) problems.push('--callback-token must be 3 to 32 letters or digits, as the DingTalk console sets it.');
  if (input.callbackAesKey && !CALLBACK_AES_KEY.test(input.callbackAesKey)) problems.push('--callback-aes-key must be exactly 43 letters or digits, as the DingTalk console sets it.');
  return problems;
}

const context = (clientId: string, field: keyof TenantCredentials) => `tenant/${clientId}/${field}`;

export interface TenantServiceOptions {
  store: Store;
  sealer: Sealer;
  config: Pick<RelayConfig, 'allowedClientIds'>;
  log: Logger;
  checkCredentials?: CredentialCheck;
  now?: () => number;
}

export function tenantService({ store, sealer, config, log, checkCredentials = checkWithDingTalk, now = Date.now }: TenantServiceOptions) {
  const removedListeners: ((clientId: string) => void)[] = [];
  const seal = (clientId: string, field: keyof TenantCredentials, value: string | undefined) => (value ? sealer.seal(value, context(clientId, field)) : null);
  const open = (clientId: string, field: keyof TenantCredentials, sealed: string | null) => {
    if (sealed === null) return null;
    const value = sealer.open(sealed, context(clientId, field));
    log.redact(value);
    return value;
  };

  return {
    async add(input: TenantInput): Promise<void> {
      for (const secret of [input.clientSecret, input.callbackToken, input.callbackAesKey]) log.redact(secret);
      const problems = problemsWith(input, config);
      if (problems.length) throw new TenantInputError(problems);
      await checkCredentials(input.clientId, input.clientSecret);
      const { clientId } = input;
      await store.tenants.save(
        {
          clientId,
          clientSecret: seal(clientId, 'clientSecret', input.clientSecret)!,
          callbackToken: seal(clientId, 'callbackToken', input.callbackToken),
          callbackAesKey: seal(clientId, 'callbackAesKey', input.callbackAesKey),
        },
        now(),
      );
      log.info('tenant.added', { clientId, httpPush: Boolean(input.callbackToken) });
    },

    async list(): Promise<TenantSummary[]> {
      return (await store.tenants.list()).map((row) => ({ clientId: row.clientId, addedAt: new Date(row.addedAt).toISOString(), httpPush: row.callbackToken !== null }));
    },

    /** Erases the tenant's secrets; false if there was no such tenant. */
    async remove(clientId: string): Promise<boolean> {
      const removed = await store.tenants.remove(clientId, now());
      if (removed) {
        log.info('tenant.removed', { clientId });
        for (const listener of removedListeners) listener(clientId);
      }
      return removed;
    },

    /** Called in this process when a tenant is removed, e.g. by intake to close its connections at once. */
    onRemoved(listener: (clientId: string) => void) {
      removedListeners.push(listener);
    },

    /** The tenant's secrets, opened for intake; undefined if it does not exist or was removed. */
    async credentials(clientId: string): Promise<TenantCredentials | undefined> {
      const row = await store.tenants.get(clientId);
      if (!row || row.clientSecret === null) return undefined;
      return {
        clientId,
        clientSecret: open(clientId, 'clientSecret', row.clientSecret)!,
        callbackToken: open(clientId, 'callbackToken', row.callbackToken),
        callbackAesKey: open(clientId, 'callbackAesKey', row.callbackAesKey),
      };
    },
  };
}

export type TenantService = ReturnType<typeof tenantService>;
