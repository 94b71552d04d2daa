/**
 * Every relay setting in one place: read from the environment, checked, defaulted. Every problem is listed at
 * once, before anything starts. The README's configuration table documents each name here.
 */
import { dirname, join, resolve } from 'node:path';
import { isPostgresUrl, sqlitePathOf } from './store/db';

export interface RelayConfig {
  host: string;
  port: number;
  /** True when the relay listens on this machine only (127.0.0.0/8, ::1, localhost). */
  loopback: boolean;
  databaseUrl: string;
  /** The master key from RELAY_MASTER_KEY, or (loopback only) the file that keeps a generated one. */
  masterKey: { value: string } | { file: string };
  /** `*` (loopback only) or the Client IDs this relay may serve. */
  allowedClientIds: '*' | string[];
  retentionDays: number;
  /** Event pushes a month the organisation's edition allows (free 3,000; Professional 50,000), for /status. */
  pushQuota: number;
  statusToken: string | undefined;
  /** Where DingTalk's API is (the sandbox in tests); read by the DingTalk client itself. */
  dingtalkApiBaseUrl: string | undefined;
}

export type ConfigResult = { ok: true; config: RelayConfig; warnings: string[] } | { ok: false; problems: string[] };

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8790,
  databaseUrl: 'sqlite:relay-data/relay.db',
  retentionDays: 35,
  /** The free edition's event pushes a month since 2025-11-19 (../shared/dingtalk-events.md §2). */
  pushQuota: 3000,
};

/** Events are deduplicated on their stored rows, and DingTalk may redeliver for days: keep them at least 8. */
export const MIN_RETENTION_DAYS = 8;
const MIN_MASTER_KEY_LENGTH = 32;
const MIN_STATUS_TOKEN_LENGTH = 16;
export const MASTER_KEY_FILE = 'master.key';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function integer(raw: string | undefined, fallback: number): number | undefined {
  if (raw === undefined || raw.trim() === '') return fallback;
  return /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
}

/** The folder beside the database, where a generated master key is kept. */
const dataFolder = (databaseUrl: string, cwd: string) => (isPostgresUrl(databaseUrl) ? resolve(cwd, 'relay-data') : dirname(sqlitePathOf(databaseUrl)));

export function readConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): ConfigResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const value = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);

  const host = value('RELAY_HOST') ?? DEFAULTS.host;
  const loopback = isLoopback(host);

  const port = integer(env.RELAY_PORT, DEFAULTS.port);
  if (port === undefined || port > 65535) problems.push(`RELAY_PORT must be a port number from 0 to 65535 (0 picks a free port); it is "${env.RELAY_PORT}".`);

  let databaseUrl = value('RELAY_DATABASE_URL') ?? DEFAULTS.databaseUrl;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl) && !isPostgresUrl(databaseUrl) && !/^sqlite:/i.test(databaseUrl)) {
    problems.push('RELAY_DATABASE_URL must be postgres://… (PostgreSQL) or sqlite:<file> (embedded); other databases are not supported.');
  } else if (!isPostgresUrl(databaseUrl)) {
    // A relative SQLite path is relative to where the relay starts; pin it so every part agrees.
    databaseUrl = `sqlite:${resolve(cwd, sqlitePathOf(databaseUrl))}`;
  }

  let masterKey: RelayConfig['masterKey'] | undefined;
  const key = env.RELAY_MASTER_KEY;
  if (key) {
    if (key.length < MIN_MASTER_KEY_LENGTH) problems.push(`RELAY_MASTER_KEY must be at least ${MIN_MASTER_KEY_LENGTH} characters; generate one with: openssl rand -base64 32`);
    else masterKey = { value: key };
  } else if (loopback) {
    masterKey = { file: join(dataFolder(databaseUrl, cwd), MASTER_KEY_FILE) };
  } else {
    problems.push(`RELAY_MASTER_KEY is required when RELAY_HOST (${host}) is not loopback: it encrypts the DingTalk secrets the relay stores. Generate one with: openssl rand -base64 32, and keep a copy.`);
  }

  let allowedClientIds: RelayConfig['allowedClientIds'] = '*';
  const allowed = value('RELAY_ALLOWED_CLIENT_IDS');
  if (allowed === undefined) {
    if (!loopback) problems.push(`RELAY_ALLOWED_CLIENT_IDS is required when RELAY_HOST (${host}) is not loopback: list the DingTalk Client IDs this relay may serve, comma-separated.`);
  } else if (allowed === '*') {
    if (!loopback) problems.push(`RELAY_ALLOWED_CLIENT_IDS=* is allowed only on loopback: a relay reachable from other machines must list the Client IDs it serves.`);
  } else {
    allowedClientIds = allowed.split(',').map((id) => id.trim()).filter(Boolean);
    const odd = allowedClientIds.filter((id) => !/^[A-Za-z0-9_-]+$/.test(id));
    if (odd.length) problems.push(`RELAY_ALLOWED_CLIENT_IDS holds values that are not DingTalk Client IDs: ${odd.map((id) => `"${id}"`).join(', ')}. Separate Client IDs with commas.`);
  }

  const retentionDays = integer(env.RELAY_RETENTION_DAYS, DEFAULTS.retentionDays);
  if (retentionDays === undefined || retentionDays < MIN_RETENTION_DAYS) {
    problems.push(`RELAY_RETENTION_DAYS must be a whole number of days, at least ${MIN_RETENTION_DAYS} (stored events are how duplicates are recognised); it is "${env.RELAY_RETENTION_DAYS}".`);
  }

  const pushQuota = integer(env.RELAY_PUSH_QUOTA, DEFAULTS.pushQuota);
  if (pushQuota === undefined) problems.push(`RELAY_PUSH_QUOTA must be a whole number of event pushes a month (3000 on the free edition, 50000 on Professional); it is "${env.RELAY_PUSH_QUOTA}".`);

  const statusToken = value('RELAY_STATUS_TOKEN');
  if (statusToken !== undefined && statusToken.length < MIN_STATUS_TOKEN_LENGTH) {
    problems.push(`RELAY_STATUS_TOKEN must be at least ${MIN_STATUS_TOKEN_LENGTH} characters; generate one with: openssl rand -hex 16`);
  }
  if (statusToken === undefined && !loopback) {
    warnings.push('RELAY_STATUS_TOKEN is not set: /status answers only requests from this machine until it is.');
  }

  const dingtalkApiBaseUrl = value('DINGTALK_API_BASE_URL');
  if (dingtalkApiBaseUrl !== undefined && !/^https?:\/\/[^\s/]+/i.test(dingtalkApiBaseUrl)) {
    problems.push(`DINGTALK_API_BASE_URL must be an http(s) URL such as https://api.dingtalk.com; it is "${dingtalkApiBaseUrl}".`);
  }

  if (problems.length || !masterKey || port === undefined || retentionDays === undefined || pushQuota === undefined) return { ok: false, problems };
  return { ok: true, warnings, config: { host, port, loopback, databaseUrl, masterKey, allowedClientIds, retentionDays, pushQuota, statusToken, dingtalkApiBaseUrl } };
}

export const allows = (config: Pick<RelayConfig, 'allowedClientIds'>, clientId: string) =>
  config.allowedClientIds === '*' || config.allowedClientIds.includes(clientId);
