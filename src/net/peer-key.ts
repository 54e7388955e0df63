/** The libp2p peer key (Ed25519): create it, and turn it into bytes and back so a node can persist it. */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { PrivateKey } from '@libp2p/interface';

/** Thrown when stored bytes are not a valid libp2p private key. */
export class InvalidPeerKeyError extends Error {
  static override name = 'InvalidPeerKeyError';
  override name = 'InvalidPeerKeyError';
}

/** Generates a fresh Ed25519 libp2p private key (pure JS: works outside secure contexts). */
export async function createPeerKey(): Promise<PrivateKey> {
  return generateKeyPair('Ed25519');
}

/** Encodes a private key as libp2p protobuf bytes, ready to store. */
export function serializePeerKey(key: PrivateKey): Uint8Array {
  return privateKeyToProtobuf(key);
}

/** Decodes bytes written by `serializePeerKey`; throws InvalidPeerKeyError on anything else. */
export function deserializePeerKey(bytes: Uint8Array): PrivateKey {
  try {
    return privateKeyFromProtobuf(bytes);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InvalidPeerKeyError(`stored peer key is unreadable (${reason}); delete it to get a new PeerID`);
  }
}

/** The PeerID string (base58 `12D3Koo…`) that a private key stands for. */
export function peerIdOfKey(key: PrivateKey): string {
  return peerIdFromPrivateKey(key).toString();
}
