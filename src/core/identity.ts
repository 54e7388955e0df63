/** Ed25519 identity keys (pure JS: works outside secure contexts). */
import { ed25519 } from '@noble/curves/ed25519.js';

/** A node's signing identity; signing may be async so a native implementation can stand in. */
export interface Identity {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** An identity that signs synchronously (the pure-JS one). */
export interface SyncIdentity extends Identity {
  sign(message: Uint8Array): Uint8Array;
}

/** Checks signatures; may be async so a faster native implementation can stand in. */
export interface SignatureVerifier {
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean | Promise<boolean>;
}

/** A fresh random Ed25519 secret key (32 bytes). */
export function generateSecretKey(): Uint8Array {
  return ed25519.utils.randomSecretKey();
}

/** The identity for a secret key. */
export function identityFromSecretKey(secretKey: Uint8Array): SyncIdentity {
  const publicKey = ed25519.getPublicKey(secretKey);
  return { publicKey, sign: (message) => ed25519.sign(message, secretKey) };
}

/** The pure-JS verifier. */
export const nobleVerifier: SignatureVerifier = {
  verify(signature, message, publicKey) {
    try {
      return ed25519.verify(signature, message, publicKey);
    } catch {
      return false;
    }
  },
};

/** Lower-case hex of bytes (for display and keys). */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
