/** The document engine: collections, documents and the block-level API that sync builds on. */
import type { BlockCid, CollectionId, DocId, Origin } from '../core/ids.js';
import { parseDocId } from '../core/ids.js';
import type { CollectionDef } from '../core/schema.js';
import { diffDefs, parseSdl } from '../core/schema.js';
import { collectionIdOf } from '../core/collection-id.js';
import type { Clock } from '../core/hlc.js';
import { HybridClock, compareClock } from '../core/hlc.js';
import { validateFields, type Fields } from '../core/values.js';
import { deriveDocId } from '../core/doc-id.js';
import type { Identity, SignatureVerifier } from '../core/identity.js';
import { generateSecretKey } from '../core/identity.js';
import { fastIdentity, fastVerifier } from '../core/webcrypto-ed25519.js';
import type { EncodedBlock } from '../core/block.js';
import { compareBlocks, createBlockAsync } from '../core/block.js';
import { verifyBlock, verifyDecoded, shortCid, type VerifyContext } from '../core/verify.js';
import { EMPTY_STATE, applyBlock, type DocState } from '../core/merge.js';
import { addToDigest, type SetDigest } from '../core/digest.js';
import { TypedEventTarget } from '../core/events.js';
import {
  DbError, DocumentExistsError, DocumentNotFoundError, InvalidBlockError, SchemaConflictError, UnknownCollectionError,
} from '../core/errors.js';
import type { CollectionRecord, DocRecord, Store, StoredBlock } from '../store/types.js';
import { toDocument, type Document } from './document.js';
import { runQuery, type ListQuery } from './query.js';
import { blocksPeerLacks, sortCausal } from './dag.js';
import { LruMap } from './lru.js';
import { CreationOrder } from './creation-order.js';

/** A collection as the API exposes it. */
export type CollectionInfo = CollectionRecord;

/** A page request: a list query plus where the page starts and how long it is. */
export interface PageQuery extends ListQuery {
  /** Most documents (default 100). */
  readonly limit?: number;
  /** Documents skipped first (default 0). */
  readonly offset?: number;
}

/** A page of documents. */
export interface DocPage {
  readonly docs: Document[];
  /** Matching live documents in all. */
  readonly total: number;
  readonly hasMore: boolean;
}

/** Block bytes and their CID, as sync sends them. */
export interface BlockBytes {
  readonly cid: BlockCid;
  readonly bytes: Uint8Array;
}

/** Emitted after every committed change. */
export interface ChangeEvent {
  readonly collection: CollectionId;
  readonly docs: readonly DocId[];
  /** The new blocks, parents first (what a publisher sends). */
  readonly blocks: readonly BlockBytes[];
  readonly origin: Origin;
}

/** The engine's events. */
export interface DatabaseEvents {
  change: ChangeEvent;
  collections: { readonly added: readonly CollectionInfo[] };
}

/** A block as received: bytes, and the CID it was announced under when known. */
export interface IncomingBlock {
  readonly bytes: Uint8Array;
  readonly cid?: string;
}

/** A block that passed `verifyBlocks` (CID, signature, collection, schema). */
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

/** What the engine needs. */
export interface DatabaseInit {
  readonly store: Store;
  /** Signing identity; loaded from (or created in) the store when absent. */
  readonly identity?: Identity;
  readonly verifier?: SignatureVerifier;
  /** Wall clock, injectable for tests. */
  readonly now?: () => number;
}

/** A create waiting for the next group commit. */
interface PendingCreate {
  readonly col: CollectionRecord;
  readonly set: Fields;
  readonly doc: DocId;
  resolve(doc: Document): void;
  reject(err: unknown): void;
}

const META_IDENTITY = 'identity-secret-key';

/** Resolves a promise-returning function strictly after the previous one: the single writer. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** A local-first document database over a Store. */
export class Database extends TypedEventTarget<DatabaseEvents> {
  private readonly byId = new Map<CollectionId, CollectionRecord>();
  private readonly byName = new Map<string, CollectionRecord>();
  private readonly digests = new Map<CollectionId, SetDigest>();
  /** Creation-order indexes of the collections listed so far. */
  private readonly orders = new Map<CollectionId, CreationOrder>();
  private readonly building = new Map<CollectionId, DocRecord[]>();
  private readonly queue = new SerialQueue();
  private readonly verifyCtx: VerifyContext;
  /** Recently read or written document records and blocks (sized for live traffic, not whole collections). */
  private readonly cache = new LruMap<DocId, DocRecord>(2000);
  private readonly blockCache = new LruMap<BlockCid, StoredBlock>(5000);
  /** Every stored DocID, loaded on first need: creating checks it instead of reading the store. */
  private docIds: Set<DocId> | null = null;
  private readonly pendingCreates: PendingCreate[] = [];
  /** Blocks this engine verified (so `applyVerifiedBlocks` cannot be handed unverified ones). */
  private readonly verified = new WeakSet<EncodedBlock>();
  private closed = false;
  private closedReason: Error | undefined;

  private constructor(
    readonly store: Store,
    readonly identity: Identity,
    private readonly clock: HybridClock,
    verifier: SignatureVerifier,
    private readonly now: () => number,
  ) {
    super();
    this.verifyCtx = { collection: (id) => this.byId.get(id)?.def, verifier, now };
  }

  /** Opens the engine over a store: loads collections, identity and clock. */
  static async open(init: DatabaseInit): Promise<Database> {
    const { store } = init;
    let identity = init.identity;
    if (!identity) {
      let sk = await store.getMeta<Uint8Array>(META_IDENTITY);
      if (!(sk instanceof Uint8Array) || sk.byteLength !== 32) {
        sk = generateSecretKey();
        await store.putMeta(META_IDENTITY, sk);
      }
      identity = await fastIdentity(sk);
    }
    // The clock needs no persisting: a change's clock is drawn above every stamp of its document.
    const now = init.now ?? Date.now;
    const clock = new HybridClock(now);
    const db = new Database(store, identity, clock, init.verifier ?? (await fastVerifier()), now);
    for (const rec of await store.listCollections()) db.remember(rec);
    return db;
  }

  private remember(rec: CollectionRecord): void {
    this.byId.set(rec.id, rec);
    this.byName.set(rec.name, rec);
  }

  // ---------------------------------------------------------------- collections

  /** All collections, in the order they were added. */
  collections(): CollectionInfo[] {
    return [...this.byId.values()].sort((a, b) => a.addedAt - b.addedAt || (a.name < b.name ? -1 : 1));
  }

  /** A collection by name or ID; throws UnknownCollectionError. */
  collection(nameOrId: string): CollectionInfo {
    const rec = this.byName.get(nameOrId) ?? this.byId.get(nameOrId as CollectionId);
    if (!rec) throw new UnknownCollectionError(`unknown collection ${JSON.stringify(nameOrId)}; known: ${[...this.byName.keys()].join(', ') || 'none yet'}`);
    return rec;
  }

  /**
   * Adds every type in the SDL as a collection. Re-adding an identical type is a no-op;
   * a different definition under an existing name is refused (SchemaConflictError) and nothing is added.
   * Returns the collections the SDL describes.
   */
  async addSchema(sdl: string): Promise<CollectionInfo[]> {
    const defs = parseSdl(sdl);
    return this.queue.run(async () => {
      this.check();
      const result: CollectionInfo[] = [];
      const added: CollectionRecord[] = [];
      for (const def of defs) {
        const id = collectionIdOf(def);
        const existing = this.byName.get(def.name);
        if (existing) {
          if (existing.id !== id) throw new SchemaConflictError(def.name, diffDefs(existing.def, def));
          result.push(existing);
          continue;
        }
        const rec: CollectionRecord = { id, name: def.name, def, addedAt: this.now() };
        added.push(rec);
        result.push(rec);
      }
      if (added.length) await this.store.commit({ blocks: [], docs: [], collections: added });
      for (const rec of added) this.remember(rec);
      if (added.length) this.emit('collections', { added });
      return result;
    });
  }

  // ---------------------------------------------------------------- documents

  /**
   * Creates a document; returns it. Throws ValidationError, DocumentExistsError, UnknownCollectionError.
   * Creates issued while an earlier write is in progress are committed together, in one transaction and
   * one change event (group commit); each still succeeds or fails on its own.
   */
  async create(collection: string, fields: unknown): Promise<Document> {
    const col = this.collection(collection);
    const set = validateFields(col.def, fields, 'create');
    const doc = deriveDocId(col.id, set);
    return new Promise<Document>((resolve, reject) => {
      this.pendingCreates.push({ col, set, doc, resolve, reject });
      if (this.pendingCreates.length === 1) void this.queue.run(() => this.flushCreates());
    });
  }

  /** Commits every pending create in one transaction; never throws (each create is settled on its own). */
  private async flushCreates(): Promise<void> {
    const group = this.pendingCreates.splice(0);
    try {
      this.check();
      const known = await this.knownDocIds();
      const seen = new Set<DocId>();
      const ok: PendingCreate[] = [];
      for (const p of group) {
        if (known.has(p.doc) || seen.has(p.doc)) p.reject(await this.existsError(p.col, p.doc));
        else {
          seen.add(p.doc);
          ok.push(p);
        }
      }
      if (!ok.length) return;
      const records = await this.createRecords(ok);
      ok.forEach((p, i) => p.resolve(toDocument(records[i]!)));
    } catch (err) {
      for (const p of group) p.reject(err); // settling twice is a no-op for those already settled
    }
  }

  /** Creates many documents in one transaction (all or nothing). */
  async createMany(collection: string, list: readonly unknown[]): Promise<Document[]> {
    const col = this.collection(collection);
    const prepared = list.map((input) => {
      const set = validateFields(col.def, input, 'create');
      return { col, set, doc: deriveDocId(col.id, set) };
    });
    return this.queue.run(async () => {
      this.check();
      const known = await this.knownDocIds();
      const seen = new Set<DocId>();
      for (const p of prepared) {
        if (known.has(p.doc) || seen.has(p.doc)) throw await this.existsError(col, p.doc);
        seen.add(p.doc);
      }
      return (await this.createRecords(prepared)).map(toDocument);
    });
  }

  private async existsError(col: CollectionRecord, doc: DocId): Promise<DocumentExistsError> {
    const rec = (await this.knownDocIds()).has(doc) ? await this.record(doc) : undefined;
    const how = rec?.state.deleted ? 'was created and deleted before' : 'already exists';
    return new DocumentExistsError(`a ${col.name} document with this content ${how} (${doc})`);
  }

  /** Signs the creating blocks, commits them with their records in one transaction, and announces them. */
  private async createRecords(items: ReadonlyArray<{ col: CollectionRecord; set: Fields; doc: DocId }>): Promise<DocRecord[]> {
    const blocks = await Promise.all(
      items.map((p) => createBlockAsync({ collection: p.col.id, doc: p.doc, parents: [], clock: this.clock.tick(), set: p.set }, this.identity)),
    );
    const records = blocks.map((enc): DocRecord => ({ id: enc.block.doc, collection: enc.block.collection, heads: [enc.cid], state: applyBlock(EMPTY_STATE, enc.cid, enc.block) }));
    await this.commitLocal(records, blocks);
    return records;
  }

  /** A live document, or undefined (also for deleted ones unless asked). */
  async get(collection: string, id: string, opts: { includeDeleted?: boolean } = {}): Promise<Document | undefined> {
    const col = this.collection(collection);
    const rec = await this.record(parseDocId(id));
    if (!rec || rec.collection !== col.id) return undefined;
    if (rec.state.deleted && !opts.includeDeleted) return undefined;
    return toDocument(rec);
  }

  /** The documents of a collection, filtered and sorted. */
  async list(collection: string, query: ListQuery = {}): Promise<Document[]> {
    const col = this.collection(collection);
    const docs = (await this.store.listDocs(col.id)).map(toDocument);
    return runQuery(col.def, docs, query);
  }

  /**
   * One page of a collection's live documents. In creation order without filters (the default), only the
   * page is read: an in-memory index of IDs and creating stamps, built on first use and kept up to date by
   * every commit, says which. Filters or another order read the collection.
   */
  async page(collection: string, query: PageQuery = {}): Promise<DocPage> {
    const col = this.collection(collection);
    const limit = Math.max(0, Math.floor(query.limit ?? 100));
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const byField = query.sort && query.sort.field !== '_createdAt';
    if ((query.where && Object.keys(query.where).length) || byField) {
      const all = await this.list(collection, query);
      return { docs: all.slice(offset, offset + limit), total: all.length, hasMore: offset + limit < all.length };
    }
    const order = await this.creationOrder(col.id);
    const ids = order.slice(offset, limit, query.sort?.order === 'desc');
    const recs = await this.records(ids);
    const docs = ids.map((id) => recs.get(id)).filter((r): r is DocRecord => r !== undefined).map(toDocument);
    return { docs, total: order.size, hasMore: offset + limit < order.size };
  }

  private async creationOrder(collection: CollectionId): Promise<CreationOrder> {
    let order = this.orders.get(collection);
    if (!order) {
      // Commits that land while the collection is read are noted again afterwards (noting is idempotent).
      const landed: DocRecord[] = [];
      this.building.set(collection, landed);
      try {
        order = CreationOrder.of(await this.store.listDocs(collection));
      } finally {
        if (this.building.get(collection) === landed) this.building.delete(collection);
      }
      for (const r of landed) order.note(r);
      const raced = this.orders.get(collection);
      if (raced) return raced;
      this.orders.set(collection, order);
    }
    return order;
  }

  /** Changes some fields of a live document; returns it. Unchanged values write nothing. */
  async update(collection: string, id: string, patch: unknown): Promise<Document> {
    const col = this.collection(collection);
    const docId = parseDocId(id);
    const set = validateFields(col.def, patch, 'update');
    return this.queue.run(async () => {
      this.check();
      const rec = await this.liveRecord(col, docId);
      const changed: Fields = {};
      for (const [k, v] of Object.entries(set)) {
        if (JSON.stringify(rec.state.fields[k]?.value ?? null) !== JSON.stringify(v)) changed[k] = v;
      }
      if (Object.keys(changed).length === 0) return toDocument(rec);
      const enc = await createBlockAsync({ collection: col.id, doc: docId, parents: rec.heads, clock: this.tick(rec.state), set: changed }, this.identity);
      const next: DocRecord = { ...rec, heads: [enc.cid], state: applyBlock(rec.state, enc.cid, enc.block) };
      await this.commitLocal([next], [enc]);
      return toDocument(next);
    });
  }

  /** Deletes a live document (for good: a delete wins over concurrent edits). */
  async delete(collection: string, id: string): Promise<void> {
    const col = this.collection(collection);
    const docId = parseDocId(id);
    await this.queue.run(async () => {
      this.check();
      const rec = await this.liveRecord(col, docId);
      const enc = await createBlockAsync({ collection: col.id, doc: docId, parents: rec.heads, clock: this.tick(rec.state), delete: true }, this.identity);
      const next: DocRecord = { ...rec, heads: [enc.cid], state: applyBlock(rec.state, enc.cid, enc.block) };
      await this.commitLocal([next], [enc]);
    });
  }

  /** Every stored DocID (loaded once, then kept up to date by commits). */
  private async knownDocIds(): Promise<Set<DocId>> {
    this.docIds ??= new Set(await this.store.docIds());
    return this.docIds;
  }

  /** A document record, from the cache or the store. */
  private async record(id: DocId): Promise<DocRecord | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const rec = await this.store.getDoc(id);
    if (rec) this.cache.set(id, rec);
    return rec;
  }

  /** Records of several documents, from the cache where possible and one store read for the rest. */
  private async records(ids: readonly DocId[]): Promise<Map<DocId, DocRecord | undefined>> {
    const out = new Map<DocId, DocRecord | undefined>();
    const missing: DocId[] = [];
    for (const id of ids) {
      const c = this.cache.get(id);
      if (c) out.set(id, c);
      else missing.push(id);
    }
    if (missing.length) {
      const read = await this.store.getDocs(missing);
      read.forEach((r, i) => {
        out.set(missing[i]!, r);
        if (r) this.cache.set(r.id, r);
      });
    }
    return out;
  }

  /** Commits blocks and records in one transaction and keeps the caches in step. */
  private async commit(records: readonly DocRecord[], blocks: readonly StoredBlock[]): Promise<void> {
    await this.store.commit({ blocks, docs: records });
    for (const r of records) {
      this.cache.set(r.id, r);
      this.orders.get(r.collection)?.note(r);
      this.building.get(r.collection)?.push(r);
    }
    for (const b of blocks) this.blockCache.set(b.cid, b);
    if (this.docIds) for (const r of records) this.docIds.add(r.id);
  }

  private async liveRecord(col: CollectionRecord, id: DocId): Promise<DocRecord> {
    const rec = await this.record(id);
    if (!rec || rec.collection !== col.id || rec.state.deleted) {
      throw new DocumentNotFoundError(`no ${col.name} document ${id}${rec?.state.deleted ? ' (it was deleted)' : ''}`);
    }
    return rec;
  }

  /** A clock reading above everything the document has seen. */
  private tick(state: DocState): Clock {
    const seen: Clock[] = Object.values(state.fields).map((r) => r.clock);
    if (state.created) seen.push(state.created.clock);
    if (state.deleted) seen.push(state.deleted.clock);
    return this.clock.tick(seen);
  }

  private async commitLocal(records: DocRecord[], blocks: EncodedBlock[]): Promise<void> {
    const stored = blocks.map((e) => toStored(e));
    await this.commit(records, stored);
    const byCollection = new Map<CollectionId, EncodedBlock[]>();
    for (const e of blocks) {
      const list = byCollection.get(e.block.collection);
      if (list) list.push(e);
      else byCollection.set(e.block.collection, [e]);
    }
    for (const [collection, list] of byCollection) {
      this.noteDigest(collection, stored.filter((b) => b.collection === collection));
      this.emit('change', { collection, docs: list.map((e) => e.block.doc), blocks: list.map(({ cid, bytes }) => ({ cid, bytes })), origin: 'local' });
    }
  }

  // ---------------------------------------------------------------- blocks (the API sync uses)

  /**
   * Verifies and applies foreign blocks in one transaction. Blocks whose parents are missing are
   * not applied; their missing parents are reported so sync can fetch them. Invalid blocks are
   * rejected with the reason. Applying the same blocks again, in any order, changes nothing.
   */
  async applyBlocks(items: ReadonlyArray<IncomingBlock | EncodedBlock>, origin: Origin): Promise<ApplyResult> {
    const { verified, rejected } = await this.verifyBlocks(items);
    return this.applyVerifiedBlocks(verified, origin, rejected);
  }

  /**
   * Verifies blocks (the same checks as `applyBlocks`) without applying them, so a relay can forward a
   * message as soon as it is known good and commit it afterwards.
   */
  async verifyBlocks(items: ReadonlyArray<IncomingBlock | EncodedBlock>): Promise<{ verified: VerifiedBlock[]; rejected: RejectedBlock[] }> {
    // Verify concurrently: native signature checks are asynchronous, and awaiting them one by one leaves
    // the page idle between round trips. Blocks the caller already decoded (`decodeBlock`, which hashes
    // their bytes) are not decoded or hashed again.
    const outcomes = await Promise.all(
      items.map((item) => ('block' in item ? verifyDecoded(item, this.verifyCtx) : verifyBlock(item.bytes, this.verifyCtx, item.cid))
        .then((enc) => ({ enc }), (error: unknown) => ({ error }))),
    );
    const rejected: RejectedBlock[] = [];
    const verified = new Map<BlockCid, VerifiedBlock>();
    outcomes.forEach((o, i) => {
      if ('enc' in o) {
        this.verified.add(o.enc);
        verified.set(o.enc.cid, o.enc as VerifiedBlock);
      } else if (o.error instanceof DbError) rejected.push({ ...(items[i]!.cid !== undefined ? { cid: items[i]!.cid } : {}), error: o.error });
      else throw o.error;
    });
    return { verified: [...verified.values()], rejected };
  }

  /** Applies blocks that `verifyBlocks` of this engine returned (anything else is refused). */
  async applyVerifiedBlocks(blocks: readonly VerifiedBlock[], origin: Origin, rejected: RejectedBlock[] = []): Promise<ApplyResult> {
    for (const b of blocks) if (!this.verified.has(b)) throw new DbError('applyVerifiedBlocks takes only blocks returned by verifyBlocks');
    const unique = [...new Map(blocks.map((b) => [b.cid, b as EncodedBlock])).values()];
    return this.queue.run(() => this.applyVerified(unique, origin, [...rejected]));
  }

  private async applyVerified(list: EncodedBlock[], origin: Origin, rejected: RejectedBlock[]): Promise<ApplyResult> {
    this.check();
    // Read as little as possible, all at once: a block of a document this node never held cannot be
    // stored yet, and recently seen blocks and records come from the caches.
    const knownDocs = await this.knownDocIds();
    const unique = <T>(xs: T[]): T[] => [...new Set(xs)];
    const toCheck = list.filter((e) => !this.blockCache.has(e.cid) && knownDocs.has(e.block.doc)).map((e) => e.cid);
    const parentIds = unique(list.flatMap((e) => e.block.parents).filter((p) => !this.blockCache.has(p)));
    const docIds = unique(list.map((e) => e.block.doc));
    const [have, recs, parentBlocks] = await Promise.all([
      toCheck.length ? this.store.hasBlocks(toCheck) : [],
      this.records(docIds.filter((d) => knownDocs.has(d))),
      parentIds.length ? this.store.getBlocks(parentIds) : [],
    ]);
    const stored = new Set(toCheck.filter((_, i) => have[i]));
    const fresh = list.filter((e) => !this.blockCache.has(e.cid) && !stored.has(e.cid)).sort(compareBlocks);
    const duplicates = list.length - fresh.length;
    const inBatch = new Set(fresh.map((e) => e.cid));
    const known = new Map<BlockCid, StoredBlock>();
    for (const e of list) for (const p of e.block.parents) {
      const cached = this.blockCache.get(p);
      if (cached) known.set(p, cached);
    }
    for (const b of parentBlocks) if (b) known.set(b.cid, b);

    const missing = new Set<BlockCid>();
    const bad = new Set<BlockCid>();
    const applied: StoredBlock[] = [];
    const changed = new Map<CollectionId, Set<DocId>>();
    let pending = fresh;
    for (let progress = true; progress && pending.length; ) {
      progress = false;
      const next: EncodedBlock[] = [];
      for (const enc of pending) {
        const { block } = enc;
        const verdict = this.checkParents(enc, known, inBatch, bad, missing);
        if (verdict === 'wait') { next.push(enc); continue; }
        const rec = recs.get(block.doc);
        const reason = verdict !== 'ok' ? verdict
          : rec && rec.collection !== block.collection ? `belongs to ${block.collection}, but ${block.doc} is in another collection`
          : undefined;
        if (reason) {
          bad.add(enc.cid);
          rejected.push({ cid: enc.cid, error: new InvalidBlockError(`block ${shortCid(enc.cid)} ${reason}`) });
          continue;
        }
        const parents = new Set(block.parents);
        const heads = [...(rec?.heads ?? []).filter((h) => !parents.has(h)), enc.cid].sort();
        recs.set(block.doc, { id: block.doc, collection: block.collection, heads, state: applyBlock(rec?.state ?? EMPTY_STATE, enc.cid, block) });
        const stored = toStored(enc);
        known.set(enc.cid, stored);
        applied.push(stored);
        if (!changed.has(block.collection)) changed.set(block.collection, new Set());
        changed.get(block.collection)!.add(block.doc);
        this.clock.observe(block.clock);
        progress = true;
      }
      pending = next;
    }
    for (const enc of pending) {
      if (enc.block.parents.some((p) => bad.has(p))) rejected.push({ cid: enc.cid, error: new InvalidBlockError(`block ${shortCid(enc.cid)} builds on a rejected block`) });
    }
    const docs = [...changed.values()].flatMap((s) => [...s]);
    if (applied.length) {
      await this.commit(docs.map((d) => recs.get(d)!), applied);
      for (const [collection, ids] of changed) {
        const blocks = applied.filter((b) => b.collection === collection);
        this.noteDigest(collection, blocks);
        this.emit('change', { collection, docs: [...ids], blocks: blocks.map(({ cid, bytes }) => ({ cid, bytes })), origin });
      }
    }
    return { applied: applied.map((b) => b.cid), duplicates, missing: [...missing], rejected, docs };
  }

  /** 'ok', 'wait' (a parent is not here yet), or the reason the block is invalid. */
  private checkParents(enc: EncodedBlock, known: Map<BlockCid, StoredBlock>, inBatch: Set<BlockCid>, bad: Set<BlockCid>, missing: Set<BlockCid>): 'ok' | 'wait' | string {
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

  /** The heads of one document (empty when unknown). */
  async heads(doc: DocId): Promise<BlockCid[]> {
    return [...((await this.record(doc))?.heads ?? [])];
  }

  /** The heads of every document in a collection. */
  async collectionHeads(collection: CollectionId): Promise<Map<DocId, BlockCid[]>> {
    return new Map((await this.store.listDocs(collection)).map((r) => [r.id, [...r.heads]]));
  }

  /** Block bytes by CID, in order (undefined where not held). */
  async getBlocks(cids: readonly BlockCid[]): Promise<Array<BlockBytes | undefined>> {
    return (await this.store.getBlocks(cids)).map((b) => (b ? { cid: b.cid, bytes: b.bytes } : undefined));
  }

  /** The blocks of one document that a peer with `peerHeads` lacks, parents first. */
  async missingBlocks(doc: DocId, peerHeads: readonly BlockCid[]): Promise<BlockBytes[]> {
    return blocksPeerLacks(await this.store.blocksOfDoc(doc), peerHeads).map(({ cid, bytes }) => ({ cid, bytes }));
  }

  /** The blocks of a collection that a peer lacks, given its heads per document; parents first. */
  async missingForCollection(collection: CollectionId, peerHeads: ReadonlyMap<DocId, readonly BlockCid[]>): Promise<BlockBytes[]> {
    const mine = await this.collectionHeads(collection);
    const byDoc = new Map<DocId, StoredBlock[]>();
    for (const b of await this.store.blocksOfCollection(collection)) {
      if (!byDoc.has(b.doc)) byDoc.set(b.doc, []);
      byDoc.get(b.doc)!.push(b);
    }
    const out: StoredBlock[] = [];
    for (const [doc, blocks] of byDoc) {
      const theirs = peerHeads.get(doc) ?? [];
      const ours = mine.get(doc) ?? [];
      if (theirs.length === ours.length && theirs.every((h) => ours.includes(h))) continue;
      out.push(...blocksPeerLacks(blocks, theirs));
    }
    return sortCausal(out).map(({ cid, bytes }) => ({ cid, bytes }));
  }

  /** The order-independent digest of a collection's blocks. */
  async digest(collection: CollectionId): Promise<SetDigest> {
    return this.queue.run(async () => {
      let d = this.digests.get(collection);
      if (!d) {
        d = addToDigest({ count: 0, xor: new Uint8Array(32) }, await this.store.blockCidsOf(collection));
        this.digests.set(collection, d);
      }
      return d;
    });
  }

  private noteDigest(collection: CollectionId, blocks: readonly StoredBlock[]): void {
    const d = this.digests.get(collection);
    if (d) this.digests.set(collection, addToDigest(d, blocks.map((b) => b.cid)));
  }

  /**
   * Listens for the store being closed from outside (e.g. another tab upgrading the IndexedDB database);
   * later calls then fail with that reason. Returns a function that removes the listener.
   */
  onClosedElsewhere(listener: (error: Error) => void): () => void {
    return this.store.onClosedElsewhere?.((err) => {
      this.closedReason = err;
      listener(err);
    }) ?? (() => undefined);
  }

  /** The clock's last reading (for diagnostics and tests). */
  clockReading(): Clock {
    return this.clock.peek();
  }

  // ---------------------------------------------------------------- lifecycle

  private check(): void {
    if (this.closedReason) throw this.closedReason;
    if (this.closed) throw new DbError('the database is closed');
  }

  /** Waits for pending writes and closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue.run(async () => {
      this.closed = true;
      await this.store.close();
    });
  }
}

function toStored(e: EncodedBlock): StoredBlock {
  return { cid: e.cid, collection: e.block.collection, doc: e.block.doc, clock: e.block.clock, parents: e.block.parents, bytes: e.bytes };
}
