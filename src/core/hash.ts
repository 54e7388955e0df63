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
