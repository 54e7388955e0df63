/**
 * The IndexedDB Store (via `idb`): one database per node, one transaction per commit.
 *
 * Layout (version 2): a document created by a commit keeps the blocks that commit brings for it (up to
 * INLINE_BYTES of them) inside its own record, with their CIDs in a multi-entry index; every later block of
 * it goes to the blocks store. A pulled or created document is then one record and two index entries
 * instead of two records and three index entries: IndexedDB's cost is mostly per record (docs/decisions.md).
 * Databases of version 1 (every block in the blocks store) open unchanged; their blocks stay where they are.
 */
import { deleteDB, openDB, unwrap, type DBSchema, type IDBPDatabase } from 'idb';
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import type { Clock } from '../core/hlc.js';
import { StoreError } from '../core/errors.js';
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

interface Schema extends DBSchema {
  meta: { key: string; value: unknown };
  collections: { key: string; value: CollectionRecord };
  docs: { key: string; value: StoredDoc; indexes: { collection: string; cid: string } };
  blocks: { key: string; value: StoredBlock; indexes: { doc: string; collection: string } };
}

const VERSION = 2;

/** Records read in one request by range reads that may be large (each result is copied in one task). */
const READ_SLICE = 1000;

/** Records a commit copies (puts) in one task; a larger batch is issued in slices of this many. */
const PUT_SLICE = 100;

/** At most this many bytes of blocks are kept in a document's record; the rest go to the blocks store. */
export const INLINE_BYTES = 8192;

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
      },
      blocking() {
        // Another connection wants to upgrade or delete: step aside rather than block it, and say so.
        store?.closedElsewhere('another tab is upgrading or deleting this node\'s database');
      },
      terminated() {
        store?.closedElsewhere('the browser closed this node\'s database');
      },
    });
    store = new IdbStore(db);
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
  constructor(private readonly db: IDBPDatabase<Schema>) {}

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
    const s = await this.check().get('docs', id);
    return s && recordOf(s);
  }

  async getDocs(ids: readonly DocId[]): Promise<Array<DocRecord | undefined>> {
    const tx = this.check().transaction('docs', 'readonly');
    const out = await Promise.all(ids.map((id) => tx.store.get(id)));
    await tx.done;
    return out.map((s) => s && recordOf(s));
  }

  async listDocs(collection: CollectionId): Promise<DocRecord[]> {
    return (await this.check().getAllFromIndex('docs', 'collection', collection)).map(recordOf);
  }

  async docsInRange(collection: CollectionId, after: DocId | null, upto: DocId | null, limit: number): Promise<DocRecord[]> {
    const out: DocRecord[] = [];
    if (limit <= 0 || (after !== null && upto !== null && after >= upto)) return out;
    // Documents are keyed by DocID: read the key range in batches with getAll (far faster than a cursor)
    // and keep those of the collection; other collections' documents in the range are read and skipped.
    const tx = this.check().transaction('docs', 'readonly');
    let lower = after;
    for (;;) {
      const range = lower === null
        ? (upto === null ? undefined : IDBKeyRange.upperBound(upto))
        : (upto === null ? IDBKeyRange.lowerBound(lower, true) : IDBKeyRange.bound(lower, upto, true, false));
      const want = Math.max(256, limit - out.length);
      const batch = await tx.store.getAll(range, want);
      for (const d of batch) {
        if (d.collection !== collection) continue;
        out.push(recordOf(d));
        if (out.length === limit) break;
      }
      if (out.length === limit || batch.length < want) break;
      lower = batch[batch.length - 1]!.id;
      if (upto !== null && lower >= upto) break;
    }
    await tx.done;
    return out;
  }

  async docIds(): Promise<DocId[]> {
    return (await this.check().getAllKeys('docs')) as DocId[];
  }

  async getBlock(cid: BlockCid): Promise<StoredBlock | undefined> {
    return (await this.getBlocks([cid]))[0];
  }

  async getBlocks(cids: readonly BlockCid[]): Promise<Array<StoredBlock | undefined>> {
    const tx = this.check().transaction(['blocks', 'docs'], 'readonly');
    const blocks = tx.objectStore('blocks');
    const byCid = tx.objectStore('docs').index('cid');
    const out = await Promise.all(cids.map(async (cid) => {
      const b = await blocks.get(cid);
      if (b) return b;
      return inlineOf(await byCid.get(cid)).find((x) => x.cid === cid);
    }));
    await tx.done;
    return out;
  }

  async hasBlocks(cids: readonly BlockCid[]): Promise<boolean[]> {
    const tx = this.check().transaction(['blocks', 'docs'], 'readonly');
    const blocks = tx.objectStore('blocks');
    const byCid = tx.objectStore('docs').index('cid');
    const out = await Promise.all(cids.map(async (cid) => {
      const [out, inline] = await Promise.all([blocks.getKey(cid), byCid.getKey(cid)]);
      return out !== undefined || inline !== undefined;
    }));
    await tx.done;
    return out;
  }

  async blocksOfDoc(doc: DocId): Promise<StoredBlock[]> {
    return this.blocksOfDocs([doc]);
  }

  async blocksOfDocs(docs: readonly DocId[]): Promise<StoredBlock[]> {
    const tx = this.check().transaction(['blocks', 'docs'], 'readonly');
    const index = tx.objectStore('blocks').index('doc');
    const records = tx.objectStore('docs');
    const out = await Promise.all(docs.map(async (d) => {
      const [rec, rest] = await Promise.all([records.get(d), index.getAll(d)]);
      return merged([inlineOf(rec), rest]);
    }));
    await tx.done;
    return out.flat();
  }

  async blocksOfDocRange(from: DocId, to: DocId): Promise<StoredBlock[]> {
    if (from > to) return [];
    const tx = this.check().transaction(['blocks', 'docs'], 'readonly');
    const docs = tx.objectStore('docs');
    // Records a read at a time: each read's records are copied into this thread in one task (5,000 of them
    // took over 200 ms).
    const readRecords = async (): Promise<StoredBlock[]> => {
      const out: StoredBlock[] = [];
      for (let lower: DocId | null = null; ;) {
        const batch: StoredDoc[] = await docs.getAll(IDBKeyRange.bound(lower ?? from, to, lower !== null, false), READ_SLICE);
        for (const r of batch) out.push(...inlineOf(r));
        // (An open lower bound equal to the upper one is not a valid range: stop at `to`.)
        if (batch.length < READ_SLICE || batch[batch.length - 1]!.id >= to) return out;
        lower = batch[batch.length - 1]!.id as DocId;
      }
    };
    const [inline, rest] = await Promise.all([readRecords(), tx.objectStore('blocks').index('doc').getAll(IDBKeyRange.bound(from, to))]);
    await tx.done;
    return merged([inline, rest]);
  }

  async blockCidsOf(collection: CollectionId): Promise<BlockCid[]> {
    // Blocks kept in records: the CID index's keys whose record is of the collection (a key cursor reads
    // no record); the rest from the blocks store's collection index.
    const raw = unwrap(this.check()) as IDBDatabase;
    const tx = raw.transaction(['blocks', 'docs'], 'readonly');
    const docs = tx.objectStore('docs');
    const [ofCollection, rest] = await Promise.all([
      done(docs.index('collection').getAllKeys(collection)),
      done(tx.objectStore('blocks').index('collection').getAllKeys(collection)),
    ]);
    const out = new Set(rest as BlockCid[]);
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
    return [...out];
  }

  async commit(batch: CommitBatch): Promise<void> {
    // The raw API on the hot path: one completion handler per transaction instead of a promise per
    // request, and only the object stores the batch writes (each store in a transaction costs).
    const raw = unwrap(this.check()) as IDBDatabase;
    const meta = batch.meta ?? [];
    const cols = batch.collections ?? [];
    const created = new Set(batch.created ?? []);
    const byDoc = new Map<DocId, StoredBlock[]>();
    for (const b of batch.blocks) {
      const list = byDoc.get(b.doc);
      if (list) list.push(b);
      else byDoc.set(b.doc, [b]);
    }
    // Documents this batch creates are written without reading; any other is read first, to keep the
    // blocks its record holds (and, when it turns out not to be stored, to keep this batch's in it).
    const fresh = batch.docs.filter((d) => created.has(d.id)).map((d) => withInline(d, byDoc.get(d.id) ?? []));
    const others = batch.docs.filter((d) => !created.has(d.id));
    const recorded = new Set(batch.docs.map((d) => d.id));
    const loose = batch.blocks.filter((b) => !recorded.has(b.doc));
    const needBlocks = others.length > 0 || loose.length > 0 || fresh.some((f) => f.rest.length > 0);
    const names = [...(needBlocks ? ['blocks'] : []), 'docs', ...(meta.length ? ['meta'] : []), ...(cols.length ? ['collections'] : [])];
    return new Promise<void>((resolve, reject) => {
      const fail = (why: unknown): void => reject(new StoreError(`commit failed, nothing was written: ${why instanceof Error || why instanceof DOMException ? why.message : String(why)}`));
      let tx: IDBTransaction;
      try {
        tx = raw.transaction(names, 'readwrite');
      } catch (err) {
        fail(err);
        return;
      }
      let failure: unknown;
      tx.oncomplete = () => resolve();
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
      guarded(() => {
        const docs = tx.objectStore('docs');
        const blocks = needBlocks ? tx.objectStore('blocks') : undefined;
        for (const d of others) {
          const req = docs.get(d.id);
          req.onsuccess = () => guarded(() => {
            const old = req.result as StoredDoc | undefined;
            const mine = byDoc.get(d.id) ?? [];
            if (old) {
              for (const b of mine) blocks!.put(b);
              docs.put(old.cids ? { ...d, cids: old.cids, inline: old.inline! } : d);
            } else {
              const { stored, rest } = withInline(d, mine);
              for (const b of rest) blocks!.put(b);
              docs.put(stored);
            }
          });
        }
        const writes: Array<() => IDBRequest> = [];
        for (const b of loose) writes.push(() => blocks!.put(b));
        for (const f of fresh) {
          // `add`: a document named as created that is stored after all fails the whole batch.
          writes.push(() => {
            const req = docs.add(f.stored);
            req.onerror = () => { failure = `document ${f.stored.id} is already stored`; };
            return req;
          });
          for (const b of f.rest) writes.push(() => blocks!.put(b));
        }
        if (meta.length) {
          const m = tx.objectStore('meta');
          for (const [k, v] of meta) writes.push(() => m.put(v, k));
        }
        if (cols.length) {
          const c = tx.objectStore('collections');
          for (const r of cols) writes.push(() => c.put(r));
        }
        // Each put copies its record on this thread: a large batch is issued PUT_SLICE records at a time, the
        // next slice from the success of the previous one's last request (the transaction stays open), so a
        // commit of 500 blocks is not one long task.
        const issue = (from: number): void => guarded(() => {
          const end = Math.min(writes.length, from + PUT_SLICE);
          let last: IDBRequest | undefined;
          for (let i = from; i < end; i++) last = writes[i]!();
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
