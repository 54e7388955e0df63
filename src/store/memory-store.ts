/** An in-memory Store for fast tests; copies on the way in and out, like a real database. */
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import { StoreError } from '../core/errors.js';
import type { CollectionRecord, CommitBatch, DocRecord, Store, StoredBlock } from './types.js';

const copy = <T>(v: T): T => structuredClone(v);

/** Shared backing data, so a "reopened" memory store sees what an earlier one wrote. */
export interface MemoryData {
  meta: Map<string, unknown>;
  collections: Map<CollectionId, CollectionRecord>;
  docs: Map<DocId, DocRecord>;
  blocks: Map<BlockCid, StoredBlock>;
}

/** Empty backing data for a memory store. */
export function createMemoryData(): MemoryData {
  return { meta: new Map(), collections: new Map(), docs: new Map(), blocks: new Map() };
}

/** A Store kept in memory. Pass the same `data` to simulate closing and reopening. */
export class MemoryStore implements Store {
  private closed = false;
  constructor(private readonly data: MemoryData = createMemoryData()) {}

  private check(): void {
    if (this.closed) throw new StoreError('store is closed');
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    this.check();
    return copy(this.data.meta.get(key)) as T | undefined;
  }

  async putMeta(key: string, value: unknown): Promise<void> {
    this.check();
    this.data.meta.set(key, copy(value));
  }

  async listCollections(): Promise<CollectionRecord[]> {
    this.check();
    return [...this.data.collections.values()].map(copy);
  }

  async putCollection(record: CollectionRecord): Promise<void> {
    this.check();
    this.data.collections.set(record.id, copy(record));
  }

  async getDoc(id: DocId): Promise<DocRecord | undefined> {
    this.check();
    return copy(this.data.docs.get(id));
  }

  async getDocs(ids: readonly DocId[]): Promise<Array<DocRecord | undefined>> {
    this.check();
    return ids.map((id) => copy(this.data.docs.get(id)));
  }

  async listDocs(collection: CollectionId): Promise<DocRecord[]> {
    this.check();
    return [...this.data.docs.values()].filter((d) => d.collection === collection).map(copy);
  }

  async docsInRange(collection: CollectionId, after: DocId | null, upto: DocId | null, limit: number): Promise<DocRecord[]> {
    this.check();
    return [...this.data.docs.values()]
      .filter((d) => d.collection === collection && (after === null || d.id > after) && (upto === null || d.id <= upto))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, Math.max(0, limit))
      .map(copy);
  }

  async docIds(): Promise<DocId[]> {
    this.check();
    return [...this.data.docs.keys()];
  }

  async getBlock(cid: BlockCid): Promise<StoredBlock | undefined> {
    this.check();
    return copy(this.data.blocks.get(cid));
  }

  async getBlocks(cids: readonly BlockCid[]): Promise<Array<StoredBlock | undefined>> {
    this.check();
    return cids.map((c) => copy(this.data.blocks.get(c)));
  }

  async hasBlocks(cids: readonly BlockCid[]): Promise<boolean[]> {
    this.check();
    return cids.map((c) => this.data.blocks.has(c));
  }

  async blocksOfDoc(doc: DocId): Promise<StoredBlock[]> {
    this.check();
    return [...this.data.blocks.values()].filter((b) => b.doc === doc).map(copy);
  }

  async blocksOfDocs(docs: readonly DocId[]): Promise<StoredBlock[]> {
    this.check();
    const wanted = new Set(docs);
    return [...this.data.blocks.values()].filter((b) => wanted.has(b.doc)).map(copy);
  }

  async blocksOfDocRange(from: DocId, to: DocId): Promise<StoredBlock[]> {
    this.check();
    return [...this.data.blocks.values()].filter((b) => b.doc >= from && b.doc <= to).map(copy);
  }

  async blockCidsOf(collection: CollectionId): Promise<BlockCid[]> {
    this.check();
    return [...this.data.blocks.values()].filter((b) => b.collection === collection).map((b) => b.cid);
  }

  async commit(batch: CommitBatch): Promise<void> {
    this.check();
    const exists = (batch.created ?? []).find((id) => this.data.docs.has(id));
    if (exists) throw new StoreError(`commit failed, nothing was written: document ${exists} is already stored`);
    // Copy everything first so a bad record leaves the store unchanged (all or nothing).
    let blocks: StoredBlock[], docs: DocRecord[], meta: Array<readonly [string, unknown]>, cols: CollectionRecord[];
    try {
      cols = (batch.collections ?? []).map(copy);
      blocks = batch.blocks.map(copy);
      docs = batch.docs.map(copy);
      meta = (batch.meta ?? []).map(([k, v]) => [k, copy(v)] as const);
    } catch (err) {
      throw new StoreError(`commit failed, nothing was written: ${(err as Error).message}`);
    }
    for (const b of blocks) this.data.blocks.set(b.cid, b);
    for (const d of docs) this.data.docs.set(d.id, d);
    for (const [k, v] of meta) this.data.meta.set(k, v);
    for (const c of cols) this.data.collections.set(c.id, c);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
