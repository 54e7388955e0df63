/** The IndexedDB Store (via `idb`): one database per node, one transaction per commit. */
import { deleteDB, openDB, unwrap, type DBSchema, type IDBPDatabase } from 'idb';
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import { StoreError } from '../core/errors.js';
import type { CollectionRecord, CommitBatch, DocRecord, Store, StoredBlock } from './types.js';

interface Schema extends DBSchema {
  meta: { key: string; value: unknown };
  collections: { key: string; value: CollectionRecord };
  docs: { key: string; value: DocRecord; indexes: { collection: string } };
  blocks: { key: string; value: StoredBlock; indexes: { doc: string; collection: string } };
}

const VERSION = 1;

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
      upgrade(db) {
        db.createObjectStore('meta');
        db.createObjectStore('collections', { keyPath: 'id' });
        db.createObjectStore('docs', { keyPath: 'id' }).createIndex('collection', 'collection');
        const blocks = db.createObjectStore('blocks', { keyPath: 'cid' });
        blocks.createIndex('doc', 'doc');
        blocks.createIndex('collection', 'collection');
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
    return this.check().get('docs', id);
  }

  async getDocs(ids: readonly DocId[]): Promise<Array<DocRecord | undefined>> {
    const tx = this.check().transaction('docs', 'readonly');
    const out = await Promise.all(ids.map((id) => tx.store.get(id)));
    await tx.done;
    return out;
  }

  async listDocs(collection: CollectionId): Promise<DocRecord[]> {
    return this.check().getAllFromIndex('docs', 'collection', collection);
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
        out.push(d);
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
    return this.check().get('blocks', cid);
  }

  async getBlocks(cids: readonly BlockCid[]): Promise<Array<StoredBlock | undefined>> {
    const tx = this.check().transaction('blocks', 'readonly');
    const out = await Promise.all(cids.map((cid) => tx.store.get(cid)));
    await tx.done;
    return out;
  }

  async hasBlocks(cids: readonly BlockCid[]): Promise<boolean[]> {
    const tx = this.check().transaction('blocks', 'readonly');
    const out = await Promise.all(cids.map(async (cid) => (await tx.store.getKey(cid)) !== undefined));
    await tx.done;
    return out;
  }

  async blocksOfDoc(doc: DocId): Promise<StoredBlock[]> {
    return this.check().getAllFromIndex('blocks', 'doc', doc);
  }

  async blocksOfDocs(docs: readonly DocId[]): Promise<StoredBlock[]> {
    const tx = this.check().transaction('blocks', 'readonly');
    const index = tx.store.index('doc');
    const out = await Promise.all(docs.map((d) => index.getAll(d)));
    await tx.done;
    return out.flat();
  }

  async blocksOfDocRange(from: DocId, to: DocId): Promise<StoredBlock[]> {
    if (from > to) return [];
    return this.check().getAllFromIndex('blocks', 'doc', IDBKeyRange.bound(from, to));
  }

  async blockCidsOf(collection: CollectionId): Promise<BlockCid[]> {
    return (await this.check().getAllKeysFromIndex('blocks', 'collection', collection)) as BlockCid[];
  }

  async commit(batch: CommitBatch): Promise<void> {
    // The raw API on the hot path: one completion handler per transaction instead of a promise per
    // request, and only the object stores the batch writes (each store in a transaction costs).
    const raw = unwrap(this.check()) as IDBDatabase;
    const meta = batch.meta ?? [];
    const cols = batch.collections ?? [];
    const names = ['blocks', 'docs', ...(meta.length ? ['meta'] : []), ...(cols.length ? ['collections'] : [])];
    return new Promise<void>((resolve, reject) => {
      const fail = (why: unknown): void => reject(new StoreError(`commit failed, nothing was written: ${why instanceof Error || why instanceof DOMException ? why.message : String(why)}`));
      let tx: IDBTransaction;
      try {
        tx = raw.transaction(names, 'readwrite');
      } catch (err) {
        fail(err);
        return;
      }
      tx.oncomplete = () => resolve();
      tx.onabort = () => fail(tx.error ?? 'aborted');
      try {
        const blocks = tx.objectStore('blocks');
        const docs = tx.objectStore('docs');
        for (const b of batch.blocks) blocks.put(b);
        for (const d of batch.docs) docs.put(d);
        if (meta.length) {
          const m = tx.objectStore('meta');
          for (const [k, v] of meta) m.put(v, k);
        }
        if (cols.length) {
          const c = tx.objectStore('collections');
          for (const r of cols) c.put(r);
        }
      } catch (err) {
        // A put can throw synchronously (DataCloneError): abort so earlier puts of the batch are undone.
        tx.onabort = null;
        try { tx.abort(); } catch { /* already finished */ }
        fail(err);
      }
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
