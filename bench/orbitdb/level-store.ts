/**
 * A bench-only Store on LevelDB (the `level` package OrbitDB itself uses, classic-level on disk), so our Node
 * figures use the same kind of storage as OrbitDB's defaults. Values are encoded with v8.serialize (Node's
 * structured clone, as IndexedDB stores them); every commit is one atomic LevelDB batch. Not part of the app.
 */
import { serialize, deserialize } from 'node:v8';
import { Level } from 'level';
import type { BlockCid, CollectionId, DocId } from '../../src/core/ids.js';
import type { CollectionRecord, CommitBatch, DocRecord, Store, StoredBlock } from '../../src/store/types.js';

const SEP = '\x00';
const k = (...parts: string[]): string => parts.join(SEP);
const enc = (v: unknown): Buffer => serialize(v);
const dec = <T>(b: Buffer | undefined): T | undefined => (b === undefined ? undefined : (deserialize(b) as T));

export class LevelStore implements Store {
  private constructor(private readonly db: Level<string, Buffer>) {}

  static async open(path: string): Promise<LevelStore> {
    const db = new Level<string, Buffer>(path, { valueEncoding: 'buffer' });
    await db.open();
    return new LevelStore(db);
  }

  private async prefixValues<T>(prefix: string): Promise<T[]> {
    const out: T[] = [];
    for await (const v of this.db.values({ gt: prefix + SEP, lt: prefix + SEP + '\xff' })) out.push(deserialize(v) as T);
    return out;
  }

  private async prefixKeys(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for await (const key of this.db.keys({ gt: prefix + SEP, lt: prefix + SEP + '\xff' })) out.push(key.slice(prefix.length + 1));
    return out;
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return dec<T>(await this.db.get(k('m', key)));
  }
  async putMeta(key: string, value: unknown): Promise<void> {
    await this.db.put(k('m', key), enc(value));
  }
  async listCollections(): Promise<CollectionRecord[]> {
    return this.prefixValues<CollectionRecord>('c');
  }
  async putCollection(record: CollectionRecord): Promise<void> {
    await this.db.put(k('c', record.id), enc(record));
  }
  async getDoc(id: DocId): Promise<DocRecord | undefined> {
    return dec<DocRecord>(await this.db.get(k('d', id)));
  }
  async getDocs(ids: readonly DocId[]): Promise<Array<DocRecord | undefined>> {
    if (!ids.length) return [];
    return (await this.db.getMany(ids.map((id) => k('d', id)))).map((b) => dec<DocRecord>(b));
  }
  async listDocs(collection: CollectionId): Promise<DocRecord[]> {
    const ids = await this.prefixKeys(k('dc', collection));
    return (await this.getDocs(ids as DocId[])).filter((d): d is DocRecord => d !== undefined);
  }
  async docsInRange(collection: CollectionId, after: DocId | null, upto: DocId | null, limit: number): Promise<DocRecord[]> {
    // The index keys sort by DocID, so a range is a slice of them (simple, not the fastest).
    const ids = ((await this.prefixKeys(k('dc', collection))) as DocId[])
      .filter((id) => (after === null || id > after) && (upto === null || id <= upto))
      .sort()
      .slice(0, Math.max(0, limit));
    return (await this.getDocs(ids)).filter((d): d is DocRecord => d !== undefined);
  }
  async docIds(): Promise<DocId[]> {
    return (await this.prefixKeys('d')) as DocId[];
  }
  async getBlock(cid: BlockCid): Promise<StoredBlock | undefined> {
    return dec<StoredBlock>(await this.db.get(k('b', cid)));
  }
  async getBlocks(cids: readonly BlockCid[]): Promise<Array<StoredBlock | undefined>> {
    if (!cids.length) return [];
    return (await this.db.getMany(cids.map((c) => k('b', c)))).map((b) => dec<StoredBlock>(b));
  }
  async hasBlocks(cids: readonly BlockCid[]): Promise<boolean[]> {
    if (!cids.length) return [];
    return (await this.db.getMany(cids.map((c) => k('b', c)))).map((b) => b !== undefined);
  }
  async blocksOfDoc(doc: DocId): Promise<StoredBlock[]> {
    return (await this.getBlocks((await this.prefixKeys(k('bd', doc))) as BlockCid[])).filter((b): b is StoredBlock => !!b);
  }
  async blocksOfDocs(docs: readonly DocId[]): Promise<StoredBlock[]> {
    return (await Promise.all(docs.map((d) => this.blocksOfDoc(d)))).flat();
  }
  async blocksOfDocRange(from: DocId, to: DocId): Promise<StoredBlock[]> {
    const ids = ((await this.prefixKeys('d')) as DocId[]).filter((id) => id >= from && id <= to);
    return this.blocksOfDocs(ids);
  }
  async blocksOfCollection(collection: CollectionId): Promise<StoredBlock[]> {
    return (await this.getBlocks(await this.blockCidsOf(collection))).filter((b): b is StoredBlock => !!b);
  }
  async blockCidsOf(collection: CollectionId): Promise<BlockCid[]> {
    return (await this.prefixKeys(k('bc', collection))) as BlockCid[];
  }
  async commit(batch: CommitBatch): Promise<void> {
    const ops: Array<{ type: 'put'; key: string; value: Buffer }> = [];
    const empty = Buffer.alloc(0);
    for (const b of batch.blocks) {
      ops.push({ type: 'put', key: k('b', b.cid), value: enc(b) });
      ops.push({ type: 'put', key: k('bd', b.doc, b.cid), value: empty });
      ops.push({ type: 'put', key: k('bc', b.collection, b.cid), value: empty });
    }
    for (const d of batch.docs) {
      ops.push({ type: 'put', key: k('d', d.id), value: enc(d) });
      ops.push({ type: 'put', key: k('dc', d.collection, d.id), value: empty });
    }
    for (const [key, v] of batch.meta ?? []) ops.push({ type: 'put', key: k('m', key), value: enc(v) });
    for (const c of batch.collections ?? []) ops.push({ type: 'put', key: k('c', c.id), value: enc(c) });
    await this.db.batch(ops);
  }
  async close(): Promise<void> {
    await this.db.close();
  }
}
