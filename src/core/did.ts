/** DIDs for signing keys: `did:key:z6Mk…` names an Ed25519 public key (multicodec 0xed, base58btc). Pure. */
import { base58btc } from 'multiformats/bases/base58';
import { InvalidIdentityError } from './errors.js';

const ED25519_PUB = [0xed, 0x01]; // the varint of multicodec 0xed

/** The did:key of an Ed25519 public key. */
export function didKeyOf(publicKey: Uint8Array): string {
  const bytes = new Uint8Array(ED25519_PUB.length + publicKey.length);
  bytes.set(ED25519_PUB, 0);
  bytes.set(publicKey, ED25519_PUB.length);
  return `did:key:${base58btc.encode(bytes)}`;
}

/** The Ed25519 public key a `did:key` names; throws InvalidIdentityError saying what is wrong. */
export function publicKeyOfDid(text: string): Uint8Array {
  const did = text.trim();
  if (!did.startsWith('did:key:')) throw new InvalidIdentityError(`not an identity: expected did:key:z6Mk…, got ${JSON.stringify(did.slice(0, 24))}`);
  const body = did.slice('did:key:'.length);
  if (!body.startsWith('z')) throw new InvalidIdentityError('not an identity: a did:key must be base58btc (start with "z")');
  let bytes: Uint8Array;
  try {
    bytes = base58btc.decode(body);
  } catch {
    throw new InvalidIdentityError('not an identity: the did:key holds characters that are not base58');
  }
  if (bytes[0] !== ED25519_PUB[0] || bytes[1] !== ED25519_PUB[1]) throw new InvalidIdentityError('not an identity: the did:key is not an Ed25519 key (expected z6Mk…)');
  if (bytes.length !== ED25519_PUB.length + 32) throw new InvalidIdentityError(`not an identity: the key is ${bytes.length - ED25519_PUB.length} bytes, expected 32`);
  return bytes.slice(ED25519_PUB.length);
}
