/**
 * One private document's blocks seen through its policy (docs/privacy.md). Pure and incremental: blocks are
 * added parents first; each is checked against the policy that governs it (the one after the newest relation
 * block among its ancestors), and the state is the fold of the effective content this identity can open.
 */
import type { Block } from './block.js';
import { compareBlocks } from './block.js';
import { didKeyOf } from './did.js';
import { AccessDeniedError, DecryptionError, InvalidBlockError } from './errors.js';
import type { BlockCid } from './ids.js';
import { EMPTY_STATE, applyBlock, type DocState } from './merge.js';
import { applyRelations, initialPolicy, mayRead, mayWrite, revokedWriters, type AccessInfo, type Policy } from './policy.js';
import { openFields } from './sealing.js';
import type { Fields } from './values.js';

/** A document state that knows its access policy (private documents only). */
export interface PrivateDocState extends DocState {
  readonly access: AccessInfo;
}

/** What the log needs from the node. */
export interface PrivateDocContext {
  /** This node's identity (did:key). */
  readonly me: string;
  /** Opens a content key wrapped to this node; undefined when it does not open. */
  unwrap(epoch: number, wrapped: Uint8Array): Uint8Array | undefined;
  /** Checks opened fields against the schema (throws when they do not fit); returns them normalised. */
  validate(fields: Fields, creating: boolean): Fields;
  /** Told about content that is kept (it is validly signed and allowed) but cannot be used. */
  ignored?(cid: BlockCid, reason: string): void;
}

interface Entry {
  readonly cid: BlockCid;
  readonly block: Block;
  readonly author: string;
  /** The relation (or creating) block whose policy governs this block's children. */
  readonly source: BlockCid;
}

/** The blocks of one private document with their verdicts. */
export class PrivateDocLog {
  private readonly entries = new Map<BlockCid, Entry>();
  /** The policy after each relation or creating block, and the source that governed it. */
  private readonly policies = new Map<BlockCid, { policy: Policy; before: BlockCid | null }>();
  private readonly wrapped = new Map<number, Uint8Array[]>();
  private readonly keys = new Map<number, Uint8Array>();
  private readonly opened = new Map<BlockCid, Fields | null>();

  constructor(readonly doc: string, private readonly ctx: PrivateDocContext) {}

  /** True once the creating block is in. */
  get created(): boolean {
    return [...this.policies.values()].some((p) => p.before === null);
  }

  has(cid: BlockCid): boolean {
    return this.entries.has(cid);
  }

  /**
   * Adds a block whose parents were added before; throws AccessDeniedError or InvalidBlockError (and adds
   * nothing) when its governing policy does not allow it.
   */
  add(cid: BlockCid, block: Block): void {
    if (this.entries.has(cid)) return;
    if (block.doc !== this.doc) throw new InvalidBlockError(`block ${cid} is not of ${this.doc}`);
    const author = didKeyOf(block.author);
    if (block.set !== undefined) throw new InvalidBlockError('a private document cannot take fields in clear');
    if (block.parents.length === 0) {
      if (!block.private) throw new InvalidBlockError('a private document is created by a private creating block');
      if (this.created) throw new InvalidBlockError('a private document has one creating block');
      this.policies.set(cid, { policy: initialPolicy(author), before: null });
      this.entries.set(cid, { cid, block, author, source: cid });
      this.collectKeys(block);
      return;
    }
    const parents = block.parents.map((p) => this.entries.get(p));
    if (parents.some((p) => p === undefined)) throw new InvalidBlockError('a parent of this block is not part of the document');
    const source = this.newestSource(parents.map((p) => p!.source));
    const policy = this.policies.get(source)!.policy;
    if (block.relations) {
      const next = applyRelations(policy, block, author);
      this.policies.set(cid, { policy: next, before: source });
      this.entries.set(cid, { cid, block, author, source: cid });
      this.collectKeys(block);
      return;
    }
    if (!mayWrite(policy, author)) throw new AccessDeniedError(`the author ${author.slice(0, 14)}… may not change this document (not the owner or a writer)`);
    if (block.sealed && block.sealed.epoch !== policy.epoch) throw new AccessDeniedError(`content sealed with key epoch ${block.sealed.epoch}, but the document is at epoch ${policy.epoch}`);
    this.entries.set(cid, { cid, block, author, source });
  }

  /** The policy a new change on top of `heads` is governed by. */
  policyAt(heads: readonly BlockCid[]): Policy {
    const sources = heads.map((h) => this.entries.get(h)?.source).filter((s): s is BlockCid => s !== undefined);
    if (!sources.length) throw new InvalidBlockError(`${this.doc} has no known heads`);
    return this.policies.get(this.newestSource(sources))!.policy;
  }

  /** The content key of an epoch, when this node holds it. */
  key(epoch: number): Uint8Array | undefined {
    let key = this.keys.get(epoch);
    if (key) return key;
    for (const w of this.wrapped.get(epoch) ?? []) {
      key = this.ctx.unwrap(epoch, w);
      if (key) {
        this.keys.set(epoch, key);
        return key;
      }
    }
    return undefined;
  }

  /** Remembers a key this node made (a new document or a rotation), so it is not unwrapped again. */
  rememberKey(epoch: number, key: Uint8Array): void {
    this.keys.set(epoch, key);
  }

  /** The document's state at `heads`: the fold of its effective content, and its access policy. */
  state(heads: readonly BlockCid[]): PrivateDocState {
    const policy = this.policyAt(heads);
    const revocations = this.revocations();
    let state: DocState = EMPTY_STATE;
    let readable = mayRead(policy, this.ctx.me);
    const sorted = [...this.entries.values()].sort(compareBlocks);
    for (const e of sorted) {
      if (e.block.relations) continue;
      if (e.block.parents.length && !this.effective(e, revocations)) continue;
      if (e.block.delete) {
        state = applyBlock(state, e.cid, e.block);
        continue;
      }
      const fields = this.open(e);
      if (fields === undefined) {
        readable = false;
        if (e.block.parents.length === 0) state = applyBlock(state, e.cid, { ...e.block, set: {} });
        continue;
      }
      state = applyBlock(state, e.cid, { ...e.block, ...(fields ? { set: fields } : { set: {} }) });
    }
    const members = [...policy.members].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    if (!readable) state = { fields: {}, deleted: state.deleted, created: state.created };
    return { ...state, access: { owner: policy.owner, members, epoch: policy.epoch, readable } };
  }

  // ------------------------------------------------------------------ internals

  private collectKeys(block: Block): void {
    for (const [did, epoch, wrapped] of block.keys ?? []) {
      if (did !== this.ctx.me) continue;
      const list = this.wrapped.get(epoch);
      if (list) list.push(wrapped);
      else this.wrapped.set(epoch, [wrapped]);
    }
  }

  /** Opened fields (null: kept but unusable), or undefined when this node lacks the key. */
  private open(e: Entry): Fields | null | undefined {
    if (this.opened.has(e.cid)) return this.opened.get(e.cid)!;
    const sealed = e.block.sealed!;
    const key = this.key(sealed.epoch);
    if (!key) return undefined;
    let fields: Fields | null;
    try {
      fields = this.ctx.validate(openFields(key, sealed, this.doc, sealed.epoch), e.block.parents.length === 0);
    } catch (err) {
      this.ctx.ignored?.(e.cid, err instanceof DecryptionError ? err.message : `its content does not fit the schema: ${(err as Error).message}`);
      fields = null;
    }
    this.opened.set(e.cid, fields);
    return fields;
  }

  /** The newest of some policy sources (relation blocks of the owner form a chain; the newest is the latest). */
  private newestSource(sources: readonly BlockCid[]): BlockCid {
    let best = sources[0]!;
    for (const s of sources.slice(1)) if (compareBlocks(this.entries.get(s)!, this.entries.get(best)!) > 0) best = s;
    return best;
  }

  /** Relation blocks that take a write right away, with whom they take it from. */
  private revocations(): Array<{ cid: BlockCid; from: Set<string> }> {
    const out: Array<{ cid: BlockCid; from: Set<string> }> = [];
    for (const [cid, p] of this.policies) {
      if (p.before === null) continue;
      const before = this.policies.get(p.before)!.policy;
      const from = revokedWriters(before, this.entries.get(cid)!.block.relations!);
      if (from.length) out.push({ cid, from: new Set(from) });
    }
    return out;
  }

  /**
   * A change by an author whose write right a relation block R took away is ineffective when it is
   * concurrent with R (neither builds on the other): a removed writer cannot keep writing by choosing old
   * parents. Changes R builds on, and changes made after the author was added again, stay.
   */
  private effective(e: Entry, revocations: ReadonlyArray<{ cid: BlockCid; from: Set<string> }>): boolean {
    for (const r of revocations) {
      if (!r.from.has(e.author)) continue;
      if (this.inSourceChain(e.source, r.cid)) continue; // R is an ancestor of the change
      if (this.ancestors(r.cid).has(e.cid)) continue; // the change is an ancestor of R
      return false;
    }
    return true;
  }

  private inSourceChain(source: BlockCid, target: BlockCid): boolean {
    for (let s: BlockCid | null = source; s !== null; s = this.policies.get(s)!.before) if (s === target) return true;
    return false;
  }

  private readonly ancestorCache = new Map<BlockCid, Set<BlockCid>>();

  private ancestors(cid: BlockCid): Set<BlockCid> {
    const cached = this.ancestorCache.get(cid);
    if (cached) return cached;
    const seen = new Set<BlockCid>();
    const stack = [...this.entries.get(cid)!.block.parents];
    while (stack.length) {
      const c = stack.pop()!;
      if (seen.has(c)) continue;
      seen.add(c);
      stack.push(...(this.entries.get(c)?.block.parents ?? []));
    }
    this.ancestorCache.set(cid, seen);
    return seen;
  }
}
