import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createBlock, createBlockAsync, decodeBlock, deriveDocId, encodeBlock, generateSecretKey, identityFromSecretKey, type BlockCid, type DocId } from '../core/index.js';
import { MemoryStore, createMemoryData } from '../store/memory-store.js';
import type { CommitBatch } from '../store/types.js';
import { deleteIdbStore, openIdbStore } from '../store/idb-store.js';
import { Database, FIRST_SLICE_DOCS, type ChangeEvent, type RangePart } from './database.js';
import { USER_SDL, memoryDb } from '../../test/helpers/db.js';
import { mayPack } from './records.js';

async function errorOf(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => undefined, (x: Error) => x);
  if (!e) throw new Error('expected a rejection');
  return e;
}

/** Everything a node holds, for "nothing changed" checks. */
async function snapshot(db: Database) {
  const out: Record<string, unknown> = { collections: db.collections().map((c) => c.id) };
  for (const c of db.collections()) out[c.name] = await db.list(c.name, { includeDeleted: true });
  return JSON.stringify(out);
}

describe('collections', () => {
  it('stamps collections with the injected clock and writes all types of one SDL in one commit', async () => {
    const data = createMemoryData();
    const db = await memoryDb({ data, user: false, now: () => 1234 });
    const commits: number[] = [];
    const store = (db as unknown as { store: { commit(b: { collections?: unknown[] }): Promise<void> } }).store;
    const commit = store.commit.bind(store);
    store.commit = async (b) => { commits.push(b.collections?.length ?? 0); return commit(b); };
    const added = await db.addSchema('type A { x: Int }\ntype B { y: String }\ntype C { z: Boolean }');
    expect(added.map((c) => c.addedAt)).toEqual([1234, 1234, 1234]);
    expect(commits).toEqual([3]);
    expect(data.collections.size).toBe(3);
  });

  it('adds SDL collections; the same SDL again is a no-op', async () => {
    const db = await memoryDb({ user: false });
    const [user] = await db.addSchema(USER_SDL);
    expect(user!.name).toBe('User');
    const again = await db.addSchema(USER_SDL);
    expect(again[0]!.id).toBe(user!.id);
    expect(db.collections()).toHaveLength(1);
  });

  it('adds several types at once', async () => {
    const db = await memoryDb({ user: false });
    await db.addSchema('type A { x: Int } type B { y: String }');
    expect(db.collections().map((c) => c.name).sort()).toEqual(['A', 'B']);
  });

  it('refuses another definition under an existing name, naming the fields, and adds nothing', async () => {
    const db = await memoryDb();
    const before = await snapshot(db);
    const err = await errorOf(db.addSchema('type Post { t: String } type User { name: String age: String }'));
    expect(err.name).toBe('SchemaConflictError');
    expect(err.message).toContain('age is Int in the existing schema, String in the new one');
    expect(err.message).toContain('verified is only in the existing schema');
    expect(await snapshot(db)).toBe(before);
  });

  it('rejects malformed SDL with a named error', async () => {
    const db = await memoryDb();
    const err = await errorOf(db.addSchema('type User { name String }'));
    expect(err.name).toBe('SchemaParseError');
    expect(err.message).toMatch(/line 1, column \d+/);
  });
});

describe('documents', () => {
  it('create, get, update (partial), delete', async () => {
    const db = await memoryDb();
    const doc = await db.create('User', { name: 'Ann', age: 30, verified: true, points: 1.5 });
    expect(doc.id).toMatch(/^bae-[0-9a-f-]{36}$/);
    expect(doc.id).toBe(deriveDocId(db.collection('User').id, { name: 'Ann', age: 30, verified: true, points: 1.5 }));
    expect((await db.get('User', doc.id))!.fields).toEqual({ name: 'Ann', age: 30, verified: true, points: 1.5 });
    const upd = await db.update('User', doc.id, { age: 31 });
    expect(upd.fields).toEqual({ name: 'Ann', age: 31, verified: true, points: 1.5 });
    const cleared = await db.update('User', doc.id, { points: null });
    expect(cleared.fields).toEqual({ name: 'Ann', age: 31, verified: true });
    await db.delete('User', doc.id);
    expect(await db.get('User', doc.id)).toBeUndefined();
    expect((await db.get('User', doc.id, { includeDeleted: true }))!.deleted).toBe(true);
    expect(await db.list('User')).toEqual([]);
  });

  it('lists with filters and sort', async () => {
    const db = await memoryDb();
    await db.create('User', { name: 'Cy', age: 20, verified: true });
    await db.create('User', { name: 'Al', age: 40, verified: false });
    await db.create('User', { name: 'Bo', age: 30, verified: true });
    await db.create('User', { name: 'Di' });
    expect((await db.list('User')).map((d) => d.fields.name)).toEqual(['Cy', 'Al', 'Bo', 'Di']);
    expect((await db.list('User', { where: { verified: true } })).map((d) => d.fields.name)).toEqual(['Cy', 'Bo']);
    expect((await db.list('User', { sort: { field: 'age' } })).map((d) => d.fields.name)).toEqual(['Cy', 'Bo', 'Al', 'Di']);
    expect((await db.list('User', { sort: { field: 'name', order: 'desc' } })).map((d) => d.fields.name)).toEqual(['Di', 'Cy', 'Bo', 'Al']);
    expect((await errorOf(db.list('User', { where: { nope: 1 } }))).name).toBe('ValidationError');
  });

  it('filters read the collection from memory once, and stay right after local writes, deletes and blocks from a peer', async () => {
    const data = createMemoryData();
    const db = await memoryDb({ data });
    const peerDb = await memoryDb();
    const sent: Array<{ cid: BlockCid; bytes: Uint8Array }> = [];
    peerDb.on('change', (e) => sent.push(...e.blocks));
    const store = (db as unknown as { store: { listDocs(c: string): Promise<unknown[]> } }).store;
    const listDocs = store.listDocs.bind(store);
    let reads = 0;
    store.listDocs = async (c) => { reads++; return listDocs(c); };
    const adults = async () => (await db.list('User', { filter: { age: { _ge: 18 } }, sort: { field: 'name' } })).map((d) => d.fields.name);
    const al = await db.create('User', { name: 'Al', age: 40 });
    await db.create('User', { name: 'Kid', age: 9 });
    expect(await adults()).toEqual(['Al']);
    await db.create('User', { name: 'Bo', age: 30 });
    const kid = (await db.list('User', { where: { name: 'Kid' } }))[0]!;
    await db.update('User', kid.id, { age: 19 });
    expect(await adults()).toEqual(['Al', 'Bo', 'Kid']);
    await db.delete('User', al.id);
    expect(await adults()).toEqual(['Bo', 'Kid']);
    await peerDb.create('User', { name: 'Remote', age: 50 });
    await db.applyBlocks(sent, 'peer' as never);
    expect(await adults()).toEqual(['Bo', 'Kid', 'Remote']);
    expect(reads).toBe(1);
    // What a query returns cannot be changed by its caller.
    const [bo] = await db.list('User', { where: { name: 'Bo' } });
    expect(() => { (bo!.fields as Record<string, unknown>).age = 1; }).toThrow();
    expect((await db.get('User', bo!.id))!.fields.age).toBe(30);
  });

  it('rejects bad input with named errors and stores nothing', async () => {
    const db = await memoryDb();
    const ann = await db.create('User', { name: 'Ann' });
    const before = await snapshot(db);
    const bad = await errorOf(db.create('User', { name: 'Bob', age: 'abc' }));
    expect(bad.name).toBe('ValidationError');
    expect(bad.message).toBe('age: expected Int, got "abc"');
    expect((await errorOf(db.create('User', { email: 'x' }))).name).toBe('ValidationError');
    expect((await errorOf(db.create('Nope', { name: 'x' }))).name).toBe('UnknownCollectionError');
    expect((await errorOf(db.create('User', { name: 'Ann' }))).name).toBe('DocumentExistsError');
    expect((await errorOf(db.update('User', ann.id, { age: 1.5 }))).name).toBe('ValidationError');
    expect((await errorOf(db.update('User', 'bae-00000000-0000-5000-8000-000000000000', { age: 1 }))).name).toBe('DocumentNotFoundError');
    expect((await errorOf(db.update('User', 'not-an-id', { age: 1 }))).name).toBe('InvalidIdError');
    expect((await errorOf(db.createMany('User', [{ name: 'Z' }, { name: 'Z' }]))).name).toBe('DocumentExistsError');
    expect((await errorOf(db.createMany('User', [{ name: 'Y' }, { age: 'x' }]))).name).toBe('ValidationError');
    expect(await snapshot(db)).toBe(before);
    await db.delete('User', ann.id);
    expect((await errorOf(db.delete('User', ann.id))).name).toBe('DocumentNotFoundError');
    expect((await errorOf(db.create('User', { name: 'Ann' }))).message).toContain('deleted');
  });

  it('an update that changes nothing writes no block', async () => {
    const db = await memoryDb();
    const doc = await db.create('User', { name: 'Ann' });
    const same = await db.update('User', doc.id, { name: 'Ann' });
    expect(same.heads).toEqual(doc.heads);
  });

  it('emits typed change events with origin and the new blocks', async () => {
    const db = await memoryDb();
    const events: ChangeEvent[] = [];
    db.on('change', (e) => events.push(e));
    const doc = await db.create('User', { name: 'Ann' });
    await db.update('User', doc.id, { age: 2 });
    await db.delete('User', doc.id);
    expect(events.map((e) => e.origin)).toEqual(['local', 'local', 'local']);
    expect(events.every((e) => e.docs[0] === doc.id && e.blocks.length === 1)).toBe(true);
    const b = createBlock; // keep import used for type tests below
    expect(typeof b).toBe('function');
  });
});

describe('group commit and digest', () => {
  it('concurrent creates commit together; each settles on its own', async () => {
    const db = await memoryDb();
    const events: ChangeEvent[] = [];
    db.on('change', (e) => events.push(e));
    const inputs = Array.from({ length: 40 }, (_, i) => ({ name: `n${i}` }));
    const results = await Promise.allSettled([...inputs, { name: 'n3' }, { age: 'bad' }].map((f) => db.create('User', f)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(40);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).name);
    expect(failures.sort()).toEqual(['DocumentExistsError', 'ValidationError']);
    expect((await db.list('User')).length).toBe(40);
    expect(events.length).toBeLessThan(40); // grouped into fewer transactions and events
    expect(events.reduce((n, e) => n + e.docs.length, 0)).toBe(40);
  });

  it('a cached digest follows local writes', async () => {
    const db = await memoryDb();
    const col = db.collection('User').id;
    const empty = await db.digest(col);
    const doc = await db.create('User', { name: 'd' });
    const one = await db.digest(col);
    expect(one.count).toBe(empty.count + 1);
    await db.update('User', doc.id, { age: 2 });
    await db.delete('User', doc.id);
    const three = await db.digest(col);
    expect(three.count).toBe(3);
    const fresh = await Database.open({ store: db.store });
    expect(await fresh.digest(col)).toEqual(three);
  });
});

describe('foreign blocks', () => {
  it('applies blocks from a peer, reports missing parents, skips duplicates', async () => {
    const a = await memoryDb();
    const b = await memoryDb();
    const sent: { cid: BlockCid; bytes: Uint8Array }[] = [];
    a.on('change', (e) => sent.push(...e.blocks));
    const doc = await a.create('User', { name: 'Ann' });
    await a.update('User', doc.id, { age: 1 });
    await a.update('User', doc.id, { age: 2 });
    const peer = 'peer-a' as never;
    // The last block alone: its parent is missing.
    const r1 = await b.applyBlocks([sent[2]!], peer);
    expect(r1.applied).toEqual([]);
    expect(r1.missing).toEqual([sent[1]!.cid]);
    expect(await b.get('User', doc.id)).toBeUndefined();
    // Everything, shuffled, with a duplicate.
    const events: ChangeEvent[] = [];
    b.on('change', (e) => events.push(e));
    const r2 = await b.applyBlocks([sent[2]!, sent[0]!, sent[1]!, sent[0]!], peer);
    expect(r2.applied).toHaveLength(3);
    expect(r2.missing).toEqual([]);
    expect((await b.get('User', doc.id))!.fields).toEqual({ name: 'Ann', age: 2 });
    expect(await b.heads(doc.id)).toEqual(await a.heads(doc.id));
    expect(events).toHaveLength(1);
    expect(events[0]!.origin).toBe(peer);
    const r3 = await b.applyBlocks(sent, peer);
    expect(r3.duplicates).toBe(3);
    expect(r3.applied).toEqual([]);
    expect(await b.digest(b.collection('User').id)).toEqual(await a.digest(a.collection('User').id));
  });

  it('a live update (building on every head) is applied without reading the blocks store; an old block still counts as a duplicate', async () => {
    const a = await memoryDb();
    const data = createMemoryData();
    const b = await memoryDb({ data });
    const sent: { cid: BlockCid; bytes: Uint8Array }[] = [];
    a.on('change', (e) => sent.push(...e.blocks));
    const doc = await a.create('User', { name: 'Ann' });
    await b.applyBlocks([...sent], 'peer' as never);
    const store = (b as unknown as { store: { hasBlocks(c: readonly string[]): Promise<boolean[]> } }).store;
    const hasBlocks = store.hasBlocks.bind(store);
    const asked: string[][] = [];
    store.hasBlocks = async (c) => { asked.push([...c]); return hasBlocks(c); };
    for (let i = 1; i <= 3; i++) {
      await a.update('User', doc.id, { age: i });
      expect((await b.applyBlocks([sent[i]!], 'peer' as never)).applied).toEqual([sent[i]!.cid]);
    }
    expect(asked).toEqual([]);
    expect((await b.get('User', doc.id))!.fields.age).toBe(3);
    // A fresh engine over the same data (empty caches): blocks already stored are found by reading.
    const b2 = await Database.open({ store: new MemoryStore(data) });
    await b2.get('User', doc.id); // its record is cached now; the blocks are not
    const again = await b2.applyBlocks([sent[1]!, sent[3]!], 'peer' as never);
    expect(again.applied).toEqual([]);
    expect(again.duplicates).toBe(2);
    expect((await b2.get('User', doc.id))!.fields.age).toBe(3);
  });

  it('rejects bad blocks with named errors and leaves the store unchanged', async () => {
    const a = await memoryDb();
    const b = await memoryDb();
    const blocks: { cid: BlockCid; bytes: Uint8Array }[] = [];
    a.on('change', (e) => blocks.push(...e.blocks));
    await a.create('User', { name: 'Ann' });
    await b.create('User', { name: 'Local' });
    const before = await snapshot(b);
    const tampered = blocks[0]!.bytes.slice();
    tampered[tampered.length - 3]! ^= 0xff;
    const other = await memoryDb({ user: false });
    await other.addSchema('type Post { title: String }');
    const postBlocks: Uint8Array[] = [];
    other.on('change', (e) => postBlocks.push(e.blocks[0]!.bytes));
    await other.create('Post', { title: 'x' });
    const forged = encodeBlock({ ...(await import('../core/block.js')).decodeBlock(blocks[0]!.bytes).block, author: identityFromSecretKey(generateSecretKey()).publicKey });
    const r = await b.applyBlocks([
      { bytes: tampered, cid: blocks[0]!.cid },
      { bytes: new Uint8Array([0xff, 0x00]) },
      { bytes: forged.bytes },
      { bytes: postBlocks[0]! },
    ], 'peer' as never);
    expect(r.rejected.map((x) => x.error.name)).toEqual(['BlockCidMismatchError', 'BlockDecodeError', 'InvalidSignatureError', 'UnknownCollectionError']);
    expect(r.applied).toEqual([]);
    expect(await snapshot(b)).toBe(before);
  });

  it('applies only blocks it verified itself', async () => {
    const a = await memoryDb();
    const b = await memoryDb();
    const sent: { cid: BlockCid; bytes: Uint8Array }[] = [];
    a.on('change', (e) => sent.push(...e.blocks));
    const doc = await a.create('User', { name: 'v' });
    const { decodeBlock } = await import('../core/block.js');
    const forged = decodeBlock(sent[0]!.bytes) as never;
    expect((await errorOf(b.applyVerifiedBlocks([forged], 'p' as never))).message).toContain('only blocks returned by verifyBlocks');
    const { verified, rejected } = await b.verifyBlocks(sent);
    expect(rejected).toEqual([]);
    expect((await b.applyVerifiedBlocks(verified, 'p' as never)).applied).toEqual([sent[0]!.cid]);
    expect((await b.get('User', doc.id))!.fields.name).toBe('v');
  });

  it('rejects a block whose parent belongs to another document', async () => {
    const a = await memoryDb();
    const sent: { cid: BlockCid; bytes: Uint8Array }[] = [];
    a.on('change', (e) => sent.push(...e.blocks));
    const d1 = await a.create('User', { name: 'One' });
    const d2 = await a.create('User', { name: 'Two' });
    const evil = await createBlockAsync({ collection: a.collection('User').id, doc: d2.id, parents: [sent[0]!.cid], clock: [Date.now() + 5, 0], set: { age: 1 } }, a.identity);
    const b = await memoryDb();
    const r = await b.applyBlocks([...sent, evil], 'p' as never);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]!.error.name).toBe('InvalidBlockError');
    expect((await b.get('User', d2.id))!.fields).toEqual({ name: 'Two' });
    expect(d1.id).not.toBe(d2.id);
  });

  it('lists exactly the blocks a peer lacks, per document and per collection', async () => {
    const a = await memoryDb();
    const b = await memoryDb();
    const sent: { cid: BlockCid; bytes: Uint8Array }[] = [];
    a.on('change', (e) => sent.push(...e.blocks));
    const d1 = await a.create('User', { name: 'One' });
    const d2 = await a.create('User', { name: 'Two' });
    await b.applyBlocks(sent.slice(), 'a' as never);
    await a.update('User', d1.id, { age: 5 });
    await a.update('User', d1.id, { age: 6 });
    const d3 = await a.create('User', { name: 'Three' });
    const lack = await a.missingBlocks(d1.id, await b.heads(d1.id));
    expect(lack.map((x) => x.cid)).toEqual([sent[2]!.cid, sent[3]!.cid]);
    const col = a.collection('User').id;
    const { blocks: all, resume } = await a.missingInRange(col, null, null, await b.collectionHeads(col));
    expect(resume).toBeNull();
    expect(all.map((x) => x.cid).sort()).toEqual([sent[2]!.cid, sent[3]!.cid, sent[4]!.cid].sort());
    expect(await a.digest(col)).not.toEqual(await b.digest(col));
    const r = await b.applyBlocks(all, 'a' as never);
    expect(r.missing).toEqual([]);
    expect(await b.digest(col)).toEqual(await a.digest(col));
    expect((await b.get('User', d3.id))!.fields.name).toBe('Three');
    expect((await a.missingInRange(col, null, null, await b.collectionHeads(col))).blocks).toEqual([]);
    expect(d2.id).toBeDefined();
    expect((await a.getBlocks([sent[0]!.cid, 'bafynope' as BlockCid]))[1]).toBeUndefined();
  });

  it('answers a range while reading it: the first blocks after one small read, where to resume before the last blocks', async () => {
    const a = await memoryDb();
    const docs = await a.createMany('User', Array.from({ length: 600 }, (_, i) => ({ name: `r${i}` })));
    const ids = docs.map((d) => d.id).sort();
    const col = a.collection('User').id;
    const store = (a as unknown as { store: { blocksOfDocRange(f: string, t: string): Promise<unknown[]>; blocksOfDocs(d: readonly string[]): Promise<unknown[]> } }).store;
    let reads = 0;
    for (const m of ['blocksOfDocRange', 'blocksOfDocs'] as const) {
      const f = (store[m] as (...x: unknown[]) => Promise<unknown[]>).bind(store);
      (store as Record<string, unknown>)[m] = async (...x: unknown[]) => { reads++; return f(...x); };
    }
    const parts = a.missingInRangeParts(col, null, null, new Map())[Symbol.asyncIterator]();
    const first = (await parts.next()).value as RangePart;
    expect(reads).toBe(1);
    expect('blocks' in first && first.blocks.map((b) => decodeBlock(b.bytes, b.cid).block.doc)).toEqual(ids.slice(0, FIRST_SLICE_DOCS));
    const rest: RangePart[] = [];
    for (let r = await parts.next(); !r.done; r = await parts.next()) rest.push(r.value);
    expect(rest.every((p) => 'blocks' in p)).toBe(true);
    expect(rest.flatMap((p) => ('blocks' in p ? p.blocks : [])).length).toBe(600 - FIRST_SLICE_DOCS);
    // A page bounded by documents: where the next starts comes before the last slice's blocks.
    const kinds = async (opts: { maxDocs?: number; maxBlocks?: number }) => {
      const out: Array<string | number> = [];
      for await (const p of a.missingInRangeParts(col, null, null, new Map(), opts)) out.push('resume' in p ? p.resume : p.blocks.length);
      return out;
    };
    expect(await kinds({ maxDocs: 400 })).toEqual([FIRST_SLICE_DOCS, ids[399]!, 400 - FIRST_SLICE_DOCS]);
    // Bounded by blocks: cut after the last whole document that fits.
    expect(await kinds({ maxBlocks: 300 })).toEqual([FIRST_SLICE_DOCS, ids[299]!, 300 - FIRST_SLICE_DOCS]);
    expect(await kinds({ maxBlocks: FIRST_SLICE_DOCS })).toEqual([FIRST_SLICE_DOCS, ids[FIRST_SLICE_DOCS - 1]!]);
    // The collected form says the same.
    expect(await a.missingInRange(col, null, null, new Map(), { maxBlocks: 300 }).then((r) => [r.blocks.length, r.resume])).toEqual([300, ids[299]]);
    await a.close();
  });

  it('answers a range in DocID order, each document\'s blocks parents first (new documents arrive as DocID-neighbours)', async () => {
    const a = await memoryDb();
    const docs = await a.createMany('User', Array.from({ length: 40 }, (_, i) => ({ name: `n${i}` })));
    // Later edits of early-created documents: in clock order these would come last.
    for (const d of docs.slice(0, 5)) await a.update('User', d.id, { age: 7 });
    const col = a.collection('User').id;
    const { blocks } = await a.missingInRange(col, null, null, new Map());
    const sent = blocks.map((b) => decodeBlock(b.bytes, b.cid));
    const order = sent.map((b) => b.block.doc);
    expect(order).toEqual([...order].sort());
    for (const d of docs.slice(0, 5)) {
      const mine = sent.filter((b) => b.block.doc === d.id);
      expect(mine).toHaveLength(2);
      expect(mine[1]!.block.parents).toEqual([mine[0]!.cid]);
    }
    await a.close();
  });

  it('asks the store to keep together the documents created together (createMany, creates fired at once, a ranged pull, a large gossip batch), and no others', async () => {
    const store = new MemoryStore(createMemoryData());
    const batches: CommitBatch[] = [];
    const commit = store.commit.bind(store);
    store.commit = (b) => { batches.push(b); return commit(b); };
    const a = await Database.open({ store });
    await a.addSchema(USER_SDL);
    const packed = () => batches.filter((b) => b.pack).map((b) => b.created?.length ?? 0);
    await a.createMany('User', Array.from({ length: 12 }, (_, i) => ({ name: `m${i}` })));
    expect(packed()).toEqual([12]);
    await a.create('User', { name: 'alone' });
    await Promise.all(Array.from({ length: 10 }, (_, i) => a.create('User', { name: `g${i}` })));
    expect(packed()).toEqual([12, 10]);
    const sent: { cid: BlockCid; bytes: Uint8Array }[] = [];
    const b = await memoryDb();
    b.on('change', (e) => sent.push(...e.blocks));
    await b.createMany('User', Array.from({ length: 6 }, (_, i) => ({ name: `r${i}` })));
    await a.applyBlocks(sent.slice(0, 1), 'p' as never);
    await a.applyBlocks(sent.slice(1, 3), 'p' as never, { pack: 'neighbours' });
    await a.applyBlocks(sent.slice(3), 'p' as never, { pack: 'together' });
    expect(packed()).toEqual([12, 10, 2, 3]);
    // Created together but few against what is stored (their DocIDs scattered): kept a record each.
    await a.createMany('User', Array.from({ length: 1200 }, (_, i) => ({ name: `big${i}` })));
    sent.length = 0;
    await b.createMany('User', Array.from({ length: 12 }, (_, i) => ({ name: `late${i}` })));
    await a.applyBlocks(sent.slice(0, 6), 'p' as never, { pack: 'together' });
    await a.createMany('User', Array.from({ length: 12 }, (_, i) => ({ name: `few${i}` })));
    expect(packed()).toEqual([12, 10, 2, 3, 1200]);
    await a.applyBlocks(sent.slice(6), 'p' as never, { pack: 'neighbours' });
    expect(packed()).toEqual([12, 10, 2, 3, 1200, 6]);
    await a.close();
    await b.close();
  });

  it('packs documents created together only when they are at least 1/100 of what is stored; a ranged page always', () => {
    expect(mayPack('together', 100, 9_900)).toBe(true);
    expect(mayPack('together', 100, 9_901)).toBe(false);
    expect(mayPack('together', 1000, 99_000)).toBe(true);
    expect(mayPack('together', 1000, 99_001)).toBe(false);
    expect(mayPack('neighbours', 10, 1_000_000)).toBe(true);
  });

  it('concurrent edits: the later clock wins the field, other fields keep both edits', async () => {
    let t = 1000;
    const a = await memoryDb({ now: () => t });
    const b = await memoryDb({ now: () => t });
    const aBlocks: { cid: BlockCid; bytes: Uint8Array }[] = [];
    const bBlocks: { cid: BlockCid; bytes: Uint8Array }[] = [];
    a.on('change', (e) => e.origin === 'local' && aBlocks.push(...e.blocks));
    b.on('change', (e) => e.origin === 'local' && bBlocks.push(...e.blocks));
    const doc = await a.create('User', { name: 'Ann', age: 1 });
    await b.applyBlocks(aBlocks, 'a' as never);
    t = 2000;
    await a.update('User', doc.id, { name: 'from A', age: 10 });
    t = 3000;
    await b.update('User', doc.id, { name: 'from B', verified: true });
    await a.applyBlocks(bBlocks, 'b' as never);
    await b.applyBlocks(aBlocks, 'a' as never);
    const fa = (await a.get('User', doc.id))!;
    const fb = (await b.get('User', doc.id))!;
    expect(fa.fields).toEqual({ name: 'from B', age: 10, verified: true });
    expect(fb.fields).toEqual(fa.fields);
    expect(fa.heads).toHaveLength(2);
    expect([...fb.heads].sort()).toEqual([...fa.heads].sort());
  });
});

describe('persistence', () => {
  it('memory: everything is there after close and reopen', async () => {
    const data = createMemoryData();
    const db = await memoryDb({ data });
    const doc = await db.create('User', { name: 'Ann' });
    const pub = db.identity.publicKey;
    await db.close();
    const again = await Database.open({ store: new (await import('../store/memory-store.js')).MemoryStore(data) });
    expect((await again.get('User', doc.id))!.fields.name).toBe('Ann');
    expect(again.identity.publicKey).toEqual(pub);
  });

  it('IndexedDB: collections, documents, deletes, identity and clock survive a reopen', async () => {
    const name = `persist-${process.pid}`;
    await deleteIdbStore(name);
    const db = await Database.open({ store: await openIdbStore(name) });
    await db.addSchema(USER_SDL);
    const ann = await db.create('User', { name: 'Ann', age: 3 });
    const bob = await db.create('User', { name: 'Bob' });
    await db.update('User', ann.id, { age: 4 });
    await db.delete('User', bob.id);
    const pub = db.identity.publicKey;
    await db.close();
    const again = await Database.open({ store: await openIdbStore(name) });
    expect(again.collections().map((c) => c.name)).toEqual(['User']);
    expect((await again.list('User')).map((d) => d.fields)).toEqual([{ name: 'Ann', age: 4 }]);
    expect((await again.get('User', bob.id as DocId, { includeDeleted: true }))!.deleted).toBe(true);
    expect(again.identity.publicKey).toEqual(pub);
    const next = await again.update('User', ann.id, { age: 5 });
    expect(next.fields.age).toBe(5);
    await again.close();
  });
});
