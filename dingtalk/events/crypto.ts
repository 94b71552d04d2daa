/**
 * DingTalk's HTTP push (event callback) crypto, as the official samples implement it
 * (open-dingtalk/dingtalk-callback-Crypto @fcdbc1b: DingCallbackCrypto.java, DingCallbackCrypto3.py, DingTalkCrypto.go;
 * docs: https://open.dingtalk.com/document/development/http-callback-overview and configure-stream-push;
 * ../shared/dingtalk-events.md §6, ../shared/dingtalk-api.md §5.2):
 *
 * - signature = hex(sha1(sort([token, timestamp, nonce, encrypt]).join(''))), a plain string sort;
 * - key = base64(aesKey + '='), 32 bytes; AES-256-CBC with IV = key[0..16);
 * - padding is PKCS#7 with a 32-byte block (Java BLOCK_SIZE = 32), so pad bytes run 1–32. Node's own PKCS#7 check
 *   (16-byte block) rejects any pad over 16, about half of all messages, hence setAutoPadding(false) both ways;
 * - plaintext = random(16) ‖ uint32BE(len(msg)) ‖ msg ‖ ownerKey, where ownerKey is the app's Client ID (AppKey) for
 *   console subscriptions, the CorpId for the legacy register_call_back API, the suiteKey for third-party apps.
 *
 * Errors never carry the token, the key or the decrypted text: only what is wrong and what to check.
 * Zapier-free: nothing here imports zapier-platform-core.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BLOCK_SIZE = 32;
const AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9]{3,32}$/;

export interface PushCredentials {
  /** The console's 签名 token: 3–32 letters or digits. */
  token: string;
  /** The console's 加密 aes_key: 43 letters or digits. */
  aesKey: string;
  /** The Client ID (AppKey) for console subscriptions; the CorpId or suiteKey for the legacy and ISV flows. */
  ownerKey: string;
}

export type PushCryptoProblem = 'bad-credentials' | 'bad-signature' | 'undecryptable' | 'wrong-owner';

/** 900010 is DingTalk's "计算解密文字corpid不匹配" (the owner tail does not match); the others are ours. */
export class PushCryptoError extends Error {
  constructor(
    readonly problem: PushCryptoProblem,
    message: string,
  ) {
    super(message);
    this.name = 'PushCryptoError';
  }
}

/** Every problem with the configured credentials at once, without echoing them. */
export function credentialProblems({ token, aesKey, ownerKey }: PushCredentials): string[] {
  const problems: string[] = [];
  if (!TOKEN_PATTERN.test(token)) problems.push('The callback token must be 3 to 32 letters or digits, as the DingTalk console requires.');
  if (!AES_KEY_PATTERN.test(aesKey)) problems.push('The callback aes_key must be exactly 43 letters or digits, as the DingTalk console shows it.');
  if (ownerKey.trim() === '') problems.push('The owner key (the app\'s Client ID) is empty.');
  return problems;
}

function keyOf(credentials: PushCredentials): Buffer {
  const problems = credentialProblems(credentials);
  if (problems.length > 0) throw new PushCryptoError('bad-credentials', problems.join(' '));
  return Buffer.from(`${credentials.aesKey}=`, 'base64');
}

/** hex(sha1(sorted join)): DingCallbackCrypto.java getSignature. */
export function signature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}

/** Constant-time comparison of the expected and the received signature. */
export function verifySignature(credentials: PushCredentials, received: { signature: string; timestamp: string; nonce: string; encrypt: string }): boolean {
  const expected = Buffer.from(signature(credentials.token, received.timestamp, received.nonce, received.encrypt), 'utf8');
  const given = Buffer.from(received.signature.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const pkcs7Pad = (data: Buffer): Buffer => {
  const pad = BLOCK_SIZE - (data.length % BLOCK_SIZE);
  return Buffer.concat([data, Buffer.alloc(pad, pad)]);
};

/** Encrypts a message as DingTalk does; `random` is only injectable so tests can pin the output. */
export function encrypt(credentials: PushCredentials, message: string, random: Buffer = randomBytes(16)): string {
  const key = keyOf(credentials);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = pkcs7Pad(Buffer.concat([random, length, body, Buffer.from(credentials.ownerKey, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** Decrypts and checks the owner tail; throws a PushCryptoError that says what to check, never what was inside. */
export function decrypt(credentials: PushCredentials, encrypted: string): string {
  const key = keyOf(credentials);
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % BLOCK_SIZE !== 0) {
    throw new PushCryptoError('undecryptable', 'The pushed "encrypt" value is not a whole number of 32-byte blocks of base64: it was cut or altered.');
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new PushCryptoError('undecryptable', 'The pushed message could not be decrypted: check the aes_key.');
  }
  const pad = plain[plain.length - 1] ?? 0;
  const wrongKey = 'The pushed message did not decrypt to DingTalk\'s layout: the aes_key does not match the one in the DingTalk console.';
  if (pad < 1 || pad > BLOCK_SIZE || plain.subarray(plain.length - pad).some((byte) => byte !== pad)) throw new PushCryptoError('undecryptable', wrongKey);
  const unpadded = plain.subarray(0, plain.length - pad);
  if (unpadded.length < 20) throw new PushCryptoError('undecryptable', wrongKey);
  const length = unpadded.readUInt32BE(16);
  if (20 + length > unpadded.length) throw new PushCryptoError('undecryptable', wrongKey);
  const owner = unpadded.subarray(20 + length).toString('utf8');
  if (owner !== credentials.ownerKey) {
    throw new PushCryptoError(
      'wrong-owner',
      'The pushed message belongs to another owner (DingTalk 900010): for console subscriptions the owner key is the app\'s Client ID (AppKey).',
    );
  }
  return unpadded.subarray(20, 20 + length).toString('utf8');
}

/** What DingTalk sends: the query's signature, timestamp and nonce, and the body's `encrypt`. */
export interface PushEnvelope {
  signature: string;
  timestamp: string;
  nonce: string;
  encrypt: string;
}

/** Verifies the signature, then decrypts. The freshness and replay checks belong to the receiver (they need state). */
export function openPush(credentials: PushCredentials, envelope: PushEnvelope): string {
  if (!verifySignature(credentials, envelope)) {
    throw new PushCryptoError('bad-signature', 'The push signature does not match: check the callback token, or the request was altered.');
  }
  return decrypt(credentials, envelope.encrypt);
}

/**
 * The push's timestamp in ms, for the receiver's freshness check. DingTalk's unit is inconsistent (the Java sample
 * and the Python vector use ms, the docs' FAQ vector and URL examples seconds: ../shared/dingtalk-events.md §6 ⚠),
 * so 10 digits or fewer are read as seconds. Undefined when it is not a number.
 */
export function pushTimestampMs(timestamp: string): number | undefined {
  if (!/^\d{1,16}$/.test(timestamp)) return undefined;
  const value = Number(timestamp);
  return value < 1e11 ? value * 1000 : value;
}

/**
 * Reads the envelope from a request's query and body. The doc sends `signature`/`timestamp`; the official samples
 * read `msg_signature`/`timeStamp` first (dingtalk-callback-Crypto README), so both are accepted. Returns the
 * missing parts instead when any is absent.
 */
export function envelopeOf(query: Record<string, string | undefined>, body: unknown): PushEnvelope | { missing: string[] } {
  const sig = query.msg_signature ?? query.signature;
  const timestamp = query.timeStamp ?? query.timestamp;
  const nonce = query.nonce;
  const encrypted = typeof body === 'object' && body !== null && 'encrypt' in body && typeof body.encrypt === 'string' ? body.encrypt : undefined;
  const missing = [
    ...(sig ? [] : ['the signature query parameter']),
    ...(timestamp ? [] : ['the timestamp query parameter']),
    ...(nonce ? [] : ['the nonce query parameter']),
    ...(encrypted ? [] : ['the "encrypt" field of the JSON body']),
  ];
  return sig && timestamp && nonce && encrypted ? { signature: sig, timestamp, nonce, encrypt: encrypted } : { missing };
}

/** The reply body DingTalk expects: enc("success"), signed over our own timestamp and nonce. */
export interface PushReply {
  msg_signature: string;
  timeStamp: string;
  nonce: string;
  encrypt: string;
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random nonce of letters and digits, like the samples' (e.g. "WL4PK6yA"). */
export function randomNonce(length = 16): string {
  return Array.from(randomBytes(length), (byte) => NONCE_ALPHABET[byte % NONCE_ALPHABET.length]).join('');
}

/** Encrypts and signs a message, as getEncryptedMap does; the reply to a push is sealPush(credentials, 'success'). */
export function sealPush(credentials: PushCredentials, message: string, now: number = Date.now(), nonce: string = randomNonce()): PushReply {
  const encrypted = encrypt(credentials, message);
  const timeStamp = String(now);
  return { msg_signature: signature(credentials.token, timeStamp, nonce, encrypted), timeStamp, nonce, encrypt: encrypted };
}

/** The plaintext DingTalk sends when the console checks the URL ("验证有效性" / Save). */
export const CHECK_URL_EVENT = 'check_url';
export const SUCCESS_REPLY = 'success';
