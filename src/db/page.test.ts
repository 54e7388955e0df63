import { describe, expect, it } from 'vitest';
import { MemoryStore, createMemoryData } from '../store/memory-store.js';
import { Database } from './database.js';
import { USER_SDL } from '../../test/helpers/db.js';
import { createBlock, deriveDocId, generateSecretKey, identityFromSecretKey } from '../core/index.js';

/** A database whose store counts whole-collection reads. */
async function countingDb() {
  const store = new MemoryStore(createMemoryData());
  let wholeReads = 0;
  const listDocs = store.listDocs.bind(store);
  store.listDocs = async (c) => {
    wholeReads++;
    return listDocs(c);
  };
  const db = await Database.open({ store });
  await db.addSchema(USER_SDL);
  return { db, reads: () => wholeReads };
}

describe('paging documents', () => {
  it('pages in creation order, both ways, reading the whole collection once in all', async () => {
    const { db, reads } = await countingDb();
    const made = await db.createMany('User', Array.from({ length: 250 }, (_, i) => ({ name: `u${i}`, age: i })));
    const first = await db.page('User', { limit: 100 });
    expect(first.docs.map((d) => d.id)).toEqual(made.slice(0, 100).map((d) => d.id));
    expect(first.total).toBe(250);
    expect(first.hasMore).toBe(true);
    const last = await db.page('User', { limit: 100, offset: 200 });
    expect(last.docs.map((d) => d.id)).toEqual(made.slice(200).map((d) => d.id));
    expect(last.hasMore).toBe(false);
    const newest = await db.page('User', { limit: 3, sort: { field: '_createdAt', order: 'desc' } });
    expect(newest.docs.map((d) => d.id)).toEqual(made.slice(-3).reverse().map((d) => d.id));
    // Later writes are followed without reading the collection again.
    await db.delete('User', made[0]!.id);
    const extra = await db.create('User', { name: 'late' });
    const again = await db.page('User', { limit: 1000 });
    expect(again.total).toBe(250);
    expect(again.docs[0]!.id).toBe(made[1]!.id);
    expect(again.docs.at(-1)!.id).toBe(extra.id);
    expect(reads()).toBe(1);
  });

  it('filters and other orders read the collection and page the result', async () => {
    const { db } = await countingDb();
    await db.createMany('User', Array.from({ length: 30 }, (_, i) => ({ name: `u${i}`, age: i % 3 })));
    const page = await db.page('User', { where: { age: 1 }, limit: 4, offset: 2 });
    expect(page.total).toBe(10);
    expect(page.docs).toHaveLength(4);
    expect(page.docs.every((d) => d.fields.age === 1)).toBe(true);
    const byAge = await db.page('User', { sort: { field: 'age', order: 'desc' }, limit: 5 });
    expect(byAge.docs.map((d) => d.fields.age)).toEqual([2, 2, 2, 2, 2]);
  });

  it('moves a document when an earlier creating block of it arrives from a peer', async () => {
    const { db } = await countingDb();
    const col = db.collection('User').id;
    const a = await db.create('User', { name: 'a' });
    const b = await db.create('User', { name: 'b' });
    expect((await db.page('User')).docs.map((d) => d.id)).toEqual([a.id, b.id]);
    // Another node created the same content as b, earlier: b's creation stamp moves before a's.
    const set = { name: 'b' };
    const other = createBlock({ collection: col, doc: deriveDocId(col, set), parents: [], clock: [1, 0], set }, identityFromSecretKey(generateSecretKey()));
    const r = await db.applyBlocks([{ bytes: other.bytes }], 'local');
    expect(r.applied).toHaveLength(1);
    expect((await db.page('User')).docs.map((d) => d.id)).toEqual([b.id, a.id]);
  });
});

describe('verifying decoded blocks', () => {
  it('runs every check on blocks handed over already decoded (signature, clock), without decoding them again', async () => {
    const { db } = await countingDb();
    const col = db.collection('User').id;
    const me = identityFromSecretKey(generateSecretKey());
    const set = { name: 'x' };
    const good = createBlock({ collection: col, doc: deriveDocId(col, set), parents: [], clock: [Date.now(), 0], set }, me);
    const forged = { ...good, block: { ...good.block, signature: new Uint8Array(64) } };
    const future = createBlock({ collection: col, doc: deriveDocId(col, { name: 'y' }), parents: [], clock: [Date.now() + 3_600_000, 0], set: { name: 'y' } }, me);
    const { verified, rejected } = await db.verifyBlocks([good, forged, future]);
    expect(verified.map((v) => v.cid)).toEqual([good.cid]);
    expect(verified[0]).toBe(good); // the same object: not decoded again
    expect(rejected.map((r) => r.error.name).sort()).toEqual(['BlockDecodeError', 'ClockDriftError']);
  });
});
