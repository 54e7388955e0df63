/**
 * The on-disk Store of headless (Node) peers: LevelDB through `classic-level`. Values are encoded with
 * v8.serialize (Node's structured clone, as IndexedDB stores them); every commit is one atomic LevelDB batch.
 * Keys (parts joined by NUL, so prefixes never collide):
 *   m/<key>                meta            c/<id>              collection records
 *   d/<docId>              document records dc/<collection>/<docId>  collection index (DocID order)
 *   b/<cid>                blocks          bd/<docId>/<cid>    blocks by document   bc/<collection>/<cid>
 * A write is acknowledged when LevelDB has it in its log: a killed process loses none (the log is replayed
 * on open); only a power loss could lose the last writes (`sync: false`, as IndexedDB's relaxed durability).
 * Node only: never imported by browser entries.
 */
import { deserialize, serialize } from 'node:v8';
import { ClassicLevel } from 'classic-level';
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import { StoreError } from '../core/errors.js';
import type { CollectionRecord, CommitBatch, DocRecord, Store, StoredBlock } from './types.js';

const SEP = '\x00';
const END = '\xff';
const k = (...parts: string[]): string => parts.join(SEP);
const enc = (v: unknown): Buffer => serialize(v);
const dec = <T>(b: Buffer | undefined): T | undefined => (b === undefined ? undefined : (deserialize(b) as T));

/** A Store on a LevelDB directory. */
export class LevelStore implements Store {
  private closed = false;

  private constructor(private readonly db: ClassicLevel<string, Buffer>, readonly path: string) {}

  /** Opens (creating when absent) the LevelDB store in `path`. Throws StoreError when it cannot (e.g. locked by another process). */
  static async open(path: string): Promise<LevelStore> {
    const db = new ClassicLevel<string, Buffer>(path, { valueEncoding: 'buffer' });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
      throw new StoreError(`cannot open the store in ${path}: ${cause}${/lock/i.test(cause) ? ' (is another node running on this directory?)' : ''}`);
    }
    return new LevelStore(db, path);
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreError('store is closed');
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`store operation failed: ${(err as Error).message}`);
    }
  }

  private async values<T>(prefix: string): Promise<T[]> {
    const out: T[] = [];
    for await (const v of this.db.values({ gt: prefix + SEP, lt: prefix + SEP + END })) out.push(deserialize(v) as T);
    return out;
  }

  private async keys(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for await (const key of this.db.keys({ gt: prefix + SEP, lt: prefix + SEP + END })) out.push(key.slice(prefix.length + 1));
    return out;
  }

  getMeta<T>(key: string): Promise<T | undefined> {
    return this.run(async () => dec<T>(await this.db.get(k('m', key))));
  }

  putMeta(key: string, value: unknown): Promise<void> {
    return this.run(() => this.db.put(k('m', key), enc(value)));
  }

  listCollections(): Promise<CollectionRecord[]> {
    return this.run(() => this.values<CollectionRecord>('c'));
  }

  putCollection(record: CollectionRecord): Promise<void> {
    return this.run(() => this.db.put(k('c', record.id), enc(record)));
  }

  getDoc(id: DocId): Promise<DocRecord | undefined> {
    return this.run(async () => dec<DocRecord>(await this.db.get(k('d', id))));
  }

  getDocs(ids: readonly DocId[]): Promise<Array<DocRecord | undefined>> {
    return this.run(async () => (ids.length ? (await this.db.getMany(ids.map((id) => k('d', id)))).map((b) => dec<DocRecord>(b)) : []));
  }

  private async docsOf(ids: readonly string[]): Promise<DocRecord[]> {
    if (!ids.length) return [];
    return (await this.db.getMany(ids.map((id) => k('d', id)))).map((b) => dec<DocRecord>(b)).filter((d): d is DocRecord => d !== undefined);
  }

  listDocs(collection: CollectionId): Promise<DocRecord[]> {
    return this.run(async () => this.docsOf(await this.keys(k('dc', collection))));
  }

  docIds(): Promise<DocId[]> {
    return this.run(async () => (await this.keys('d')) as DocId[]);
  }

  docsInRange(collection: CollectionId, after: DocId | null, upto: DocId | null, limit: number): Promise<DocRecord[]> {
    return this.run(async () => {
      if (limit <= 0) return [];
      const prefix = k('dc', collection);
      const ids: string[] = [];
      const range = {
        gt: after !== null ? prefix + SEP + after : prefix + SEP,
        ...(upto !== null ? { lte: prefix + SEP + upto } : { lt: prefix + SEP + END }),
        limit,
      };
      for await (const key of this.db.keys(range)) ids.push(key.slice(prefix.length + 1));
      return this.docsOf(ids);
    });
  }

  getBlock(cid: BlockCid): Promise<StoredBlock | undefined> {
    return this.run(async () => dec<StoredBlock>(await this.db.get(k('b', cid))));
  }

  getBlocks(cids: readonly BlockCid[]): Promise<Array<StoredBlock | undefined>> {
    return this.run(async () => (cids.length ? (await this.db.getMany(cids.map((c) => k('b', c)))).map((b) => dec<StoredBlock>(b)) : []));
  }

  hasBlocks(cids: readonly BlockCid[]): Promise<boolean[]> {
    return this.run(async () => (cids.length ? (await this.db.getMany(cids.map((c) => k('b', c)))).map((b) => b !== undefined) : []));
  }

  private async blocksOf(cids: readonly string[]): Promise<StoredBlock[]> {
    if (!cids.length) return [];
    return (await this.db.getMany(cids.map((c) => k('b', c)))).map((b) => dec<StoredBlock>(b)).filter((b): b is StoredBlock => b !== undefined);
  }

  blocksOfDoc(doc: DocId): Promise<StoredBlock[]> {
    return this.run(async () => this.blocksOf(await this.keys(k('bd', doc))));
  }

  blocksOfDocs(docs: readonly DocId[]): Promise<StoredBlock[]> {
    return this.run(async () => {
      const cids: string[] = [];
      for (const d of docs) cids.push(...(await this.keys(k('bd', d))));
      return this.blocksOf(cids);
    });
  }

  blocksOfDocRange(from: DocId, to: DocId): Promise<StoredBlock[]> {
    return this.run(async () => {
      // bd/<doc>/<cid> keys sort by DocID, so the range is one scan.
      const cids: string[] = [];
      for await (const key of this.db.keys({ gte: k('bd', from) + SEP, lt: k('bd', to) + SEP + END })) cids.push(key.slice(key.lastIndexOf(SEP) + 1));
      return this.blocksOf(cids);
    });
  }

  blockCidsOf(collection: CollectionId): Promise<BlockCid[]> {
    return this.run(async () => (await this.keys(k('bc', collection))) as BlockCid[]);
  }

  commit(batch: CommitBatch): Promise<void> {
    return this.run(async () => {
      const created = batch.created ?? [];
      if (created.length) {
        const found = await this.db.getMany(created.map((id) => k('d', id)));
        const i = found.findIndex((b) => b !== undefined);
        if (i >= 0) throw new StoreError(`commit failed, nothing was written: document ${created[i]} is already stored`);
      }
      const empty = Buffer.alloc(0);
      const ops: Array<{ type: 'put'; key: string; value: Buffer }> = [];
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
      if (ops.length) await this.db.batch(ops);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }
}
