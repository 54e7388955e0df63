/** The IndexedDB Store (via `idb`): one database per node, one transaction per commit. */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
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
        // Another connection wants to upgrade or delete: step aside rather than block it.
        db.close();
      },
    });
    return new IdbStore(db);
  } catch (err) {
    throw new StoreError(`could not open IndexedDB database ${name}: ${(err as Error).message}`);
  }
}

/** A Store backed by IndexedDB. */
export class IdbStore implements Store {
  private closed = false;
  constructor(private readonly db: IDBPDatabase<Schema>) {}

  private check(): IDBPDatabase<Schema> {
    if (this.closed) throw new StoreError('store is closed');
    return this.db;
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

  async blocksOfCollection(collection: CollectionId): Promise<StoredBlock[]> {
    return this.check().getAllFromIndex('blocks', 'collection', collection);
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

  async blockCidsOf(collection: CollectionId): Promise<BlockCid[]> {
    return (await this.check().getAllKeysFromIndex('blocks', 'collection', collection)) as BlockCid[];
  }

  async commit(batch: CommitBatch): Promise<void> {
    const tx = this.check().transaction(['blocks', 'docs', 'meta'], 'readwrite');
    const done = tx.done;
    done.catch(() => undefined);
    try {
      // A put can throw synchronously (DataCloneError); abort so earlier puts of the batch are undone.
      const blocks = tx.objectStore('blocks');
      const docs = tx.objectStore('docs');
      const meta = tx.objectStore('meta');
      const writes: Promise<unknown>[] = [];
      const track = (p: Promise<unknown>): void => {
        p.catch(() => undefined); // an abort rejects every request; the transaction's outcome is what counts
        writes.push(p);
      };
      for (const b of batch.blocks) track(blocks.put(b));
      for (const d of batch.docs) track(docs.put(d));
      for (const [k, v] of batch.meta ?? []) track(meta.put(v, k));
      await Promise.all([...writes, done]);
    } catch (err) {
      try { tx.abort(); } catch { /* already finished */ }
      throw new StoreError(`commit failed, nothing was written: ${(err as Error).message}`);
    }
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
