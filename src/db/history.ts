/** A document's history as DefraDB's `_commits` shows it: one entry per block, parents first (pure). */
import type { EncodedBlock } from '../core/block.js';
import { didKeyOf } from '../core/did.js';
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import type { DocState } from '../core/merge.js';
import type { Fields } from '../core/values.js';
import { sortCausal } from './dag.js';

/** One block of a document. */
export interface Commit {
  readonly cid: BlockCid;
  readonly docId: DocId;
  readonly collection: CollectionId;
  /** 1 for a creating block, else one more than its highest parent (as DefraDB counts). */
  readonly height: number;
  readonly parents: readonly BlockCid[];
  /** The fields this block set (null for a delete, and for sealed fields this node does not read: see `readable`). */
  readonly set: Fields | null;
  /** False when the block's fields are sealed and this node does not read them (a private document it may not read). */
  readonly readable: boolean;
  readonly deleted: boolean;
  /** The author's identity (did:key of its signing key). */
  readonly author: string;
  /** Hybrid logical clock: wall-clock ms and counter. */
  readonly clock: readonly [number, number];
  /** Fields whose current value this block wrote (the ones it wins). */
  readonly wins: readonly string[];
  /** True when this block is a head of the document (nothing builds on it yet). */
  readonly head: boolean;
}

/** Opens a sealed block's fields: undefined or null when this node does not read them. */
export type SealedOpener = (cid: BlockCid) => Fields | null | undefined;

/**
 * The commits of one document's blocks, parents first; `state` marks which block wins each field. Sealed
 * fields show only as `open` gives them (none without it).
 */
export function commitsOf(blocks: readonly EncodedBlock[], state: DocState | undefined, heads: readonly BlockCid[], open?: SealedOpener): Commit[] {
  const sorted = sortCausal(blocks.map((b) => ({ cid: b.cid, clock: b.block.clock, b })));
  const height = new Map<BlockCid, number>();
  const winners = new Map<BlockCid, string[]>();
  for (const [field, reg] of Object.entries(state?.fields ?? {})) {
    const list = winners.get(reg.cid) ?? [];
    list.push(field);
    winners.set(reg.cid, list);
  }
  const headSet = new Set(heads);
  return sorted.map(({ b }) => {
    const h = 1 + Math.max(0, ...b.block.parents.map((p) => height.get(p) ?? 0));
    height.set(b.cid, h);
    const set = b.block.delete ? null : b.block.sealed ? open?.(b.cid) ?? null : (b.block.set ?? {});
    return {
      cid: b.cid,
      docId: b.block.doc,
      collection: b.block.collection,
      height: h,
      parents: b.block.parents,
      set,
      readable: !b.block.sealed || set !== null,
      deleted: b.block.delete === true,
      author: didKeyOf(b.block.author),
      clock: b.block.clock,
      wins: winners.get(b.cid) ?? [],
      head: headSet.has(b.cid),
    };
  });
}
