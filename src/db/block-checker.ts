/**
 * Checking received blocks off the calling thread. In a tab, decoding, hashing and the Ed25519 check of a
 * block cost about 0.5 ms of main-thread time (Chromium checks WebCrypto Ed25519 signatures on the calling
 * thread), which bounded catch-up; a worker does them in parallel while the tab commits. What the checker
 * says only lets the engine skip those checks: a block it did not pass is checked again when applied. It also
 * hands back what decoding a passing block gave, so the tab does not decode it again.
 */
import type { CollectionId } from '../core/ids.js';
import type { CollectionDef } from '../core/schema.js';
import type { SignatureVerifier } from '../core/identity.js';
import { verifyBlock, type VerifyContext } from '../core/verify.js';
import { createBlockAsync, type Block } from '../core/block.js';
import { collectionIdOf } from '../core/collection-id.js';
import { deriveDocId } from '../core/doc-id.js';
import { fastIdentity } from '../core/webcrypto-ed25519.js';

/** A block that passed a checker: its CID and the block its bytes decode to (plain data, so a worker can send it). */
export interface CheckedBlock {
  readonly cid: string;
  readonly block: Block;
}

/** Checks block bytes somewhere else (a worker): every check that needs nothing stored. */
export interface BlockChecker {
  /**
   * For each block, in order: its CID and decoded block when it passed (decoding, canonical form, clock drift,
   * collection, signature, schema), or undefined when it did not or could not be checked. Never rejects.
   */
  check(blocks: readonly Uint8Array[], collections: ReadonlyArray<readonly [CollectionId, CollectionDef]>): Promise<Array<CheckedBlock | undefined>>;
  /** Starts the checker ahead of its first check (a worker takes a few hundred ms to load). Optional. */
  warm?(): void;
  /** Stops the checker; later checks answer undefined for every block. */
  close(): void;
}

/** A request to a checker worker. */
export interface CheckRequest {
  readonly id: number;
  readonly blocks: readonly Uint8Array[];
  readonly collections: ReadonlyArray<readonly [CollectionId, CollectionDef]>;
}

/** A checker worker's answer: per block, what passed, or null when it did not. */
export interface CheckResponse {
  readonly id: number;
  readonly passed: ReadonlyArray<CheckedBlock | null>;
}

/** What a checker worker does with one request (pure but for the clock; runs in Node tests too). */
export async function answerCheck(req: CheckRequest, verifier: SignatureVerifier, now: () => number = Date.now): Promise<CheckResponse> {
  const defs = new Map(req.collections);
  const ctx: VerifyContext = { collection: (id) => defs.get(id), verifier, now };
  const passed = await Promise.all(req.blocks.map((bytes) => verifyBlock(bytes, ctx).then((enc): CheckedBlock => ({ cid: enc.cid, block: enc.block }), () => null)));
  return { id: req.id, passed };
}

/**
 * Blocks of a made-up collection, signed by a throwaway identity, that pass every check: a worker checks them
 * once at start so that the first blocks a peer sends do not pay for compiling the check path (a cold worker
 * took 0.47 s for its first 100 blocks).
 */
export async function warmUpRequest(count = 24): Promise<CheckRequest> {
  const def: CollectionDef = { name: 'WarmUp', fields: [{ name: 'n', kind: 'String', list: false, required: false, itemRequired: false }, { name: 'i', kind: 'Int', list: false, required: false, itemRequired: false }] };
  const collection = collectionIdOf(def);
  const identity = await fastIdentity(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const set = { n: `warm-${i}`, i };
    blocks.push((await createBlockAsync({ collection, doc: deriveDocId(collection, set), parents: [], clock: [Date.now(), i], set }, identity)).bytes);
  }
  return { id: -1, blocks, collections: [[collection, def]] };
}

/** A checker that answers in this thread (tests; the same answers a worker gives). */
export function inThreadChecker(verifier: SignatureVerifier): BlockChecker {
  let closed = false;
  let id = 0;
  return {
    async check(blocks, collections) {
      if (closed) return blocks.map(() => undefined);
      const res = await answerCheck({ id: id++, blocks, collections }, verifier);
      return res.passed.map((c) => c ?? undefined);
    },
    close() { closed = true; },
  };
}
