/**
 * Secrets at rest: AES-256-GCM under a key derived from RELAY_MASTER_KEY with HKDF-SHA256 and a purpose label,
 * so the master key itself never encrypts anything and other purposes can get their own keys later.
 * Each value is sealed with a fresh 96-bit IV and bound to where it belongs (the additional authenticated data,
 * e.g. `tenant/dingxxx/clientSecret`): a sealed value copied into another row or column does not open.
 * Sealed form: `v1.` + base64url(IV ‖ tag ‖ ciphertext).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PURPOSE = 'dingtalk-approvals-relay/secrets-at-rest/v1';
const SALT = 'dingtalk-approvals-relay';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealer {
  seal(plaintext: string, context: string): string;
  /** Throws if the value was sealed under another key or for another context, or was altered. */
  open(sealed: string, context: string): string;
}

export function sealerFor(masterKey: string): Sealer {
  const key = Buffer.from(hkdfSync('sha256', masterKey, SALT, PURPOSE, 32));
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
    },
    open(sealed, context) {
      if (!sealed.startsWith('v1.')) throw new Error(`Not a sealed value (${context}).`);
      const bytes = Buffer.from(sealed.slice(3), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES)).setAAD(Buffer.from(context));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new Error(`A stored secret (${context}) does not open with this master key.`);
      }
    },
  };
}

const CHECK_CONTEXT = 'master-key-check';
const CHECK_PLAINTEXT = 'This database was set up with this master key.';

/** A value to keep in the database at first start, to recognise the right master key at every later start. */
export const keyCheckValue = (sealer: Sealer) => sealer.seal(CHECK_PLAINTEXT, CHECK_CONTEXT);

export function opensKeyCheck(sealer: Sealer, stored: string): boolean {
  try {
    return sealer.open(stored, CHECK_CONTEXT) === CHECK_PLAINTEXT;
  } catch {
    return false;
  }
}
