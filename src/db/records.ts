/**
 * The engine's view of its store: document records and blocks through write-through caches, the set of
 * known DocIDs, creation-order indexes and digests, all kept in step by one commit path. The engine is the
 * store's only writer, so the caches never go stale.
 */
import { groupBy } from '../core/group-by.js';
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import type { EncodedBlock } from '../core/block.js';
import { addToDigest, type SetDigest } from '../core/digest.js';
import type { CollectionRecord, DocRecord, Store, StoredBlock } from '../store/types.js';
import { LruMap } from '../core/lru.js';
import { CreationOrder } from './creation-order.js';
import { HeadsIndex } from './heads-index.js';
import { toDocument, type Document } from './document.js';

/** Most documents kept in memory for whole-collection reads (filters, orders by field), across collections. */
export const FULL_COLLECTION_BUDGET = 50_000;

/** Resolves a promise-returning function strictly after the previous one: the single writer. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** The stored form of an encoded block. */
export function toStored(e: EncodedBlock): StoredBlock {
  return { cid: e.cid, collection: e.block.collection, doc: e.block.doc, clock: e.block.clock, parents: e.block.parents, bytes: e.bytes };
}

/** Cached reads and the one commit path of the engine. */
export class Records {
  /** Recently read or written document records and blocks (sized for live traffic, not whole collections). */
  private readonly cache = new LruMap<DocId, DocRecord>(2000);
  readonly blockCache = new LruMap<BlockCid, StoredBlock>(5000);
  /** Every stored DocID, loaded on first need: creating checks it instead of reading the store. */
  private docIds: Set<DocId> | null = null;
  private readonly digests = new Map<CollectionId, SetDigest>();
  /** Creation-order indexes of the collections listed so far, and those being built. */
  private readonly orders = new Map<CollectionId, CreationOrder>();
  private readonly building = new Map<CollectionId, DocRecord[]>();
  /** Heads indexes of the collections catch-up compared so far, and those being built. */
  private readonly heads = new Map<CollectionId, Promise<HeadsIndex>>();
  private readonly headsLanding = new Map<CollectionId, DocRecord[]>();
  /** Heads indexes already built (commits update them synchronously). */
  private readonly headsBuilt = new Map<CollectionId, HeadsIndex>();
  /**
   * Whole collections as documents, for queries that read every document (filters, orders by a field):
   * loaded on first such read while the budget allows, then kept up to date by every commit.
   */
  private readonly full = new Map<CollectionId, Map<DocId, Document>>();
  private fullSize = 0;
  private readonly loadingFull = new Map<CollectionId, DocRecord[]>();

  constructor(readonly store: Store) {}

  /** Every stored DocID (loaded once, then kept up to date by commits). */
  async knownDocIds(): Promise<Set<DocId>> {
    this.docIds ??= new Set(await this.store.docIds());
    return this.docIds;
  }

  /** A document record, from the cache or the store. */
  async record(id: DocId): Promise<DocRecord | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const rec = await this.store.getDoc(id);
    if (rec) this.cache.set(id, rec);
    return rec;
  }

  /** A document record if the cache holds it (no store read). */
  cached(id: DocId): DocRecord | undefined {
    return this.cache.get(id);
  }

  /** Records of several documents, from the cache where possible and one store read for the rest. */
  async records(ids: readonly DocId[]): Promise<Map<DocId, DocRecord | undefined>> {
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

  /**
   * Commits blocks, records and new collections in one transaction and keeps every cache in step. `pack` says
   * how the documents it creates came (see `mayPack`): the store may then keep them to a record.
   */
  async commit(records: readonly DocRecord[], blocks: readonly StoredBlock[], collections: readonly CollectionRecord[] = [], opts: { readonly pack?: PackHint } = {}): Promise<void> {
    // Documents not stored yet are named as created: the store writes them without reading first.
    const known = records.length ? await this.knownDocIds() : undefined;
    const created = known ? records.filter((r) => !known.has(r.id)).map((r) => r.id) : [];
    const pack = opts.pack !== undefined && mayPack(opts.pack, created.length, known?.size ?? 0);
    await this.store.commit({ blocks, docs: records, ...(collections.length ? { collections } : {}), ...(created.length ? { created, ...(pack ? { pack: true } : {}) } : {}) });
    for (const r of records) {
      this.cache.set(r.id, r);
      this.orders.get(r.collection)?.note(r);
      this.building.get(r.collection)?.push(r);
      this.headsLanding.get(r.collection)?.push(r);
      this.headsBuilt.get(r.collection)?.set(r.id, r.heads);
      this.loadingFull.get(r.collection)?.push(r);
      const all = this.full.get(r.collection);
      if (all) {
        if (!all.has(r.id)) this.fullSize++;
        all.set(r.id, frozen(r));
      }
    }
    for (const b of blocks) this.blockCache.set(b.cid, b);
    if (this.docIds) for (const r of records) this.docIds.add(r.id);
    for (const [collection, list] of groupBy(blocks, (b) => b.collection)) {
      const d = this.digests.get(collection);
      if (d) this.digests.set(collection, addToDigest(d, list.map((b) => b.cid)));
    }
  }

  /** The order-independent digest of a collection's blocks (computed once, then kept up to date). */
  async digest(collection: CollectionId): Promise<SetDigest> {
    let d = this.digests.get(collection);
    if (!d) {
      d = addToDigest({ count: 0, xor: new Uint8Array(32) }, await this.store.blockCidsOf(collection));
      this.digests.set(collection, d);
    }
    return d;
  }

  /**
   * Every document of a collection (deleted ones included), from memory when the collection is kept there.
   * The documents are frozen: callers share them.
   */
  async allDocuments(collection: CollectionId): Promise<Document[]> {
    const kept = this.full.get(collection);
    if (kept) return [...kept.values()];
    // Commits that land while the collection is read are applied on top afterwards (newer than what was read).
    const landed: DocRecord[] = [];
    this.loadingFull.set(collection, landed);
    let read: DocRecord[];
    try {
      read = await this.store.listDocs(collection);
    } finally {
      if (this.loadingFull.get(collection) === landed) this.loadingFull.delete(collection);
    }
    const raced = this.full.get(collection);
    if (raced) return [...raced.values()];
    const all = new Map<DocId, Document>(read.map((r) => [r.id, frozen(r)]));
    for (const r of landed) all.set(r.id, frozen(r));
    if (this.fullSize + all.size <= FULL_COLLECTION_BUDGET) {
      this.full.set(collection, all);
      this.fullSize += all.size;
    }
    return [...all.values()];
  }

  /**
   * The heads of every document of a collection, built on first use from one read of its records (commits
   * landing meanwhile are applied on top), then kept up to date by every commit. Shared: do not change it.
   */
  headsIndex(collection: CollectionId): Promise<HeadsIndex> {
    let index = this.heads.get(collection);
    if (!index) {
      const landed: DocRecord[] = [];
      this.headsLanding.set(collection, landed);
      index = this.store.listDocs(collection).then((read) => {
        const built = new HeadsIndex();
        for (const r of read) built.set(r.id, r.heads);
        for (const r of landed) built.set(r.id, r.heads);
        this.headsBuilt.set(collection, built);
        return built;
      }).finally(() => {
        if (this.headsLanding.get(collection) === landed) this.headsLanding.delete(collection);
      });
      this.heads.set(collection, index);
      index.catch(() => { if (this.heads.get(collection) === index) this.heads.delete(collection); });
    }
    return index;
  }

  /** The creation-order index of a collection, built on first use from one read of it. */
  async creationOrder(collection: CollectionId): Promise<CreationOrder> {
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
}

/** A document view of a record that nobody can change (it is shared by every query that reads it). */
function frozen(r: DocRecord): Document {
  const d = toDocument(r);
  Object.freeze(d.fields);
  return Object.freeze(d);
}

/**
 * How documents created in one commit came together:
 * - `neighbours`: a page of a peer's documents in DocID order (a ranged pull), so a pack of them covers a
 *   narrow DocID range;
 * - `together`: written or received at once (createMany, creates fired together, a gossip batch), their DocIDs
 *   scattered over the whole range.
 */
export type PackHint = 'neighbours' | 'together';

/**
 * Documents created together are packed only when they are at least this share of the stored documents. A pack
 * of scattered DocIDs spans a wide DocID range, and a range read (serving a catch-up page) reads every pack that
 * holds one of its DocIDs, so small packed batches in a large collection make serving read far more than it
 * sends: 40,000 documents created 100 at a time, packed, took 16-18 s to serve against 4.2-5.0 s as records;
 * created 1,000 at a time (1/40 of them), 3.5-4.2 s. A collection made by createMany of 1,000 up to 100,000
 * (1/100 of it at the end) serves faster packed: its catch-up took 43.7 s, and 52.4 s with the batches past
 * 31,000 left as records (a share of 1/32).
 */
const TOGETHER_SHARE = 1 / 100;

/** Whether `created` new documents, arriving as `hint` says, may be packed into a store holding `stored`. */
export function mayPack(hint: PackHint, created: number, stored: number): boolean {
  return hint === 'neighbours' || created >= (stored + created) * TOGETHER_SHARE;
}
