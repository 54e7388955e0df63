import './setup.js';
import { describe, expect, it } from 'vitest';
import { createPeerKey, deserializePeerKey, peerIdOfKey, serializePeerKey } from '../../src/net/peer-key.js';

describe('peer key', () => {
  it('round-trips through bytes with the same PeerID', async () => {
    const key = await createPeerKey();
    const bytes = serializePeerKey(key);
    const back = deserializePeerKey(bytes);
    expect(key.type).toBe('Ed25519');
    expect(peerIdOfKey(back)).toBe(peerIdOfKey(key));
    expect(back.equals(key)).toBe(true);
    expect(peerIdOfKey(key)).toMatch(/^12D3KooW/);
  });

  it('gives a different PeerID to each new key', async () => {
    const [a, b] = await Promise.all([createPeerKey(), createPeerKey()]);
    expect(peerIdOfKey(a)).not.toBe(peerIdOfKey(b));
  });

  it('rejects bytes that are not a key with InvalidPeerKeyError', async () => {
    const bytes = serializePeerKey(await createPeerKey());
    for (const bad of [new Uint8Array([1, 2, 3]), new Uint8Array(0), bytes.subarray(0, bytes.length - 5)]) {
      let name = '';
      try {
        deserializePeerKey(bad);
      } catch (err) {
        name = (err as Error).name;
      }
      expect(name).toBe('InvalidPeerKeyError');
    }
  });
});
