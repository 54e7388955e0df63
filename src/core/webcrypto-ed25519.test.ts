import { afterEach, describe, expect, it, vi } from 'vitest';
import { fastIdentity, fastVerifier, generateSecretKey, identityFromSecretKey, nobleVerifier } from './index.js';

afterEach(() => vi.unstubAllGlobals());

describe('native Ed25519', () => {
  it('signs exactly like the pure-JS identity, and verifies what it signs', async () => {
    const sk = generateSecretKey();
    const fast = await fastIdentity(sk);
    const pure = identityFromSecretKey(sk);
    const msg = new TextEncoder().encode('hello block');
    const sig = await fast.sign(msg);
    expect(sig).toEqual(pure.sign(msg));
    const v = await fastVerifier();
    expect(v).not.toBe(nobleVerifier); // Node 20 has WebCrypto Ed25519
    expect(await v.verify(sig, msg, pure.publicKey)).toBe(true);
    const bad = sig.slice();
    bad[0]! ^= 1;
    expect(await v.verify(bad, msg, pure.publicKey)).toBe(false);
    expect(await v.verify(sig, msg, identityFromSecretKey(generateSecretKey()).publicKey)).toBe(false);
    expect(await v.verify(sig, msg, new Uint8Array(32))).toBe(false);
  });

  it('falls back to pure JS without crypto.subtle (plain http on a LAN)', async () => {
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: (a: Uint8Array) => real.getRandomValues(a) });
    const sk = new Uint8Array(32).fill(7);
    const fast = await fastIdentity(sk);
    expect(fast.sign(new Uint8Array([1]))).toBeInstanceOf(Uint8Array); // synchronous pure-JS signature
    expect(await fastVerifier()).toBe(nobleVerifier);
  });
});
