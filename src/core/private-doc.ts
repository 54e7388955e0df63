/**
 * One private document's blocks seen through its policy (docs/privacy.md). Pure and incremental: blocks are
 * added parents first; each is checked against the policy that governs it (the one after the newest relation
 * block among its ancestors), and the state is the fold of the effective content this identity can open.
 */
import type { Block } from './block.js';
import { compareBlocks } from './block.js';
import { didKeyOf } from './did.js';
import { AccessDeniedError, InvalidBlockError } from './errors.js';
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
  /** Epoch 0's key of a document this node owns, derived from its secret key (see ownerContentKey). */
  ownKey?(doc: string): Uint8Array | undefined;
  /** Checks opened fields against the schema (throws when they do not fit); returns them normalised. */
  validate(fields: Fields, creating: boolean): Fields;
  /** Told about content that is kept (it is validly signed and allowed) but cannot be used. */
  ignored?(cid: BlockCid, reason: string): void;
}

/** A state being folded, with what decides which blocks count. */
interface Fold {
  readonly state: DocState;
  /** Some effective content could not be opened here (no key). */
  readonly missingKey: boolean;
  readonly revocations: ReadonlyArray<{ cid: BlockCid; from: Set<string> }>;
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
  /** Keys wrapped to this node, by the block that carries them and epoch; opened on first use (null: does not open). */
  private readonly wrapped = new Map<BlockCid, Map<number, Uint8Array>>();
  private readonly keys = new Map<BlockCid, Map<number, Uint8Array | null>>();
  private readonly opened = new Map<BlockCid, Fields | null>();
  /** The state folded so far (null: to be folded again from all blocks). */
  private fold: Fold | null = null;

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
    const j = this.judge(cid, block, this.entries, this.policies);
    this.entries.set(cid, j.entry);
    if (j.policy) this.policies.set(cid, j.policy);
    if (block.keys) this.collectKeys(cid, block);
    this.fold = this.fold && !j.policy ? this.foldIn(this.fold, j.entry) : null;
  }

  /**
   * The verdicts `add` would give blocks (parents first), without adding them: what a relay checks before it
   * forwards. Blocks with a parent neither here nor among them get no verdict (they cannot be judged yet).
   */
  precheck(blocks: ReadonlyArray<{ readonly cid: BlockCid; readonly block: Block }>): Map<BlockCid, Error> {
    // Blocks judged fine so far lie on top of the log (no copy of it: the log can be long).
    const entries = new Overlay(this.entries);
    const policies = new Overlay(this.policies);
    const refused = new Map<BlockCid, Error>();
    for (const { cid, block } of blocks) {
      if (entries.has(cid)) continue;
      if (block.parents.some((p) => !entries.has(p))) continue;
      try {
        const j = this.judge(cid, block, entries, policies);
        entries.set(cid, j.entry);
        if (j.policy) policies.set(cid, j.policy);
      } catch (err) {
        refused.set(cid, err as Error);
      }
    }
    return refused;
  }

  private judge(
    cid: BlockCid, block: Block, entries: Lookup<Entry>, policies: Lookup<{ policy: Policy; before: BlockCid | null }>,
  ): { entry: Entry; policy?: { policy: Policy; before: BlockCid | null } } {
    if (block.doc !== this.doc) throw new InvalidBlockError(`block ${cid} is not of ${this.doc}`);
    const author = didKeyOf(block.author);
    if (block.set !== undefined) throw new InvalidBlockError('a private document cannot take fields in clear');
    if (block.parents.length === 0) {
      if (!block.private) throw new InvalidBlockError('a private document is created by a private creating block');
      if (this.created || policies.has(cid)) throw new InvalidBlockError('a private document has one creating block');
      return { entry: { cid, block, author, source: cid }, policy: { policy: initialPolicy(author), before: null } };
    }
    const parents = block.parents.map((p) => entries.get(p));
    if (parents.some((p) => p === undefined)) throw new InvalidBlockError('a parent of this block is not part of the document');
    const source = newest(parents.map((p) => entries.get(p!.source)!));
    const policy = policies.get(source)!.policy;
    if (block.relations) {
      return { entry: { cid, block, author, source: cid }, policy: { policy: applyRelations(policy, block, author), before: source } };
    }
    if (!mayWrite(policy, author)) throw new AccessDeniedError(`the author ${author.slice(0, 14)}… may not change this document (not the owner or a writer)`);
    if (block.sealed && block.sealed.epoch !== policy.epoch) throw new AccessDeniedError(`content sealed with key epoch ${block.sealed.epoch}, but the document is at epoch ${policy.epoch}`);
    return { entry: { cid, block, author, source } };
  }

  /** The policy a new change on top of `heads` is governed by. */
  policyAt(heads: readonly BlockCid[]): Policy {
    const sources = heads.map((h) => this.entries.get(h)?.source).filter((s): s is BlockCid => s !== undefined);
    if (!sources.length) throw new InvalidBlockError(`${this.doc} has no known heads`);
    return this.policies.get(newest(sources.map((s) => this.entries.get(s)!)))!.policy;
  }

  /**
   * The content key of `epoch` as the change on top of `heads` sees it: the one carried by the nearest block
   * of its policy chain (the owner's relation blocks) that holds it for this node. Two concurrent relation
   * blocks can each start the same epoch with their own key, so an epoch alone does not name a key.
   */
  keyAt(heads: readonly BlockCid[], epoch: number): Uint8Array | undefined {
    const sources = heads.map((h) => this.entries.get(h)?.source).filter((x): x is BlockCid => x !== undefined);
    if (!sources.length) return undefined;
    return this.chainKey(newest(sources.map((x) => this.entries.get(x)!)), epoch);
  }

  /** Remembers a key this node made for the block `cid` (a new document or a rotation), so it is not unwrapped. */
  rememberKey(cid: BlockCid, epoch: number, key: Uint8Array): void {
    let m = this.keys.get(cid);
    if (!m) this.keys.set(cid, (m = new Map()));
    m.set(epoch, key);
    this.fold = null;
  }

  /**
   * The fields a sealed block set, opened with the keys this node holds: undefined when it holds no key that
   * opens it (or the block is not sealed, or not here), null when it is kept but unusable (see `ignored`).
   */
  contentOf(cid: BlockCid): Fields | null | undefined {
    const e = this.entries.get(cid);
    return e?.block.sealed ? this.open(e) : undefined;
  }

  /** The document's state at `heads`: the fold of its effective content, and its access policy. */
  state(heads: readonly BlockCid[]): PrivateDocState {
    const policy = this.policyAt(heads);
    if (!this.fold) {
      // From scratch: after a relation block (rights and keys may have changed) or on first use.
      const revocations = this.revocations();
      let fold: Fold = { state: EMPTY_STATE, missingKey: false, revocations };
      for (const e of [...this.entries.values()].sort(compareBlocks)) fold = this.foldIn(fold, e);
      this.fold = fold;
    }
    const readable = mayRead(policy, this.ctx.me) && !this.fold.missingKey;
    const members = [...policy.members].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const { fields, deleted, created } = this.fold.state;
    return { fields: readable ? fields : {}, deleted, created, access: { owner: policy.owner, members, epoch: policy.epoch, readable } };
  }

  /**
   * Folds one block into a fold. The merge rule is order-independent, so content added later folds in as it
   * comes; a relation block starts the fold again (it may make earlier changes ineffective, or bring keys).
   */
  private foldIn(f: Fold, e: Entry): Fold {
    if (e.block.relations) return f;
    if (e.block.parents.length && !this.effective(e, f.revocations)) return f;
    if (e.block.delete) return { ...f, state: applyBlock(f.state, e.cid, e.block) };
    const fields = this.open(e);
    if (fields === undefined) {
      const state = e.block.parents.length === 0 ? applyBlock(f.state, e.cid, { ...e.block, set: {} }) : f.state;
      return { ...f, state, missingKey: true };
    }
    return { ...f, state: applyBlock(f.state, e.cid, { ...e.block, set: fields ?? {} }) };
  }

  // ------------------------------------------------------------------ internals

  private collectKeys(cid: BlockCid, block: Block): void {
    if (!block.private && !block.relations) return;
    for (const [did, epoch, wrapped] of block.keys ?? []) {
      if (did !== this.ctx.me) continue;
      let m = this.wrapped.get(cid);
      if (!m) this.wrapped.set(cid, (m = new Map()));
      m.set(epoch, wrapped);
    }
  }

  /** The key of `epoch` that block `cid` carries for this node (or derives, for its own creating block), opened once. */
  private keyIn(cid: BlockCid, epoch: number): Uint8Array | undefined {
    const known = this.keys.get(cid)?.get(epoch);
    if (known !== undefined) return known ?? undefined;
    const wrapped = this.wrapped.get(cid)?.get(epoch);
    const own = epoch === 0 && this.policies.get(cid)?.before === null && this.entries.get(cid)?.author === this.ctx.me;
    if (!wrapped && !own) return undefined;
    const key = (wrapped ? this.ctx.unwrap(epoch, wrapped) : undefined) ?? (own ? this.ctx.ownKey?.(this.doc) : undefined) ?? null;
    let m = this.keys.get(cid);
    if (!m) this.keys.set(cid, (m = new Map()));
    m.set(epoch, key);
    return key ?? undefined;
  }

  /** Walks the policy chain back from `source` for the nearest key of `epoch` held for this node. */
  private chainKey(source: BlockCid, epoch: number): Uint8Array | undefined {
    for (let s: BlockCid | null = source; s !== null; s = this.policies.get(s)!.before) {
      const key = this.keyIn(s, epoch);
      if (key) return key;
    }
    return undefined;
  }

  /** Every key of `epoch` this node holds, whichever block carries it. */
  private allKeys(epoch: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const creating = [...this.policies].find(([, p]) => p.before === null)?.[0];
    for (const cid of new Set([...this.wrapped.keys(), ...this.keys.keys(), ...(creating ? [creating] : [])])) {
      const key = this.keyIn(cid, epoch);
      if (key) out.push(key);
    }
    return out;
  }

  /** Opened fields (null: kept but unusable), or undefined when this node lacks the key. */
  private open(e: Entry): Fields | null | undefined {
    if (this.opened.has(e.cid)) return this.opened.get(e.cid)!;
    const sealed = e.block.sealed!;
    // The key of its own policy chain first; any other key of the epoch (a concurrent rotation) after.
    const first = this.chainKey(e.source, sealed.epoch);
    const candidates = [...new Set([...(first ? [first] : []), ...this.allKeys(sealed.epoch)])];
    if (!candidates.length) return undefined;
    let fields: Fields | null = null;
    let why = '';
    for (const key of candidates) {
      let plain: Fields;
      try {
        plain = openFields(key, sealed, this.doc, sealed.epoch);
      } catch (err) {
        why = (err as Error).message;
        continue;
      }
      try {
        fields = this.ctx.validate(plain, e.block.parents.length === 0);
      } catch (err) {
        why = `its content does not fit the schema: ${(err as Error).message}`;
      }
      break;
    }
    if (fields === null) this.ctx.ignored?.(e.cid, why);
    this.opened.set(e.cid, fields);
    return fields;
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

/** The newest of some policy sources (the owner's relation blocks form a chain; the newest is the latest). */
function newest(sources: readonly Entry[]): BlockCid {
  let best = sources[0]!;
  for (const s of sources.slice(1)) if (compareBlocks(s, best) > 0) best = s;
  return best.cid;
}

/** What judging reads: the log's maps, or an overlay on them. */
interface Lookup<V> {
  get(k: BlockCid): V | undefined;
  has(k: BlockCid): boolean;
}

/** A map on top of another, written without touching it. */
class Overlay<V> implements Lookup<V> {
  private readonly top = new Map<BlockCid, V>();
  constructor(private readonly base: ReadonlyMap<BlockCid, V>) {}
  get(k: BlockCid): V | undefined {
    return this.top.get(k) ?? this.base.get(k);
  }
  has(k: BlockCid): boolean {
    return this.top.has(k) || this.base.has(k);
  }
  set(k: BlockCid, v: V): void {
    this.top.set(k, v);
  }
}
