/**
 * Confidentiality primitives of private documents (pure JS, so they work outside secure contexts):
 * - a document's content is sealed with a per-document content key: XChaCha20-Poly1305 over the dag-cbor
 *   encoding of the fields, with associated data binding it to its document and key epoch;
 * - a content key reaches a reader only wrapped to that reader's identity: an ephemeral X25519 key agreement
 *   with the X25519 form of the reader's Ed25519 key, HKDF-SHA256, then XChaCha20-Poly1305.
 * See docs/privacy.md for the model these serve.
 */
import * as dagCbor from '@ipld/dag-cbor';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DecryptionError } from './errors.js';
import type { Fields } from './values.js';

/** Bytes of a content key. */
export const CONTENT_KEY_BYTES = 32;
/** Bytes of an XChaCha20 nonce (sealed fields and wrapped keys). */
export const NONCE_BYTES = 24;
const X25519_BYTES = 32;
const TAG_BYTES = 16;
/** Bytes of a wrapped content key: ephemeral public key, nonce, sealed key with its tag. */
export const WRAPPED_KEY_BYTES = X25519_BYTES + NONCE_BYTES + CONTENT_KEY_BYTES + TAG_BYTES;

const WRAP_INFO = new TextEncoder().encode('p2pdb private document key wrap v1');
const AAD_PREFIX = 'p2pdb private document v1';

/** Sealed fields: the nonce and the ciphertext (with its tag). */
export interface SealedFields {
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

function random(n: number): Uint8Array {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out); // available in insecure contexts too
  return out;
}

/** A fresh random content key. */
export function newContentKey(): Uint8Array {
  return random(CONTENT_KEY_BYTES);
}

/** What the ciphertext of a document's fields is bound to: its document and the key's epoch. */
function contentAad(doc: string, epoch: number): Uint8Array {
  return new TextEncoder().encode(`${AAD_PREFIX}\n${doc}\n${epoch}`);
}

const OWN_KEY_INFO = 'p2pdb private document owner key v1';

/**
 * Epoch 0's content key of a private document, derived from its owner's Ed25519 secret key and the DocID
 * (HKDF-SHA256): the owner needs no wrapped copy (no key agreement on create) and recovers it from its
 * identity alone. Nobody without that secret key can compute it.
 */
export function ownerContentKey(secretKey: Uint8Array, doc: string): Uint8Array {
  return hkdf(sha256, secretKey, new TextEncoder().encode(doc), new TextEncoder().encode(OWN_KEY_INFO), CONTENT_KEY_BYTES);
}

/** Seals a document's fields with its content key of `epoch`. */
export function sealFields(key: Uint8Array, fields: Fields, doc: string, epoch: number): SealedFields {
  const nonce = random(NONCE_BYTES);
  const ciphertext = xchacha20poly1305(key, nonce, contentAad(doc, epoch)).encrypt(dagCbor.encode(fields));
  return { nonce, ciphertext };
}

/** Opens sealed fields; throws DecryptionError when they were altered, or sealed for another document, epoch or key. */
export function openFields(key: Uint8Array, sealed: SealedFields, doc: string, epoch: number): Fields {
  let plain: Uint8Array;
  try {
    plain = xchacha20poly1305(key, sealed.nonce, contentAad(doc, epoch)).decrypt(sealed.ciphertext);
  } catch {
    throw new DecryptionError(`the sealed content of ${doc} does not open with its key of epoch ${epoch} (altered, or sealed with another key)`);
  }
  const fields = dagCbor.decode(plain) as unknown;
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new DecryptionError(`the sealed content of ${doc} is not a set of fields`);
  return fields as Fields;
}

function kek(shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array): Uint8Array {
  const salt = new Uint8Array(ephemeral.length + recipient.length);
  salt.set(ephemeral, 0);
  salt.set(recipient, ephemeral.length);
  return hkdf(sha256, shared, salt, WRAP_INFO, 32);
}

/** Wraps a content key so only the holder of `recipient`'s Ed25519 secret key can unwrap it. */
export function wrapKey(contentKey: Uint8Array, recipient: Uint8Array): Uint8Array {
  const recipientX = ed25519.utils.toMontgomery(recipient);
  const ephemeralSecret = x25519.utils.randomSecretKey();
  const ephemeral = x25519.getPublicKey(ephemeralSecret);
  const shared = x25519.getSharedSecret(ephemeralSecret, recipientX);
  const nonce = random(NONCE_BYTES);
  const sealed = xchacha20poly1305(kek(shared, ephemeral, recipientX), nonce).encrypt(contentKey);
  const out = new Uint8Array(WRAPPED_KEY_BYTES);
  out.set(ephemeral, 0);
  out.set(nonce, X25519_BYTES);
  out.set(sealed, X25519_BYTES + NONCE_BYTES);
  return out;
}

/** Unwraps a content key with this node's Ed25519 secret key; throws DecryptionError when it was not wrapped for it. */
export function unwrapKey(wrapped: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (wrapped.length !== WRAPPED_KEY_BYTES) throw new DecryptionError(`a wrapped key is ${WRAPPED_KEY_BYTES} bytes, got ${wrapped.length}`);
  const secretX = ed25519.utils.toMontgomerySecret(secretKey);
  const ephemeral = wrapped.subarray(0, X25519_BYTES);
  const nonce = wrapped.subarray(X25519_BYTES, X25519_BYTES + NONCE_BYTES);
  const sealed = wrapped.subarray(X25519_BYTES + NONCE_BYTES);
  try {
    const shared = x25519.getSharedSecret(secretX, ephemeral);
    return xchacha20poly1305(kek(shared, ephemeral, x25519.getPublicKey(secretX)), nonce).decrypt(sealed);
  } catch {
    throw new DecryptionError('a wrapped key does not open with this identity (it was wrapped for another one, or altered)');
  }
}
