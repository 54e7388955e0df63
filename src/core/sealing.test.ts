import { describe, expect, it } from 'vitest';
import { didKeyOf, publicKeyOfDid } from './did.js';
import { generateSecretKey, identityFromSecretKey } from './identity.js';
import { CONTENT_KEY_BYTES, WRAPPED_KEY_BYTES, newContentKey, openFields, sealFields, unwrapKey, wrapKey } from './sealing.js';

const doc = 'bae-11111111-2222-4333-8444-555555555555';

describe('sealing fields', () => {
  it('round-trips fields, and the ciphertext shows neither names nor values', () => {
    const key = newContentKey();
    const fields = { name: 'Alice Secret', age: 30, tags: ['x'], meta: { k: 'v' } };
    const sealed = sealFields(key, fields, doc, 0);
    expect(openFields(key, sealed, doc, 0)).toEqual(fields);
    const text = Buffer.from(sealed.ciphertext).toString('latin1');
    for (const s of ['Alice', 'name', 'age', 'tags', 'meta']) expect(text).not.toContain(s);
    // Sealing the same fields twice gives different bytes (fresh nonce).
    expect(Buffer.from(sealFields(key, fields, doc, 0).ciphertext).equals(Buffer.from(sealed.ciphertext))).toBe(false);
  });

  it('refuses altered ciphertext, another key, another document or another epoch with DecryptionError', () => {
    const key = newContentKey();
    const sealed = sealFields(key, { name: 'x' }, doc, 2);
    const altered = { ...sealed, ciphertext: sealed.ciphertext.slice() };
    altered.ciphertext[0]! ^= 1;
    const attempts = [
      () => openFields(key, altered, doc, 2),
      () => openFields(newContentKey(), sealed, doc, 2),
      () => openFields(key, sealed, 'bae-99999999-2222-4333-8444-555555555555', 2),
      () => openFields(key, sealed, doc, 3),
    ];
    for (const a of attempts) {
      try {
        a();
        throw new Error('opened');
      } catch (err) {
        expect((err as Error).name).toBe('DecryptionError');
      }
    }
  });
});

describe('wrapping content keys to identities', () => {
  it('only the recipient unwraps (X25519 from its Ed25519 key); altered or foreign wraps fail', () => {
    const reader = generateSecretKey();
    const other = generateSecretKey();
    const key = newContentKey();
    expect(key).toHaveLength(CONTENT_KEY_BYTES);
    const wrapped = wrapKey(key, identityFromSecretKey(reader).publicKey);
    expect(wrapped).toHaveLength(WRAPPED_KEY_BYTES);
    expect(unwrapKey(wrapped, reader)).toEqual(key);
    expect(() => unwrapKey(wrapped, other)).toThrow(/does not open with this identity/);
    const altered = wrapped.slice();
    altered[WRAPPED_KEY_BYTES - 1]! ^= 0x80;
    expect(() => unwrapKey(altered, reader)).toThrow(/does not open/);
    expect(() => unwrapKey(wrapped.slice(1), reader)).toThrow(/is 104 bytes, got 103/);
    // Two wraps of one key for one reader differ (ephemeral keys), and both open.
    const again = wrapKey(key, identityFromSecretKey(reader).publicKey);
    expect(Buffer.from(again).equals(Buffer.from(wrapped))).toBe(false);
    expect(unwrapKey(again, reader)).toEqual(key);
  });
});

describe('identities as DIDs', () => {
  it('round-trips a did:key and names what is wrong with a bad one', () => {
    const pub = identityFromSecretKey(generateSecretKey()).publicKey;
    const did = didKeyOf(pub);
    expect(did).toMatch(/^did:key:z6Mk/);
    expect(publicKeyOfDid(` ${did} `)).toEqual(pub);
    const cases: Array<[string, RegExp]> = [
      ['12D3KooWxyz', /expected did:key:z6Mk/],
      ['did:key:f00', /must be base58btc/],
      ['did:key:z0OIl', /not base58/],
      [`did:key:z${did.slice(10, 20)}`, /not an Ed25519 key|bytes, expected 32/],
      [didKeyOf(pub.slice(0, 31)), /the key is 31 bytes, expected 32/],
    ];
    for (const [text, message] of cases) {
      try {
        publicKeyOfDid(text);
        throw new Error(`accepted ${text}`);
      } catch (err) {
        expect((err as Error).name, text).toBe('InvalidIdentityError');
        expect((err as Error).message, text).toMatch(message);
      }
    }
  });
});
