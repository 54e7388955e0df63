/**
 * Applying foreign blocks: verify (structure, CID, clock drift, signature, schema), then apply in causal
 * order in one transaction. Blocks whose parents are absent wait, and the absent parents are reported.
 */
import { groupBy } from '../core/group-by.js';
import type { BlockCid, CollectionId, DocId, Origin } from '../core/ids.js';
import type { HybridClock } from '../core/hlc.js';
import { compareClock } from '../core/hlc.js';
import type { EncodedBlock } from '../core/block.js';
import { compareBlocks, isPrivateBlock } from '../core/block.js';
import { verifyBlock, verifyDecoded, shortCid, type VerifyContext } from '../core/verify.js';
import { EMPTY_STATE, applyBlock, type DocState } from '../core/merge.js';
import { DbError, InvalidBlockError } from '../core/errors.js';
import type { DocRecord, StoredBlock } from '../store/types.js';
import { toStored, type PackHint, type Records } from './records.js';
import type { PrivateDocs } from './private-docs.js';
import type { OverwrittenEvent } from './database.js';
import { didKeyOf } from '../core/did.js';
import { mapInSlices } from './slices.js';

/** A block as received: bytes, and the CID it was announced under when known. */
export interface IncomingBlock {
  readonly bytes: Uint8Array;
  readonly cid?: string;
}

/** A block that passed `verifyBlocks` (CID, signature, clock, collection, schema). */
export type VerifiedBlock = EncodedBlock & { readonly __verified: true };

/** A block that was refused, and why. */
export interface RejectedBlock {
  readonly cid?: string;
  readonly error: Error;
}

/** What applying a batch of foreign blocks did. */
export interface ApplyResult {
  readonly applied: readonly BlockCid[];
  /** Blocks already held. */
  readonly duplicates: number;
  /** Parents that neither the store nor the batch holds; their children were not applied. */
  readonly missing: readonly BlockCid[];
  readonly rejected: readonly RejectedBlock[];
  /** Documents that changed. */
  readonly docs: readonly DocId[];
}

/** How a batch of foreign blocks came. */
export interface ApplyOptions {
  /**
   * How the documents they create came together, if they did (`PackHint`): `neighbours` for a page of a ranged
   * pull, `together` for a gossip batch. The store may then keep them together (`mayPack`, CommitBatch.pack).
   */
  readonly pack?: PackHint;
}

/** What the applier needs from the engine. */
export interface ReplicaComponents {
  readonly records: Records;
  readonly clock: HybridClock;
  readonly verifyCtx: VerifyContext;
  readonly privateDocs: PrivateDocs;
  /** True for a block this node wrote lately. */
  isLocal(cid: BlockCid): boolean;
  /** A change made here lost a field to a concurrent one from a peer. */
  overwritten(e: OverwrittenEvent): void;
  /** Tells the engine what a committed batch changed, per collection. */
  changed(collection: CollectionId, docs: DocId[], blocks: StoredBlock[], origin: Origin): void;
}

/** Verifies and applies foreign blocks (run `apply` on the engine's single-writer queue). */
export class ReplicaApplier {
  /** Blocks this applier verified (so `apply` cannot be handed unverified ones). */
  private readonly verified = new WeakSet<EncodedBlock>();
  /** Decoded blocks that passed the checks needing nothing stored (`precheck`), so `verify` does not repeat them. */
  private readonly checked = new WeakSet<EncodedBlock>();

  constructor(private readonly c: ReplicaComponents) {}

  /**
   * Verifies blocks concurrently (native signature checks are asynchronous), a slice at a time so a large
   * batch does not hold the main thread. Blocks handed over already decoded (`decodeBlock` hashed their bytes)
   * are not decoded or hashed again.
   */
  async verify(items: ReadonlyArray<IncomingBlock | EncodedBlock>): Promise<{ verified: VerifiedBlock[]; rejected: RejectedBlock[] }> {
    const ctx = this.c.verifyCtx;
    const outcomes = await mapInSlices(items, (item) => ('block' in item ? (this.checked.has(item) ? Promise.resolve(item) : verifyDecoded(item, ctx)) : verifyBlock(item.bytes, ctx, item.cid))
      .then((enc): { enc: EncodedBlock } | { error: unknown } => ({ enc }), (error: unknown) => ({ error })));
    const rejected: RejectedBlock[] = [];
    const verified = new Map<BlockCid, VerifiedBlock>();
    outcomes.forEach((o, i) => {
      if ('enc' in o) {
        this.verified.add(o.enc);
        verified.set(o.enc.cid, o.enc as VerifiedBlock);
      } else if (o.error instanceof DbError) rejected.push({ ...(items[i]!.cid !== undefined ? { cid: items[i]!.cid } : {}), error: o.error });
      else throw o.error;
    });
    await this.checkPolicies(verified, rejected);
    return { verified: [...verified.values()], rejected };
  }

  /**
   * Runs ahead the checks of decoded blocks that depend on nothing stored (canonical form, clock drift,
   * collection, signature, schema), so a later `verify` of the same objects does only the rest (the policies
   * of private documents, judged against what is stored then). Catch-up runs it on the next frame while the
   * current one commits. Says which passed; those that fail are left for `verify` to refuse with the reason.
   * Never throws.
   */
  async precheck(items: readonly EncodedBlock[]): Promise<boolean[]> {
    const ctx = this.c.verifyCtx;
    return mapInSlices(items, (e) => verifyDecoded(e, ctx).then(() => { this.checked.add(e); return true; }, () => false));
  }

  /** Records that a block decoded from bytes a `BlockChecker` passed under this CID needs no such checks again. */
  markChecked(enc: EncodedBlock): void {
    this.checked.add(enc);
  }

  /**
   * Checks blocks of private documents against the policy that governs them, before anything forwards them:
   * a change by an identity without the right is refused here, so it is neither applied nor passed on. Blocks
   * whose parents are not here yet are judged when they are applied.
   */
  private async checkPolicies(verified: Map<BlockCid, VerifiedBlock>, rejected: RejectedBlock[]): Promise<void> {
    const byDoc = groupBy(verified.values(), (v) => v.block.doc);
    const known = await this.c.records.knownDocIds();
    for (const [doc, blocks] of byDoc) {
      // A document not held yet has no policy to judge by: a new private one is judged from its creating block.
      if (!known.has(doc)) continue;
      const rec = await this.c.records.record(doc);
      if (!rec) continue;
      const refuse = (b: VerifiedBlock, error: Error): void => {
        verified.delete(b.cid);
        rejected.push({ cid: b.cid, error });
      };
      if (!rec.state.access) {
        for (const b of blocks) if (isPrivateBlock(b.block)) refuse(b, new InvalidBlockError(`block ${shortCid(b.cid)} seals fields or changes relations of a public document`));
        continue;
      }
      const log = await this.c.privateDocs.log(doc, rec.collection);
      const refused = log.precheck([...blocks].sort(compareBlocks));
      for (const b of blocks) {
        const err = refused.get(b.cid);
        if (err) refuse(b, policyError(b.cid, doc, err));
      }
    }
  }

  /** Checks that every block came from `verify`, and removes duplicates. */
  admit(blocks: readonly VerifiedBlock[]): EncodedBlock[] {
    for (const b of blocks) if (!this.verified.has(b)) throw new DbError('applyVerifiedBlocks takes only blocks returned by verifyBlocks');
    return [...new Map(blocks.map((b) => [b.cid, b as EncodedBlock])).values()];
  }

  /** Records the fields a change made here lost to `enc` (concurrent with it, with a later clock). */
  private noteOverwrites(rec: DocRecord, enc: EncodedBlock, state: DocState, origin: Origin, out: OverwrittenEvent[]): void {
    const mine = rec.heads.filter((h) => this.c.isLocal(h) && !enc.block.parents.includes(h));
    if (!mine.length) return;
    for (const [field, reg] of Object.entries(rec.state.fields)) {
      if (!mine.includes(reg.cid) || state.fields[field]?.cid !== enc.cid) continue;
      out.push({
        collection: enc.block.collection, doc: enc.block.doc, field, mine: reg.value, theirs: state.fields[field]!.value,
        cid: enc.cid, author: didKeyOf(enc.block.author), origin,
      });
    }
  }

  /** Applies verified blocks in causal order in one transaction; reports what it did. */
  async apply(list: EncodedBlock[], origin: Origin, rejected: RejectedBlock[], opts: ApplyOptions = {}): Promise<ApplyResult> {
    const { records } = this.c;
    // Read as little as possible, all at once: a block of a document this node never held cannot be
    // stored yet, and recently seen blocks and records come from the caches.
    const knownDocs = await records.knownDocIds();
    const unique = <T>(xs: T[]): T[] => [...new Set(xs)];
    const cache = records.blockCache;
    const toCheck = list.filter((e) => !cache.has(e.cid) && knownDocs.has(e.block.doc) && !buildsOnEveryHead(e, records.cached(e.block.doc))).map((e) => e.cid);
    const parentIds = unique(list.flatMap((e) => e.block.parents).filter((p) => !cache.has(p)));
    const docIds = unique(list.map((e) => e.block.doc));
    const [have, recs, parentBlocks] = await Promise.all([
      toCheck.length ? records.store.hasBlocks(toCheck) : [],
      records.records(docIds.filter((d) => knownDocs.has(d))),
      parentIds.length ? records.store.getBlocks(parentIds) : [],
    ]);
    const stored = new Set(toCheck.filter((_, i) => have[i]));
    const fresh = list.filter((e) => !cache.has(e.cid) && !stored.has(e.cid)).sort(compareBlocks);
    const duplicates = list.length - fresh.length;
    const inBatch = new Set(fresh.map((e) => e.cid));
    const known = new Map<BlockCid, StoredBlock>();
    for (const e of list) for (const p of e.block.parents) {
      const cached = cache.get(p);
      if (cached) known.set(p, cached);
    }
    for (const b of parentBlocks) if (b) known.set(b.cid, b);

    const missing = new Set<BlockCid>();
    const bad = new Set<BlockCid>();
    const lost: OverwrittenEvent[] = [];
    const applied: StoredBlock[] = [];
    const changed = new Map<CollectionId, Set<DocId>>();
    let pending = fresh;
    for (let progress = true; progress && pending.length; ) {
      progress = false;
      const next: EncodedBlock[] = [];
      for (const enc of pending) {
        const { block } = enc;
        const verdict = checkParents(enc, known, inBatch, bad, missing);
        if (verdict === 'wait') { next.push(enc); continue; }
        const rec = recs.get(block.doc);
        const isPrivate = block.private === true || rec?.state.access !== undefined;
        const reason = verdict !== 'ok' ? verdict
          : rec && rec.collection !== block.collection ? `belongs to ${block.collection}, but ${block.doc} is in another collection`
          : !isPrivate && isPrivateBlock(block) ? 'seals fields or changes relations of a public document'
          : undefined;
        if (reason) {
          bad.add(enc.cid);
          rejected.push({ cid: enc.cid, error: new InvalidBlockError(`block ${shortCid(enc.cid)} ${reason}`) });
          continue;
        }
        const parents = new Set(block.parents);
        const heads = [...(rec?.heads ?? []).filter((h) => !parents.has(h)), enc.cid].sort();
        let state;
        if (isPrivate) {
          // Every peer checks a private document's block against the policy governing it; only members open it.
          const log = rec ? await this.c.privateDocs.log(block.doc, block.collection) : this.c.privateDocs.fresh(block.doc, block.collection);
          try {
            log.add(enc.cid, block);
          } catch (err) {
            bad.add(enc.cid);
            rejected.push({ cid: enc.cid, error: policyError(enc.cid, block.doc, err) });
            continue;
          }
          state = log.state(heads);
        } else {
          state = applyBlock(rec?.state ?? EMPTY_STATE, enc.cid, block);
          if (rec && block.set) this.noteOverwrites(rec, enc, state, origin, lost);
        }
        recs.set(block.doc, { id: block.doc, collection: block.collection, heads, state });
        const s = toStored(enc);
        known.set(enc.cid, s);
        applied.push(s);
        if (!changed.has(block.collection)) changed.set(block.collection, new Set());
        changed.get(block.collection)!.add(block.doc);
        this.c.clock.observe(block.clock); // bounded: verification refused clocks beyond the allowed drift
        progress = true;
      }
      pending = next;
    }
    for (const enc of pending) {
      if (enc.block.parents.some((p) => bad.has(p))) rejected.push({ cid: enc.cid, error: new InvalidBlockError(`block ${shortCid(enc.cid)} builds on a rejected block`) });
    }
    const docs = [...changed.values()].flatMap((s) => [...s]);
    if (applied.length) {
      try {
        await records.commit(docs.map((d) => recs.get(d)! as DocRecord), applied, [], opts.pack ? { pack: opts.pack } : {});
      } catch (err) {
        this.c.privateDocs.forget(); // their logs may hold blocks that were not stored
        throw err;
      }
      for (const [collection, ids] of changed) this.c.changed(collection, [...ids], applied.filter((b) => b.collection === collection), origin);
      for (const e of lost) this.c.overwritten(e);
    }
    return { applied: applied.map((b) => b.cid), duplicates, missing: [...missing], rejected, docs };
  }
}

/**
 * True when a block cannot be stored already because it names every head of its document's record as a
 * parent: every stored block is a head or an ancestor of one, and a block cannot be its own ancestor (a
 * CID hashes the parents' CIDs). The usual live update, so its apply needs no read of the blocks store.
 */
export function buildsOnEveryHead(enc: EncodedBlock, rec: DocRecord | undefined): boolean {
  if (!rec || rec.heads.length === 0) return false;
  const parents = enc.block.parents;
  return rec.heads.every((h) => parents.includes(h));
}

/** A private document's refusal of a block, as a named error that says which block and document. */
function policyError(cid: BlockCid, doc: DocId, err: unknown): DbError {
  const error = err instanceof DbError ? err : new InvalidBlockError(String(err));
  error.message = `block ${shortCid(cid)} of ${doc}: ${error.message}`;
  return error;
}

/** 'ok', 'wait' (a parent is not here yet), or the reason the block is invalid. */
function checkParents(enc: EncodedBlock, known: Map<BlockCid, StoredBlock>, inBatch: Set<BlockCid>, bad: Set<BlockCid>, missing: Set<BlockCid>): 'ok' | 'wait' | string {
  let wait = false;
  for (const p of enc.block.parents) {
    const parent = known.get(p);
    if (!parent) {
      if (bad.has(p)) return 'wait';
      if (!inBatch.has(p)) missing.add(p);
      wait = true;
      continue;
    }
    if (parent.doc !== enc.block.doc) return `names parent ${shortCid(p)} of another document`;
    if (compareClock(enc.block.clock, parent.clock) <= 0) return `has a clock not above its parent ${shortCid(p)}`;
  }
  return wait ? 'wait' : 'ok';
}
