/** DIDs for signing keys: `did:key:z6Mk…` names an Ed25519 public key (multicodec 0xed, base58btc). Pure. */
import { base58btc } from 'multiformats/bases/base58';

const ED25519_PUB = [0xed, 0x01]; // the varint of multicodec 0xed

/** The did:key of an Ed25519 public key. */
export function didKeyOf(publicKey: Uint8Array): string {
  const bytes = new Uint8Array(ED25519_PUB.length + publicKey.length);
  bytes.set(ED25519_PUB, 0);
  bytes.set(publicKey, ED25519_PUB.length);
  return `did:key:${base58btc.encode(bytes)}`;
}
