/** Content addressing with pure-JS hashing (works where crypto.subtle is missing, e.g. plain http on a LAN). */
import * as dagCbor from '@ipld/dag-cbor';
import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';

const SHA2_256 = 0x12;

/** CIDv1 (dag-cbor, sha2-256) of already-encoded bytes. */
export function cidOfBytes(bytes: Uint8Array): CID {
  return CID.createV1(dagCbor.code, Digest.create(SHA2_256, sha256(bytes)));
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** The 4 bytes before the digest in a CIDv1 dag-cbor sha2-256: version 1, codec 0x71, hash 0x12, length 32. */
const CID_PREFIX = [0x01, 0x71, SHA2_256, 32];

/**
 * The text of `cidOfBytes(bytes)` (`b` and base32, as `CID.toString()` gives it), computed directly: a received
 * block is hashed once on arrival, and building the CID object only to print it cost as much as the hash.
 */
export function cidTextOfBytes(bytes: Uint8Array): string {
  const digest = sha256(bytes);
  let out = 'b';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < 36; i++) {
    buffer = (buffer << 8) | (i < 4 ? CID_PREFIX[i]! : digest[i - 4]!);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * dag-cbor encoding as an exact-size plain Uint8Array. In Node the encoder may return a Buffer
 * from a shared pool, whose `slice()` is a view and which would pin the whole pool when stored.
 */
export function encodeCbor(value: unknown): Uint8Array {
  const out = dagCbor.encode(value);
  return out.constructor === Uint8Array && out.byteLength === out.buffer.byteLength ? out : new Uint8Array(out);
}

/** dag-cbor encoding and its CID, together. */
export function encodeWithCid(value: unknown): { bytes: Uint8Array; cid: CID } {
  const bytes = encodeCbor(value);
  return { bytes, cid: cidOfBytes(bytes) };
}

/** sha2-256 of bytes. */
export function sha256Bytes(bytes: Uint8Array): Uint8Array {
  return sha256(bytes);
}
