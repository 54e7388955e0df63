/** Walking a document's block DAG (pure). */
import type { BlockCid } from '../core/ids.js';
import { compareClock } from '../core/hlc.js';
import type { StoredBlock } from '../store/types.js';

/** The blocks of one document that a peer with `peerHeads` lacks, parents before children. */
export function blocksPeerLacks(blocks: readonly StoredBlock[], peerHeads: readonly BlockCid[]): StoredBlock[] {
  const byCid = new Map(blocks.map((b) => [b.cid, b]));
  const has = new Set<BlockCid>();
  const stack = peerHeads.filter((h) => byCid.has(h));
  while (stack.length) {
    const cid = stack.pop()!;
    if (has.has(cid)) continue;
    has.add(cid);
    for (const p of byCid.get(cid)!.parents) if (byCid.has(p) && !has.has(p)) stack.push(p);
  }
  return sortCausal(blocks.filter((b) => !has.has(b.cid)));
}

/** Sorts blocks so parents come first (clock order; a child's clock is above its parents'). */
export function sortCausal<T extends { cid: BlockCid; clock: readonly [number, number] }>(blocks: T[]): T[] {
  return blocks.sort((a, b) => compareClock(a.clock, b.clock) || (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0));
}
