/**
 * The IndexedDB Store (via `idb`): one database per node, one transaction per commit.
 *
 * Layout (version 2): a document created by a commit keeps the blocks that commit brings for it (up to
 * INLINE_BYTES of them) inside its own record, with their CIDs in a multi-entry index; every later block of
 * it goes to the blocks store. A pulled or created document is then one record and two index entries
 * instead of two records and three index entries: IndexedDB's cost is mostly per record (docs/decisions.md).
 * Databases of version 1 (every block in the blocks store) open unchanged; their blocks stay where they are.
 *
 * Version 3 adds packs: when a batch says its created documents came together (`CommitBatch.pack`: a ranged
 * pull; createMany, creates fired at once or a gossip batch when they are many), they are kept up to PACK_DOCS to a record (a pack, keyed by its first DocID, with
 * multi-entry indexes on its DocIDs (unique) and CIDs), about five times cheaper to write than a record each.
 * A pack is never rewritten: when a packed document changes, its new record goes to the docs store and wins
 * over the pack's copy; its blocks stay valid where they are (blocks never change). `packIds` repeats each pack's DocIDs and CIDs without the
 * documents, for the reads that need only those.
 */
import { deleteDB, openDB, unwrap, type DBSchema, type IDBPDatabase } from 'idb';
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import type { Clock } from '../core/hlc.js';
import { StoreError } from '../core/errors.js';
import { LruMap } from '../core/lru.js';
import { groupBy } from '../core/group-by.js';
import type { CollectionRecord, CommitBatch, DocRecord, Store, StoredBlock } from './types.js';

/** A block kept in its document's record (the document and collection are the record's). */
interface InlineBlock {
  readonly clock: Clock;
  readonly parents: readonly BlockCid[];
  readonly bytes: Uint8Array;
}

/** A document record as stored: the record, plus the blocks kept in it (`cids[i]` is the CID of `inline[i]`). */
interface StoredDoc extends DocRecord {
  readonly cids?: readonly BlockCid[];
  readonly inline?: readonly InlineBlock[];
}

/** Documents created together (a ranged pull, createMany), kept in one record (never rewritten; see the header). */
interface Pack {
  /** Its first DocID. */
  readonly key: DocId;
  readonly collection: CollectionId;
  /** Its documents' DocIDs, sorted (index `id`, multi-entry). */
  readonly ids: readonly DocId[];
  /** The CIDs of the blocks its documents hold (index `cid`, multi-entry). */
  readonly cids: readonly BlockCid[];
  /** The documents as committed, in `ids` order, each with its blocks. */
  readonly docs: readonly StoredDoc[];
}

/** A pack's DocIDs and CIDs alone. */
interface PackIds {
  readonly key: DocId;
  readonly collection: CollectionId;
  readonly ids: readonly DocId[];
  readonly cids: readonly BlockCid[];
}

interface Schema extends DBSchema {
  meta: { key: string; value: unknown };
  collections: { key: string; value: CollectionRecord };
  docs: { key: string; value: StoredDoc; indexes: { collection: string; cid: string } };
  blocks: { key: string; value: StoredBlock; indexes: { doc: string; collection: string } };
  packs: { key: string; value: Pack; indexes: { id: string; cid: string } };
  packIds: { key: string; value: PackIds };
}

const VERSION = 3;

/** A pack holds at most this many documents. */
export const PACK_DOCS = 100;

/** Fewer created documents of one collection than this in a batch are not packed. */
export const PACK_MIN = 8;

/** Records read in one request by range reads that may be large (each result is copied in one task). */
const READ_SLICE = 1000;

/** Records a commit copies (puts) in one task; a larger batch is issued in slices of this many. */
const PUT_SLICE = 100;

/** At most this many bytes of blocks are kept in a document's record; the rest go to the blocks store. */
export const INLINE_BYTES = 8192;

/** Documents whose stored record's kept blocks (`cids`, `inline`) this store remembers, so changing them needs no read. */
const KEPT_DOCS = 1000;

/** The blocks a document's own record keeps (none for records without them), as last written by this store. */
type Kept = Pick<StoredDoc, 'cids' | 'inline'>;

/** The record without the blocks kept in it. */
function recordOf(s: StoredDoc): DocRecord {
  return { id: s.id, collection: s.collection, state: s.state, heads: s.heads };
}

/** The blocks kept in a stored record. */
function inlineOf(s: StoredDoc | undefined): StoredBlock[] {
  if (!s?.cids || !s.inline) return [];
  return s.cids.map((cid, i) => ({ cid, collection: s.collection, doc: s.id, clock: s.inline![i]!.clock, parents: s.inline![i]!.parents, bytes: s.inline![i]!.bytes }));
}

/** The record of a document created with `blocks`: those that fit are kept in it; returns the rest. */
function withInline(r: DocRecord, blocks: readonly StoredBlock[]): { stored: StoredDoc; rest: StoredBlock[] } {
  const cids: BlockCid[] = [];
  const inline: InlineBlock[] = [];
  const rest: StoredBlock[] = [];
  let bytes = 0;
  for (const b of blocks) {
    if (b.collection === r.collection && bytes + b.bytes.length <= INLINE_BYTES) {
      bytes += b.bytes.length;
      cids.push(b.cid);
      inline.push({ clock: b.clock, parents: b.parents, bytes: b.bytes });
    } else rest.push(b);
  }
  return { stored: cids.length ? { ...r, cids, inline } : r, rest };
}

/**
 * Splits created documents (their records already holding their blocks) into packs: per collection, in DocID
 * order, runs of at most PACK_DOCS of near-equal size; a collection with fewer than PACK_MIN stays unpacked.
 */
export function packsOf(fresh: ReadonlyArray<StoredDoc>): { packs: Pack[]; single: StoredDoc[] } {
  const byCollection = groupBy(fresh, (d) => d.collection);
  const packs: Pack[] = [];
  const single: StoredDoc[] = [];
  for (const [collection, docs] of byCollection) {
    if (docs.length < PACK_MIN) {
      single.push(...docs);
      continue;
    }
    sortedById(docs);
    const count = Math.ceil(docs.length / PACK_DOCS);
    for (let i = 0; i < count; i++) {
      const part = docs.slice(Math.floor((i * docs.length) / count), Math.floor(((i + 1) * docs.length) / count));
      packs.push({ key: part[0]!.id, collection, ids: part.map((d) => d.id), cids: part.flatMap((d) => d.cids ?? []), docs: part });
    }
  }
  return { packs, single };
}

/** The document `id` of a pack, if it holds it. */
function docInPack(p: Pack | undefined, id: DocId): StoredDoc | undefined {
  if (!p) return undefined;
  let lo = 0;
  let hi = p.ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = p.ids[mid]!;
    if (m === id) return p.docs[mid];
    if (m < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** Reads packs inside one transaction, each pack at most once. */
class PackReader {
  private readonly read = new Map<string, Promise<Pack | undefined>>();
  constructor(private readonly packs: IDBObjectStore) {}

  private pack(key: IDBValidKey): Promise<Pack | undefined> {
    const k = key as string;
    let p = this.read.get(k);
    if (!p) {
      p = done(this.packs.get(k) as IDBRequest<Pack | undefined>);
      this.read.set(k, p);
    }
    return p;
  }

  /** The packed copy of a document (a record in the docs store, when there is one, wins over it). */
  async doc(id: DocId): Promise<StoredDoc | undefined> {
    const key = await done(this.packs.index('id').getKey(id));
    return key === undefined ? undefined : docInPack(await this.pack(key), id);
  }

  async block(cid: BlockCid): Promise<StoredBlock | undefined> {
    const key = await done(this.packs.index('cid').getKey(cid));
    if (key === undefined) return undefined;
    const p = await this.pack(key);
    const d = p?.docs.find((x) => x.cids?.includes(cid));
    return inlineOf(d).find((b) => b.cid === cid);
  }

  async hasBlock(cid: BlockCid): Promise<boolean> {
    return (await done(this.packs.index('cid').getKey(cid))) !== undefined;
  }

  /** Packed documents whose DocIDs lie in `range`. */
  async docsIn(range: IDBKeyRange, keep: (d: StoredDoc) => boolean = () => true): Promise<StoredDoc[]> {
    const keys = [...new Set(await done(this.packs.index('id').getAllKeys(range)))];
    const out: StoredDoc[] = [];
    for (const p of await Promise.all(keys.map((k) => this.pack(k)))) {
      for (const d of p?.docs ?? []) if (range.includes(d.id) && keep(d)) out.push(d);
    }
    return out;
  }
}

/** Blocks from both places, each CID once (a block committed again may sit in both). */
function merged(lists: ReadonlyArray<readonly StoredBlock[]>): StoredBlock[] {
  const seen = new Set<BlockCid>();
  const out: StoredBlock[] = [];
  for (const list of lists) for (const b of list) {
    if (seen.has(b.cid)) continue;
    seen.add(b.cid);
    out.push(b);
  }
  return out;
}

/** A raw request as a promise. */
function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** A transaction's end as a promise (rejects when it aborts). */
function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new StoreError('transaction aborted'));
    tx.onerror = () => reject(tx.error);
  });
}

/** Every pack's DocIDs and CIDs, read in `tx` (which must include `packIds`). */
function allPackIds(tx: IDBTransaction): Promise<PackIds[]> {
  return done(tx.objectStore('packIds').getAll() as IDBRequest<PackIds[]>);
}

/** Documents in DocID order (sorted in place). */
function sortedById<T extends { readonly id: DocId }>(list: T[]): T[] {
  return list.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/** The IndexedDB database name used for a node name. */
export function idbNameFor(nodeName: string): string {
  return `p2pdb:${nodeName}`;
}

/** Opens (creating if needed) the IndexedDB store for a node name. */
export async function openIdbStore(nodeName: string): Promise<IdbStore> {
  const name = idbNameFor(nodeName);
  let store: IdbStore | undefined;
  try {
    const db = await openDB<Schema>(name, VERSION, {
      upgrade(db, oldVersion, _newVersion, tx) {
        if (oldVersion < 1) {
          db.createObjectStore('meta');
          db.createObjectStore('collections', { keyPath: 'id' });
          db.createObjectStore('docs', { keyPath: 'id' }).createIndex('collection', 'collection');
          const blocks = db.createObjectStore('blocks', { keyPath: 'cid' });
          blocks.createIndex('doc', 'doc');
          blocks.createIndex('collection', 'collection');
        }
        // Version 2: blocks kept in their document's record, found by CID through this index.
        if (oldVersion < 2) tx.objectStore('docs').createIndex('cid', 'cids', { multiEntry: true });
        // Version 3: packs of documents created together (a ranged pull, createMany).
        if (oldVersion < 3) {
          const packs = db.createObjectStore('packs', { keyPath: 'key' });
          packs.createIndex('id', 'ids', { multiEntry: true, unique: true });
          packs.createIndex('cid', 'cids', { multiEntry: true });
          db.createObjectStore('packIds', { keyPath: 'key' });
        }
      },
      blocking() {
        // Another connection wants to upgrade or delete: step aside rather than block it, and say so.
        store?.closedElsewhere('another tab is upgrading or deleting this node\'s database');
      },
      terminated() {
        store?.closedElsewhere('the browser closed this node\'s database');
      },
    });
    store = new IdbStore(db, (await db.count('packIds')) > 0);
    return store;
  } catch (err) {
    throw new StoreError(`could not open IndexedDB database ${name}: ${(err as Error).message}`);
  }
}

/** A Store backed by IndexedDB. */
export class IdbStore implements Store {
  private closed = false;
  private closedReason: StoreError | undefined;
  private readonly closeListeners = new Set<(error: StoreError) => void>();
  /**
   * The kept blocks of documents whose own record this store wrote lately. The store is its database's only
   * writer (a node is open in one tab at a time), and a record's kept blocks never change once written, so a
   * change of one of them is written without first reading the record it replaces. Entries are added when their
   * transaction completes.
   */
  private readonly kept = new LruMap<DocId, Kept>(KEPT_DOCS);
  /** @param packed whether any pack is stored (reads skip the packs otherwise) */
  constructor(private readonly db: IDBPDatabase<Schema>, private packed = false) {}

  /** A raw read-only transaction on `names`, plus the packs' reader when there are packs. */
  private reading(names: string[]): { tx: IDBTransaction; packs: PackReader | undefined; end: Promise<void> } {
    const raw = unwrap(this.check()) as IDBDatabase;
    const tx = raw.transaction(this.packed ? [...names, 'packs'] : names, 'readonly');
    const end = finished(tx);
    end.catch(() => undefined); // awaited by the reader; a failed request rejects it first
    return { tx, packs: this.packed ? new PackReader(tx.objectStore('packs')) : undefined, end };
  }

  private check(): IDBPDatabase<Schema> {
    if (this.closedReason) throw this.closedReason;
    if (this.closed) throw new StoreError('store is closed');
    return this.db;
  }

  onClosedElsewhere(listener: (error: StoreError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Marks the store closed from outside: later calls fail with this reason, and listeners hear it once. */
  closedElsewhere(why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closedReason = new StoreError(`${why}; reload the page to open it again`);
    try {
      this.db.close();
    } catch {
      /* already closed */
    }
    for (const l of [...this.closeListeners]) l(this.closedReason);
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.check().get('meta', key)) as T | undefined;
  }

  async putMeta(key: string, value: unknown): Promise<void> {
    await this.check().put('meta', value, key);
  }

  async listCollections(): Promise<CollectionRecord[]> {
    return this.check().getAll('collections');
  }

  async putCollection(record: CollectionRecord): Promise<void> {
    await this.check().put('collections', record);
  }

  async getDoc(id: DocId): Promise<DocRecord | undefined> {
    return (await this.getDocs([id]))[0];
  }

  async getDocs(ids: readonly DocId[]): Promise<Array<DocRecord | undefined>> {
    const { tx, packs, end } = this.reading(['docs']);
    const docs = tx.objectStore('docs');
    const out = await Promise.all(ids.map(async (id) => {
      const s = await done(docs.get(id) as IDBRequest<StoredDoc | undefined>);
      return s ?? (await packs?.doc(id));
    }));
    await end;
    return out.map((s) => s && recordOf(s));
  }

  async listDocs(collection: CollectionId): Promise<DocRecord[]> {
    const own = await this.check().getAllFromIndex('docs', 'collection', collection);
    if (!this.packed) return own.map(recordOf);
    // Packed documents of the collection, unless a record of their own replaced them; a pack a read.
    const { tx, end } = this.reading(['packIds']);
    const store = tx.objectStore('packs');
    const keys = (await allPackIds(tx)).filter((p) => p.collection === collection).map((p) => p.key);
    const packed = (await Promise.all(keys.map((k) => done(store.get(k) as IDBRequest<Pack | undefined>)))).flatMap((p) => p?.docs ?? []);
    await end;
    if (!packed.length) return own.map(recordOf);
    const mine = new Set(own.map((d) => d.id));
    return sortedById([...own, ...packed.filter((d) => !mine.has(d.id))]).map(recordOf);
  }

  async docsInRange(collection: CollectionId, after: DocId | null, upto: DocId | null, limit: number): Promise<DocRecord[]> {
    const out: StoredDoc[] = [];
    if (limit <= 0 || (after !== null && upto !== null && after >= upto)) return [];
    const range = after === null
      ? (upto === null ? null : IDBKeyRange.upperBound(upto))
      : (upto === null ? IDBKeyRange.lowerBound(after, true) : IDBKeyRange.bound(after, upto, true, false));
    // Documents are keyed by DocID: read the key range in batches with getAll (far faster than a cursor)
    // and keep those of the collection; other collections' documents in the range are read and skipped.
    const { tx, packs, end } = this.reading(['docs']);
    const docs = tx.objectStore('docs');
    let lower = after;
    for (;;) {
      const slice = lower === null
        ? range
        : (upto === null ? IDBKeyRange.lowerBound(lower, true) : IDBKeyRange.bound(lower, upto, true, false));
      const want = Math.max(256, limit - out.length);
      const batch = await done(docs.getAll(slice, want) as IDBRequest<StoredDoc[]>);
      for (const d of batch) {
        if (d.collection !== collection) continue;
        out.push(d);
        if (out.length === limit) break;
      }
      if (out.length === limit || batch.length < want) break;
      lower = batch[batch.length - 1]!.id;
      if (upto !== null && lower >= upto) break;
    }
    // The first `limit` of the union are among the first `limit` of each part; a record wins over a packed copy.
    const packed = packs ? await packs.docsIn(range ?? IDBKeyRange.lowerBound(''), (d) => d.collection === collection) : [];
    await end;
    if (!packed.length) return out.map(recordOf);
    const mine = new Set(out.map((d) => d.id));
    return sortedById([...out, ...packed.filter((d) => !mine.has(d.id))]).slice(0, limit).map(recordOf);
  }

  async docIds(): Promise<DocId[]> {
    const { tx, end } = this.reading(this.packed ? ['docs', 'packIds'] : ['docs']);
    const [keys, packed] = await Promise.all([
      done(tx.objectStore('docs').getAllKeys() as unknown as IDBRequest<DocId[]>),
      this.packed ? allPackIds(tx) : Promise.resolve([]),
    ]);
    await end;
    if (!packed.length) return keys;
    const out = new Set(keys);
    for (const p of packed) for (const id of p.ids) out.add(id);
    return [...out];
  }

  async getBlock(cid: BlockCid): Promise<StoredBlock | undefined> {
    return (await this.getBlocks([cid]))[0];
  }

  async getBlocks(cids: readonly BlockCid[]): Promise<Array<StoredBlock | undefined>> {
    const { tx, packs, end } = this.reading(['blocks', 'docs']);
    const blocks = tx.objectStore('blocks');
    const byCid = tx.objectStore('docs').index('cid');
    const out = await Promise.all(cids.map(async (cid) => {
      const b = await done(blocks.get(cid) as IDBRequest<StoredBlock | undefined>);
      if (b) return b;
      const inline = inlineOf(await done(byCid.get(cid) as IDBRequest<StoredDoc | undefined>)).find((x) => x.cid === cid);
      return inline ?? (await packs?.block(cid));
    }));
    await end;
    return out;
  }

  async hasBlocks(cids: readonly BlockCid[]): Promise<boolean[]> {
    const { tx, packs, end } = this.reading(['blocks', 'docs']);
    const blocks = tx.objectStore('blocks');
    const byCid = tx.objectStore('docs').index('cid');
    const out = await Promise.all(cids.map(async (cid) => {
      const [out, inline, packed] = await Promise.all([done(blocks.getKey(cid)), done(byCid.getKey(cid)), packs?.hasBlock(cid) ?? false]);
      return out !== undefined || inline !== undefined || packed;
    }));
    await end;
    return out;
  }

  async blocksOfDoc(doc: DocId): Promise<StoredBlock[]> {
    return this.blocksOfDocs([doc]);
  }

  async blocksOfDocs(docs: readonly DocId[]): Promise<StoredBlock[]> {
    const { tx, packs, end } = this.reading(['blocks', 'docs']);
    const index = tx.objectStore('blocks').index('doc');
    const records = tx.objectStore('docs');
    const out = await Promise.all(docs.map(async (d) => {
      const [rec, rest, packed] = await Promise.all([
        done(records.get(d) as IDBRequest<StoredDoc | undefined>),
        done(index.getAll(d) as IDBRequest<StoredBlock[]>),
        packs?.doc(d),
      ]);
      return merged([inlineOf(packed), inlineOf(rec), rest]);
    }));
    await end;
    return out.flat();
  }

  async blocksOfDocRange(from: DocId, to: DocId): Promise<StoredBlock[]> {
    if (from > to) return [];
    const { tx, packs, end } = this.reading(['blocks', 'docs']);
    const docs = tx.objectStore('docs');
    // Records a read at a time: each read's records are copied into this thread in one task (5,000 of them
    // took over 200 ms).
    const readRecords = async (): Promise<StoredBlock[]> => {
      const out: StoredBlock[] = [];
      for (let lower: DocId | null = null; ;) {
        const batch = await done(docs.getAll(IDBKeyRange.bound(lower ?? from, to, lower !== null, false), READ_SLICE) as IDBRequest<StoredDoc[]>);
        for (const r of batch) out.push(...inlineOf(r));
        // (An open lower bound equal to the upper one is not a valid range: stop at `to`.)
        if (batch.length < READ_SLICE || batch[batch.length - 1]!.id >= to) return out;
        lower = batch[batch.length - 1]!.id as DocId;
      }
    };
    const [inline, rest, packed] = await Promise.all([
      readRecords(),
      done(tx.objectStore('blocks').index('doc').getAll(IDBKeyRange.bound(from, to)) as IDBRequest<StoredBlock[]>),
      packs?.docsIn(IDBKeyRange.bound(from, to)) ?? [],
    ]);
    await end;
    return merged([inline, packed.flatMap(inlineOf), rest]);
  }

  async blockCidsOf(collection: CollectionId): Promise<BlockCid[]> {
    // Blocks kept in records: the CID index's keys whose record is of the collection (a key cursor reads
    // no record); packed ones from the packs' CID lists; the rest from the blocks store's collection index.
    const { tx, end } = this.reading(this.packed ? ['blocks', 'docs', 'packIds'] : ['blocks', 'docs']);
    const docs = tx.objectStore('docs');
    const [ofCollection, rest, packed] = await Promise.all([
      done(docs.index('collection').getAllKeys(collection)),
      done(tx.objectStore('blocks').index('collection').getAllKeys(collection)),
      this.packed ? allPackIds(tx) : Promise.resolve([]),
    ]);
    const out = new Set(rest as BlockCid[]);
    for (const p of packed) if (p.collection === collection) for (const c of p.cids) out.add(c);
    if (ofCollection.length) {
      const mine = new Set(ofCollection);
      await new Promise<void>((resolve, reject) => {
        const req = docs.index('cid').openKeyCursor();
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const cursor = req.result;
          if (!cursor) return resolve();
          if (mine.has(cursor.primaryKey)) out.add(cursor.key as BlockCid);
          cursor.continue();
        };
      });
    }
    await end;
    return [...out];
  }

  async commit(batch: CommitBatch): Promise<void> {
    // The raw API on the hot path: one completion handler per transaction instead of a promise per
    // request, and only the object stores the batch writes (each store in a transaction costs).
    const raw = unwrap(this.check()) as IDBDatabase;
    const meta = batch.meta ?? [];
    const cols = batch.collections ?? [];
    const created = new Set(batch.created ?? []);
    const byDoc = groupBy(batch.blocks, (b) => b.doc);
    // Documents this batch creates are written without reading; any other is read first, to keep the
    // blocks its record holds (and, when it turns out not to be stored, to keep this batch's in it). Created
    // documents that came together (CommitBatch.pack) are kept together in packs.
    const createdDocs = batch.docs.filter((d) => created.has(d.id)).map((d) => withInline(d, byDoc.get(d.id) ?? []));
    const overflow = createdDocs.flatMap((f) => f.rest);
    const { packs, single } = batch.pack ? packsOf(createdDocs.map((f) => f.stored)) : { packs: [], single: createdDocs.map((f) => f.stored) };
    const others = batch.docs.filter((d) => !created.has(d.id));
    const recorded = new Set(batch.docs.map((d) => d.id));
    const loose = batch.blocks.filter((b) => !recorded.has(b.doc));
    const needBlocks = others.length > 0 || loose.length > 0 || overflow.length > 0;
    // With packs stored, a document named as created is looked for there too.
    const checkPacks = this.packed && single.length > 0;
    const names = [
      ...(needBlocks ? ['blocks'] : []), 'docs',
      ...(packs.length || checkPacks ? ['packs'] : []), ...(packs.length ? ['packIds'] : []),
      ...(meta.length ? ['meta'] : []), ...(cols.length ? ['collections'] : []),
    ];
    return new Promise<void>((resolve, reject) => {
      const fail = (why: unknown): void => reject(new StoreError(`commit failed, nothing was written: ${why instanceof Error || why instanceof DOMException ? why.message : String(why)}`));
      let tx: IDBTransaction;
      try {
        tx = raw.transaction(names, 'readwrite');
      } catch (err) {
        fail(err);
        return;
      }
      // Reads look in the packs from now on: one begun while this commit runs is served after it, and sees them.
      if (packs.length) this.packed = true;
      let failure: unknown;
      // Own records this commit writes, remembered once it completes (an aborted one wrote nothing).
      const written = new Map<DocId, Kept>();
      tx.oncomplete = () => {
        for (const [id, k] of written) this.kept.set(id, k);
        resolve();
      };
      tx.onabort = () => fail(failure ?? tx.error ?? 'aborted');
      // A put can throw synchronously (DataCloneError): abort so earlier puts of the batch are undone.
      const guarded = (fn: () => void): void => {
        try {
          fn();
        } catch (err) {
          failure = err;
          try { tx.abort(); } catch { /* already finished */ }
        }
      };
      const refuse = (id: DocId): void => guarded(() => {
        throw new StoreError(`document ${id} is already stored`);
      });
      guarded(() => {
        const docs = tx.objectStore('docs');
        const blocks = needBlocks ? tx.objectStore('blocks') : undefined;
        // A stored record keeps its kept blocks; this batch's blocks of it go to the blocks store.
        const replace = (d: DocRecord, k: Kept): void => {
          for (const b of byDoc.get(d.id) ?? []) blocks!.put(b);
          docs.put(k.cids ? { ...d, cids: k.cids, inline: k.inline! } : d);
          written.set(d.id, k.cids ? { cids: k.cids, inline: k.inline! } : {});
        };
        for (const d of others) {
          const known = this.kept.get(d.id);
          if (known) {
            replace(d, known);
            continue;
          }
          const req = docs.get(d.id);
          req.onsuccess = () => guarded(() => {
            const old = req.result as StoredDoc | undefined;
            if (old) replace(d, old);
            else {
              // (Also a packed document's first own record: it wins over the packed copy, which keeps its blocks.)
              const { stored, rest } = withInline(d, byDoc.get(d.id) ?? []);
              for (const b of rest) blocks!.put(b);
              docs.put(stored);
              written.set(d.id, { cids: stored.cids, inline: stored.inline });
            }
          });
        }
        if (checkPacks) {
          const byId = tx.objectStore('packs').index('id');
          for (const d of single) {
            const req = byId.getKey(d.id);
            req.onsuccess = () => { if (req.result !== undefined) refuse(d.id); };
          }
        }
        if (packs.length) {
          // No document of a pack may be stored already. In another pack: the unique DocID index fails the pack's
          // `add`. On its own: one read of the docs store's keys over the pack's DocID span (narrow for a ranged
          // pull; a key read per document cost 0.1 ms, half a pull's time). Requests run in order, so this read
          // sees the store as it was before this batch's writes, issued after it.
          for (const p of packs) {
            const mine = new Set<string>(p.ids);
            const own = docs.getAllKeys(IDBKeyRange.bound(p.ids[0]!, p.ids[p.ids.length - 1]!));
            own.onsuccess = () => {
              const hit = (own.result as string[]).find((k) => mine.has(k));
              if (hit !== undefined) refuse(hit as DocId);
            };
          }
        }
        const writes: Array<() => IDBRequest> = [];
        const weights: number[] = []; // documents a write copies, where more than one
        for (const b of loose) writes.push(() => blocks!.put(b));
        for (const b of overflow) writes.push(() => blocks!.put(b));
        for (const d of single) {
          written.set(d.id, { cids: d.cids, inline: d.inline });
          // `add`: a document named as created that is stored after all fails the whole batch.
          writes.push(() => {
            const req = docs.add(d);
            req.onerror = () => { failure = `document ${d.id} is already stored`; };
            return req;
          });
        }
        if (packs.length) {
          const packStore = tx.objectStore('packs');
          const idStore = tx.objectStore('packIds');
          for (const p of packs) {
            weights[writes.length] = p.ids.length;
            writes.push(() => {
              const req = packStore.add(p);
              req.onerror = () => { failure = `a document of pack ${p.key} is already stored`; };
              return req;
            });
            writes.push(() => idStore.add({ key: p.key, collection: p.collection, ids: p.ids, cids: p.cids }));
          }
        }
        if (meta.length) {
          const m = tx.objectStore('meta');
          for (const [k, v] of meta) writes.push(() => m.put(v, k));
        }
        if (cols.length) {
          const c = tx.objectStore('collections');
          for (const r of cols) writes.push(() => c.put(r));
        }
        // Each put copies its record on this thread: a large batch is issued about PUT_SLICE documents' worth at
        // a time (a pack counts for its documents), the next slice from the success of the previous one's last
        // request (the transaction stays open), so a commit of 500 blocks is not one long task.
        const issue = (from: number): void => guarded(() => {
          let last: IDBRequest | undefined;
          let i = from;
          for (let load = 0; i < writes.length && load < PUT_SLICE; i++) {
            load += weights[i] ?? 1;
            last = writes[i]!();
          }
          const end = i;
          if (last && end < writes.length) last.onsuccess = () => issue(end);
        });
        issue(0);
      });
    });
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
  }
}

/** Deletes a node's IndexedDB database (used by tests). */
export async function deleteIdbStore(nodeName: string): Promise<void> {
  await deleteDB(idbNameFor(nodeName));
}
