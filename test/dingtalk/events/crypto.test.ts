/**
 * HTTP push crypto against DingTalk's own published examples, then our own round trips and the failure paths.
 * Each official vector is (token, aes_key, ownerKey, signature, timestamp, nonce, encrypt) → plaintext.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import {
  decrypt,
  encrypt,
  envelopeOf,
  openPush,
  PushCryptoError,
  pushTimestampMs,
  sealPush,
  signature,
  verifySignature,
  type PushCredentials,
} from '../../../dingtalk/events/crypto';
import { officialVectors } from './official-vectors';


const credentials: PushCredentials = { token: 'relayToken1', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', ownerKey: 'dingappkey123' };

const failure = (run: () => unknown): PushCryptoError => {
  try {
    run();
  } catch (error) {
    if (error instanceof PushCryptoError) return error;
    throw error;
  }
  throw new Error('expected a PushCryptoError');
};

describe('DingTalk published vectors', () => {
  test.each(officialVectors)('$source: the signature is sha1 over the sorted four strings', ({ credentials: c, envelope }) => {
    expect(signature(c.token, envelope.timestamp, envelope.nonce, envelope.encrypt)).toBe(envelope.signature);
    expect(verifySignature(c, envelope)).toBe(true);
  });

  test.each(officialVectors)('$source: decrypts to the published plaintext with the owner tail checked', ({ credentials: c, envelope, plaintext }) => {
    expect(openPush(c, envelope)).toBe(plaintext);
  });

  test.each(officialVectors)('$source: another owner key is refused as 900010', ({ credentials: c, envelope }) => {
    expect(failure(() => openPush({ ...c, ownerKey: 'dingSomebodyElse' }, envelope)).problem).toBe('wrong-owner');
  });

  test.each(officialVectors)('$source: a changed token fails the signature', ({ credentials: c, envelope }) => {
    expect(failure(() => openPush({ ...c, token: `${c.token}x` }, envelope)).problem).toBe('bad-signature');
  });

  test('the vectors need the 32-byte padding: at least one pads with more than 16 bytes', () => {
    // Node's built-in PKCS#7 (16-byte block) would throw on these; the sample outputs' pad bytes are what we decrypt.
    const pads = officialVectors.map(({ credentials: c, envelope }) => {
      const key = Buffer.from(`${c.aesKey}=`, 'base64');
      const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
      decipher.setAutoPadding(false);
      const plain = Buffer.concat([decipher.update(Buffer.from(envelope.encrypt, 'base64')), decipher.final()]);
      return plain[plain.length - 1];
    });
    expect(pads.some((pad) => pad !== undefined && pad > 16)).toBe(true);
  });
});

describe('our own encryption', () => {
  test.each(['success', '{"EventType":"check_url"}', '審批 通過 ✓'.repeat(9), 'x'.repeat(12), ''])('round-trips %j', (message) => {
    expect(decrypt(credentials, encrypt(credentials, message))).toBe(message);
  });

  test('every pad length from 1 to 32 round-trips', () => {
    const lengths = Array.from({ length: 32 }, (_, i) => i + 1);
    for (const length of lengths) {
      const message = 'm'.repeat(length);
      expect(decrypt(credentials, encrypt(credentials, message))).toBe(message);
    }
  });

  test('encrypt with a fixed random prefix matches a hand-built ciphertext (layout and 32-byte padding)', () => {
    const random = Buffer.alloc(16, 7);
    const key = Buffer.from(`${credentials.aesKey}=`, 'base64');
    const body = Buffer.from('success');
    const plain = Buffer.concat([random, Buffer.from([0, 0, 0, body.length]), body, Buffer.from(credentials.ownerKey)]);
    const pad = 32 - (plain.length % 32);
    const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    cipher.setAutoPadding(false);
    const expected = Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
    expect(encrypt(credentials, 'success', random)).toBe(expected);
  });

  test('sealPush builds the reply DingTalk checks: signed over our timestamp and nonce, decrypting to success', () => {
    const reply = sealPush(credentials, 'success', 1_700_000_000_000, 'Nonce123');
    expect(reply.timeStamp).toBe('1700000000000');
    expect(reply.nonce).toBe('Nonce123');
    expect(openPush(credentials, { signature: reply.msg_signature, timestamp: reply.timeStamp, nonce: reply.nonce, encrypt: reply.encrypt })).toBe('success');
  });
});

describe('failures say what to check and never leak secrets', () => {
  const sealed = sealPush(credentials, '{"EventType":"bpms_instance_change","secret":"form data"}');
  const envelope = { signature: sealed.msg_signature, timestamp: sealed.timeStamp, nonce: sealed.nonce, encrypt: sealed.encrypt };

  const expectNoSecrets = (error: Error) => {
    for (const secret of [credentials.token, credentials.aesKey, credentials.ownerKey, 'form data']) expect(error.message).not.toContain(secret);
  };

  test('a tampered ciphertext fails the signature before any decryption', () => {
    // Another first character (a random ciphertext starts with "A" one time in 64, which would tamper nothing).
    const tampered = `${envelope.encrypt.startsWith('A') ? 'B' : 'A'}${envelope.encrypt.slice(1)}`;
    const error = failure(() => openPush(credentials, { ...envelope, encrypt: tampered }));
    expect(error.problem).toBe('bad-signature');
    expectNoSecrets(error);
  });

  test('a signature in upper case still verifies; one of the wrong length does not (no throw from timingSafeEqual)', () => {
    expect(verifySignature(credentials, { ...envelope, signature: envelope.signature.toUpperCase() })).toBe(true);
    expect(verifySignature(credentials, { ...envelope, signature: 'abc' })).toBe(false);
  });

  test('a different aes_key is refused with a sentence about the aes_key', () => {
    const error = failure(() => decrypt({ ...credentials, aesKey: 'Z'.repeat(43) }, envelope.encrypt));
    expect(error.problem).toBe('undecryptable');
    expect(error.message).toMatch(/aes_key/);
    expectNoSecrets(error);
  });

  test('a truncated ciphertext is refused', () => {
    expect(failure(() => decrypt(credentials, envelope.encrypt.slice(0, 20))).problem).toBe('undecryptable');
  });

  test('the wrong owner is 900010, naming the Client ID as the owner key', () => {
    const error = failure(() => decrypt({ ...credentials, ownerKey: 'dingother' }, envelope.encrypt));
    expect(error.problem).toBe('wrong-owner');
    expect(error.message).toMatch(/900010.*Client ID/);
    expectNoSecrets(error);
  });

  test('bad credentials are listed all at once, without echoing them', () => {
    const error = failure(() => encrypt({ token: 'x!', aesKey: 'short', ownerKey: ' ' }, 'success'));
    expect(error.problem).toBe('bad-credentials');
    expect(error.message).toMatch(/token.*aes_key.*owner key/s);
    expect(error.message).not.toContain('short');
  });
});

describe('envelopeOf', () => {
  test('reads signature/timestamp, and msg_signature/timeStamp first as the samples do', () => {
    expect(envelopeOf({ signature: 's', timestamp: '1', nonce: 'n' }, { encrypt: 'e' })).toEqual({ signature: 's', timestamp: '1', nonce: 'n', encrypt: 'e' });
    expect(envelopeOf({ msg_signature: 'm', signature: 's', timeStamp: '2', timestamp: '1', nonce: 'n' }, { encrypt: 'e' })).toEqual({ signature: 'm', timestamp: '2', nonce: 'n', encrypt: 'e' });
  });

  test('lists every missing part', () => {
    expect(envelopeOf({}, {})).toEqual({ missing: ['the signature query parameter', 'the timestamp query parameter', 'the nonce query parameter', 'the "encrypt" field of the JSON body'] });
  });
});

describe('pushTimestampMs', () => {
  test('reads the vectors\' seconds (docs FAQ) and milliseconds (Python, Go samples) alike', () => {
    expect(pushTimestampMs('1614767836')).toBe(1614767836000);
    expect(pushTimestampMs('1608001896814')).toBe(1608001896814);
    expect(new Date(pushTimestampMs('1614767836')!).toISOString()).toBe('2021-03-03T10:37:16.000Z');
  });

  test('anything else is not a timestamp', () => {
    for (const bad of ['', '12a', '-5', '1.5', '1'.repeat(17)]) expect(pushTimestampMs(bad)).toBeUndefined();
  });
});
