import { keyCheckValue, opensKeyCheck, sealerFor } from '../../relay/secrets';

const sealer = sealerFor('a master key of at least thirty-two chars');

test('a sealed secret opens with the same key and context, and shows nothing of the plaintext', () => {
  const sealed = sealer.seal('sandbox-app-secret-not-real-0001', 'tenant/dingA/clientSecret');
  expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
  expect(sealed).not.toContain('sandbox');
  expect(sealer.seal('same', 'c')).not.toBe(sealer.seal('same', 'c'));
  expect(sealerFor('a master key of at least thirty-two chars').open(sealed, 'tenant/dingA/clientSecret')).toBe('sandbox-app-secret-not-real-0001');
});

test('another key, another context or a changed byte does not open', () => {
  const sealed = sealer.seal('secret', 'tenant/dingA/clientSecret');
  expect(() => sealerFor('another master key of thirty-two chars').open(sealed, 'tenant/dingA/clientSecret')).toThrow('A stored secret (tenant/dingA/clientSecret) does not open with this master key.');
  expect(() => sealer.open(sealed, 'tenant/dingB/clientSecret')).toThrow('does not open');
  const bytes = Buffer.from(sealed.slice(3), 'base64url');
  bytes[bytes.length - 1]! ^= 1;
  expect(() => sealer.open(`v1.${bytes.toString('base64url')}`, 'tenant/dingA/clientSecret')).toThrow('does not open');
});

test('the key check recognises the master key a database was set up with', () => {
  const check = keyCheckValue(sealer);
  expect(opensKeyCheck(sealer, check)).toBe(true);
  expect(opensKeyCheck(sealerFor('another master key of thirty-two chars'), check)).toBe(false);
});
