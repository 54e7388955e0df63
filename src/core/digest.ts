/** A cheap, order-independent digest of a set of blocks: count and XOR of their hashes. */
import { CID } from 'multiformats/cid';
import type { BlockCid } from './ids.js';

/** Digest of a collection's block set; equal digests mean (with overwhelming probability) equal sets. */
export interface SetDigest {
  readonly count: number;
  /** 32 bytes: XOR of the sha2-256 digests of every block. */
  readonly xor: Uint8Array;
}

/** The digest of the empty set. */
export function emptyDigest(): SetDigest {
  return { count: 0, xor: new Uint8Array(32) };
}

/** Adds blocks to a digest (returns a new digest). */
export function addToDigest(d: SetDigest, cids: Iterable<BlockCid>): SetDigest {
  const xor = d.xor.slice();
  let count = d.count;
  for (const cid of cids) {
    const h = CID.parse(cid).multihash.digest;
    for (let i = 0; i < 32; i++) xor[i]! ^= h[i]!;
    count++;
  }
  return { count, xor };
}

/** True when two digests are equal. */
export function digestsEqual(a: SetDigest, b: SetDigest): boolean {
  if (a.count !== b.count) return false;
  for (let i = 0; i < 32; i++) if (a.xor[i] !== b.xor[i]) return false;
  return true;
}
