import { describe, expect, it } from 'vitest';
import type { BlockCid, DocId } from '../core/ids.js';
import { HeadsIndex } from './heads-index.js';
import { Records } from './records.js';
import { MemoryStore, createMemoryData } from '../store/memory-store.js';
import type { DocRecord } from '../store/types.js';
import { memoryDb } from '../../test/helpers/db.js';

const id = (n: number): DocId => `bae-${String(n).padStart(4, '0')}` as DocId;
const cid = (n: number): BlockCid => `bafy${n}` as BlockCid;

describe('HeadsIndex', () => {
  it('answers ranges in DocID order, including documents added after an ordered read', () => {
    const index = new HeadsIndex();
    for (const n of [5, 1, 9, 3]) index.set(id(n), [cid(n)]);
    expect(index.range(null, null, 10)).toEqual([id(1), id(3), id(5), id(9)]);
    index.set(id(4), [cid(4)]);
    index.set(id(3), [cid(33)]); // new heads of a known document
    expect(index.range(id(1), id(5), 10)).toEqual([id(3), id(4), id(5)]);
    expect(index.range(id(3), null, 2)).toEqual([id(4), id(5)]);
    expect(index.range(id(9), null, 10)).toEqual([]);
    expect(index.get(id(3))).toEqual([cid(33)]);
    expect(index.size).toBe(5);
  });

  it('hands out copies: a later change does not alter what was handed out', () => {
    const index = new HeadsIndex();
    index.set(id(1), [cid(1)]);
    const before = index.entries();
    index.set(id(1), [cid(2)]);
    index.set(id(2), [cid(3)]);
    expect([...before]).toEqual([[id(1), [cid(1)]]]);
  });
});

describe('Records.headsIndex', () => {
  it('includes a commit that lands while the index is being read from the store', async () => {
    const store = new MemoryStore(createMemoryData());
    const col = 'bafycol' as never;
    const rec = (n: number, heads: BlockCid[]): DocRecord => ({ id: id(n), collection: col, heads, state: { fields: {}, deleted: null, created: null } });
    await store.commit({ blocks: [], docs: [rec(1, [cid(1)]), rec(2, [cid(2)])] });
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const list = store.listDocs.bind(store);
    store.listDocs = async (c) => { const read = await list(c); await gate; return read; };
    const records = new Records(store);
    const building = records.headsIndex(col);
    await records.commit([rec(2, [cid(22)]), rec(3, [cid(3)])], []);
    release();
    const index = await building;
    expect(index.entries()).toEqual(new Map([[id(1), [cid(1)]], [id(2), [cid(22)]], [id(3), [cid(3)]]]));
    // Later commits update it in place.
    await records.commit([rec(4, [cid(4)])], []);
    expect(index.get(id(4))).toEqual([cid(4)]);
  });

  it('collectionHeads and missingInRange follow writes after the first read', async () => {
    const db = await memoryDb();
    const col = db.collection('User').id;
    const a = await db.create('User', { name: 'a' });
    expect([...(await db.collectionHeads(col)).keys()]).toEqual([a.id]);
    const b = await db.create('User', { name: 'b' });
    const edited = await db.update('User', a.id, { name: 'a2' });
    const heads = await db.collectionHeads(col);
    expect([...heads.keys()]).toEqual([a.id, b.id].sort());
    expect(heads.get(a.id as DocId)).toEqual(edited.heads);
    // A peer holding a's first version only lacks a's edit and all of b.
    const first = (await db.missingBlocks(a.id as DocId, [])).at(0)!;
    const { blocks, resume } = await db.missingInRange(col, null, null, new Map([[a.id as DocId, [first.cid as BlockCid]]]));
    expect(resume).toBeNull();
    expect(blocks.map((x) => x.cid).sort()).toEqual([...edited.heads, ...b.heads].sort());
  });
});
