/**
 * The Store conformance suite: every Store implementation must pass these cases.
 * Framework-free so the same cases run under vitest in Node and in a real browser page.
 */
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import { EMPTY_STATE } from '../core/merge.js';
import type { CollectionRecord, DocRecord, Store, StoredBlock } from './types.js';

/** How a suite run opens stores. */
export interface StoreHarness {
  /** A fresh, empty store. */
  open(): Promise<Store>;
  /** Closes `store` and opens the same storage again. */
  reopen(store: Store): Promise<Store>;
}

/** One conformance case. */
export interface StoreCase {
  readonly name: string;
  run(h: StoreHarness): Promise<void>;
}

/** Thrown by the suite's assertions. */
export class ConformanceError extends Error {
  static override readonly name = 'ConformanceError';
  override name = 'ConformanceError';
}

function eq(actual: unknown, expected: unknown, what: string): void {
  const a = stable(actual);
  const e = stable(expected);
  if (a !== e) throw new ConformanceError(`${what}: expected ${e}, got ${a}`);
}

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (x instanceof Uint8Array) return `bytes:${Array.from(x).join(',')}`;
    if (x && typeof x === 'object' && !Array.isArray(x)) return Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : 1)));
    return x;
  }) ?? 'undefined';
}

async function rejects(p: Promise<unknown>, name: string, what: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    eq((err as Error).name, name, `${what} error name`);
    return;
  }
  throw new ConformanceError(`${what}: expected a ${name}, but it succeeded`);
}

const COL_A = 'bafyreia-collection-a' as CollectionId;
const COL_B = 'bafyreib-collection-b' as CollectionId;
const doc = (n: number): DocId => `bae-00000000-0000-5000-8000-${String(n).padStart(12, '0')}` as DocId;
const cid = (n: number): BlockCid => `bafyblock${n}` as BlockCid;

function block(n: number, d: DocId, collection: CollectionId, parents: BlockCid[] = []): StoredBlock {
  return { cid: cid(n), collection, doc: d, clock: [1000 + n, 0], parents, bytes: new Uint8Array([n, 1, 2, 3]) };
}

function record(d: DocId, collection: CollectionId, heads: BlockCid[], value: string): DocRecord {
  return {
    id: d,
    collection,
    heads,
    state: { ...EMPTY_STATE, fields: { name: { value, clock: [1, 0], cid: heads[0]! } }, created: { clock: [1, 0], cid: heads[0]! } },
  };
}

const collection = (id: CollectionId, name: string): CollectionRecord => ({
  id,
  name,
  addedAt: 1,
  def: { name, fields: [{ name: 'name', kind: 'String', list: false, required: false, itemRequired: false }] },
});

/** The cases. */
export const storeConformanceCases: StoreCase[] = [
  {
    name: 'meta: round-trips values, bytes included; missing keys are undefined',
    async run(h) {
      const s = await h.open();
      eq(await s.getMeta('nope'), undefined, 'missing key');
      await s.putMeta('k', { a: 1, b: new Uint8Array([9, 8]) });
      eq(await s.getMeta('k'), { a: 1, b: new Uint8Array([9, 8]) }, 'meta value');
      const got = await s.getMeta<{ b: Uint8Array }>('k');
      eq(got?.b instanceof Uint8Array, true, 'bytes stay Uint8Array');
      await s.putMeta('k', 2);
      eq(await s.getMeta('k'), 2, 'overwritten');
      await s.close();
    },
  },
  {
    name: 'collections: put and list',
    async run(h) {
      const s = await h.open();
      eq(await s.listCollections(), [], 'empty');
      await s.putCollection(collection(COL_A, 'User'));
      await s.putCollection(collection(COL_B, 'Post'));
      const names = (await s.listCollections()).map((c) => c.name).sort();
      eq(names, ['Post', 'User'], 'names');
      await s.close();
    },
  },
  {
    name: 'commit: collections of one batch are written together, or none of them',
    async run(h) {
      const s = await h.open();
      await s.commit({ blocks: [], docs: [], collections: [collection(COL_A, 'User'), collection(COL_B, 'Post')] });
      eq((await s.listCollections()).map((c) => c.name).sort(), ['Post', 'User'], 'both written');
      const s2 = await h.open();
      const bad = { ...collection(COL_B, 'Post'), broken: () => 1 } as unknown as CollectionRecord;
      let failed = false;
      try {
        await s2.commit({ blocks: [], docs: [], collections: [collection(COL_A, 'User'), bad] });
      } catch (err) {
        failed = true;
        eq((err as Error).name, 'StoreError', 'error name');
      }
      eq(failed, true, 'commit rejected');
      eq(await s2.listCollections(), [], 'neither written');
      await s.close();
      await s2.close();
    },
  },
  {
    name: 'docsInRange pages a collection in DocID order; blocksOfDocs reads several documents at once',
    async run(h) {
      const s = await h.open();
      const order = [7, 3, 12, 1, 9, 5];
      const blocks = order.map((n) => block(n, doc(n), COL_A));
      await s.commit({ blocks: [...blocks, block(50, doc(50), COL_B)], docs: [...order.map((n) => record(doc(n), COL_A, [cid(n)], `v${n}`)), record(doc(50), COL_B, [cid(50)], 'other')] });
      const ids = async (after: number | null, upto: number | null, limit: number) =>
        (await s.docsInRange(COL_A, after === null ? null : doc(after), upto === null ? null : doc(upto), limit)).map((d) => d.id);
      eq(await ids(null, null, 100), [1, 3, 5, 7, 9, 12].map(doc), 'all, in order, other collections left out');
      eq(await ids(null, null, 2), [doc(1), doc(3)], 'first page');
      eq(await ids(3, null, 2), [doc(5), doc(7)], 'after is exclusive');
      eq(await ids(4, 9, 10), [doc(5), doc(7), doc(9)], 'upto is inclusive; after need not exist');
      eq(await ids(12, null, 10), [], 'past the end');
      eq(await ids(null, null, 0), [], 'limit 0');
      eq(await ids(9, 9, 5), [], 'an empty range');
      eq(await ids(9, 7, 5), [], 'a reversed range');
      eq((await s.docsInRange(COL_A, doc(8), null, 1))[0]?.state.fields.name?.value, 'v9', 'whole records');
      const got = (await s.blocksOfDocs([doc(3), doc(12), doc(99)])).map((b) => b.cid).sort();
      eq(got, [cid(12), cid(3)].sort(), 'blocks of the named documents only');
      eq(await s.blocksOfDocs([]), [], 'none asked, none given');
      eq((await s.blocksOfDocRange(doc(3), doc(7))).map((b) => b.cid).sort(), [cid(3), cid(5), cid(7)].sort(), 'blocks of a DocID range, both ends included');
      eq(await s.blocksOfDocRange(doc(8), doc(8)), [], 'a range without documents');
      await s.close();
    },
  },
  {
    name: 'docsInRange reads past other collections\' documents interleaved in the range',
    async run(h) {
      const s = await h.open();
      const docs = Array.from({ length: 700 }, (_, i) => record(doc(1000 + i), i % 2 ? COL_A : COL_B, [cid(1000 + i)], `v${i}`));
      await s.commit({ blocks: [], docs });
      const expected = docs.filter((d) => d.collection === COL_A).map((d) => d.id);
      const page = (await s.docsInRange(COL_A, null, null, 300)).map((d) => d.id);
      eq(page, expected.slice(0, 300), 'the first 300 of the collection, in order');
      const next = (await s.docsInRange(COL_A, page[299]!, null, 300)).map((d) => d.id);
      eq(next, expected.slice(300, 350), 'the rest');
      eq((await s.docsInRange(COL_A, null, expected[9]!, 300)).length, 10, 'up to an inclusive end');
      await s.close();
    },
  },
  {
    name: 'commit: blocks and docs are readable by every accessor',
    async run(h) {
      const s = await h.open();
      const b1 = block(1, doc(1), COL_A);
      const b2 = block(2, doc(1), COL_A, [b1.cid]);
      const b3 = block(3, doc(2), COL_B);
      await s.commit({
        blocks: [b1, b2, b3],
        docs: [record(doc(1), COL_A, [b2.cid], 'one'), record(doc(2), COL_B, [b3.cid], 'two')],
        meta: [['clock', [5, 1]]],
      });
      eq(await s.getBlock(b2.cid), b2, 'getBlock');
      eq(await s.getBlock(cid(99)), undefined, 'missing block');
      eq(await s.hasBlocks([b1.cid, cid(99), b3.cid]), [true, false, true], 'hasBlocks');
      eq((await s.getBlocks([b3.cid, cid(99), b1.cid])).map((b) => b?.cid), [b3.cid, undefined, b1.cid], 'getBlocks order');
      eq((await s.blocksOfDoc(doc(1))).map((b) => b.cid).sort(), [b1.cid, b2.cid], 'blocksOfDoc');
      eq((await s.blockCidsOf(COL_A)).sort(), [b1.cid, b2.cid], 'blockCidsOf A');
      eq(await s.blockCidsOf(COL_B), [b3.cid], 'blockCidsOf B');
      eq(await s.getDoc(doc(1)), record(doc(1), COL_A, [b2.cid], 'one'), 'getDoc');
      eq((await s.getDocs([doc(2), doc(3), doc(1)])).map((d) => d?.id), [doc(2), undefined, doc(1)], 'getDocs order');
      eq((await s.listDocs(COL_B)).map((d) => d.id), [doc(2)], 'listDocs by collection');
      eq((await s.docIds()).sort(), [doc(1), doc(2)], 'docIds');
      eq(await s.getMeta('clock'), [5, 1], 'meta in commit');
      eq((await s.getBlock(b1.cid))?.bytes instanceof Uint8Array, true, 'block bytes are Uint8Array');
      await s.close();
    },
  },
  {
    name: 'commit: a later record replaces the earlier one',
    async run(h) {
      const s = await h.open();
      const b1 = block(1, doc(1), COL_A);
      await s.commit({ blocks: [b1], docs: [record(doc(1), COL_A, [b1.cid], 'before')] });
      const b2 = block(2, doc(1), COL_A, [b1.cid]);
      await s.commit({ blocks: [b2], docs: [record(doc(1), COL_A, [b2.cid], 'after')] });
      eq((await s.getDoc(doc(1)))?.state.fields.name?.value, 'after', 'value');
      eq((await s.getDoc(doc(1)))?.heads, [b2.cid], 'heads');
      eq((await s.listDocs(COL_A)).length, 1, 'one record');
      await s.close();
    },
  },
  {
    name: 'commit is all or nothing: a batch with an unstorable value writes nothing',
    async run(h) {
      const s = await h.open();
      const good = block(1, doc(1), COL_A);
      const bad = { ...record(doc(2), COL_A, [cid(2)], 'x'), broken: () => 1 } as unknown as DocRecord;
      let failed = false;
      try {
        await s.commit({ blocks: [good], docs: [record(doc(1), COL_A, [good.cid], 'ok'), bad] });
      } catch (err) {
        failed = true;
        eq((err as Error).name, 'StoreError', 'error name');
      }
      eq(failed, true, 'commit rejected');
      eq(await s.getBlock(good.cid), undefined, 'block not written');
      eq(await s.getDoc(doc(1)), undefined, 'doc not written');
      eq(await s.listDocs(COL_A), [], 'nothing listed');
      await s.close();
    },
  },
  {
    name: 'commit: documents named as created are readable by every accessor, with blocks of any size and later blocks',
    async run(h) {
      const s = await h.open();
      const big = (n: number, d: DocId, parents: BlockCid[] = []): StoredBlock => ({ ...block(n, d, COL_A, parents), bytes: new Uint8Array(5000).fill(n) });
      const a1 = block(1, doc(1), COL_A);
      const a2 = big(2, doc(1), [a1.cid]);
      const a3 = big(3, doc(1), [a2.cid]);
      const b1 = block(4, doc(2), COL_A);
      await s.commit({ blocks: [a1, a2, a3, b1], docs: [record(doc(1), COL_A, [a3.cid], 'one'), record(doc(2), COL_A, [b1.cid], 'two')], created: [doc(1), doc(2)] });
      const a4 = block(5, doc(1), COL_A, [a3.cid]);
      const b2 = big(6, doc(2), [b1.cid]);
      await s.commit({ blocks: [a4, b2], docs: [record(doc(1), COL_A, [a4.cid], 'one later'), record(doc(2), COL_A, [b2.cid], 'two later')] });
      // Committed without a record, and one committed again.
      const c1 = block(7, doc(3), COL_B);
      await s.commit({ blocks: [c1, a1], docs: [] });
      const all = [a1, a2, a3, a4, b1, b2];
      for (const b of all) eq(await s.getBlock(b.cid), b, `getBlock ${b.cid}`);
      eq(await s.getBlock(c1.cid), c1, 'a block without a record');
      eq(await s.hasBlocks([...all.map((b) => b.cid), cid(99)]), [...all.map(() => true), false], 'hasBlocks');
      eq((await s.getBlocks([b2.cid, cid(99), a2.cid])).map((b) => b?.cid), [b2.cid, undefined, a2.cid], 'getBlocks order');
      eq((await s.blocksOfDoc(doc(1))).map((b) => b.cid).sort(), [a1, a2, a3, a4].map((b) => b.cid).sort(), 'blocksOfDoc, each once');
      eq((await s.blocksOfDocs([doc(2), doc(1)])).map((b) => b.cid).sort(), all.map((b) => b.cid).sort(), 'blocksOfDocs');
      eq((await s.blocksOfDocRange(doc(1), doc(3))).map((b) => b.cid).sort(), [...all, c1].map((b) => b.cid).sort(), 'blocksOfDocRange');
      eq((await s.blockCidsOf(COL_A)).sort(), all.map((b) => b.cid).sort(), 'blockCidsOf, each once');
      eq(await s.blockCidsOf(COL_B), [c1.cid], 'blockCidsOf another collection');
      eq(await s.getDoc(doc(1)), record(doc(1), COL_A, [a4.cid], 'one later'), 'getDoc is the record alone');
      eq((await s.listDocs(COL_A)).map((d) => d.state.fields.name?.value).sort(), ['one later', 'two later'], 'listDocs');
      eq((await s.docsInRange(COL_A, null, null, 10)).map((d) => d.heads), [[a4.cid], [b2.cid]], 'docsInRange');
      const again = await h.reopen(s);
      eq((await again.blocksOfDoc(doc(2))).map((b) => b.cid).sort(), [b1.cid, b2.cid].sort(), 'after reopening');
      await again.close();
    },
  },
  {
    name: 'commit: documents created by a ranged pull (pack) read back through every accessor, mixed with others; later changes win',
    async run(h) {
      const s = await h.open();
      // Stored first, on their own: every third DocID of the range the pull fills.
      const ownIds = Array.from({ length: 30 }, (_, i) => 1000 + i * 9);
      await s.commit({ blocks: ownIds.map((n) => block(n, doc(n), COL_A)), docs: ownIds.map((n) => record(doc(n), COL_A, [cid(n)], `own${n}`)), created: ownIds.map(doc) });
      const pulled = Array.from({ length: 270 }, (_, i) => 1000 + i).filter((n) => !ownIds.includes(n));
      const blocks = pulled.map((n) => block(n, doc(n), COL_A));
      // One document with two blocks, one with a block too big to keep in a record.
      const second = block(5000, doc(pulled[3]!), COL_A, [cid(pulled[3]!)]);
      const big = { ...block(5001, doc(pulled[4]!), COL_A, [cid(pulled[4]!)]), bytes: new Uint8Array(9000).fill(7) };
      const few = [3000, 3001, 3002].map((n) => block(n, doc(n), COL_B));
      const docs = [
        ...pulled.map((n, i) => record(doc(n), COL_A, i === 3 ? [second.cid] : i === 4 ? [big.cid] : [cid(n)], `pulled${n}`)),
        ...few.map((b) => record(b.doc, COL_B, [b.cid], 'few')),
      ];
      await s.commit({ blocks: [...blocks, second, big, ...few], docs, created: docs.map((d) => d.id), pack: true });
      const all = [...ownIds, ...pulled].sort((x, y) => x - y).map(doc);
      const check = async (st: Store, what: string, later: BlockCid[] = []): Promise<void> => {
        eq((await st.getDoc(doc(pulled[11]!)))?.state.fields.name?.value, `pulled${pulled[11]}`, `${what}: getDoc of a pulled document`);
        eq((await st.getDocs([doc(pulled[0]!), doc(99), doc(ownIds[1]!), doc(3001)])).map((d) => d?.id), [doc(pulled[0]!), undefined, doc(ownIds[1]!), doc(3001)], `${what}: getDocs order`);
        eq((await st.listDocs(COL_A)).map((d) => d.id).sort(), all, `${what}: listDocs`);
        eq((await st.listDocs(COL_B)).length, 3, `${what}: listDocs of the other collection`);
        eq((await st.docIds()).sort(), [...all, ...[3000, 3001, 3002].map(doc)].sort(), `${what}: docIds, each once`);
        const paged: DocId[] = [];
        for (let after: DocId | null = null; ;) {
          const page: DocRecord[] = await st.docsInRange(COL_A, after, null, 70);
          paged.push(...page.map((d) => d.id));
          if (page.length < 70) break;
          after = page[page.length - 1]!.id;
        }
        eq(paged, all, `${what}: docsInRange pages through all, in order`);
        eq((await st.docsInRange(COL_A, doc(1005), doc(1012), 100)).map((d) => d.id), [1006, 1007, 1008, 1009, 1010, 1011, 1012].map(doc), `${what}: docsInRange inside`);
        eq(await st.getBlock(cid(pulled[7]!)), blocks[7], `${what}: getBlock of a pulled block`);
        eq(await st.getBlock(big.cid), big, `${what}: a big block`);
        eq((await st.getBlocks([second.cid, cid(99), cid(ownIds[2]!), cid(3002)])).map((b) => b?.cid), [second.cid, undefined, cid(ownIds[2]!), cid(3002)], `${what}: getBlocks order`);
        eq(await st.hasBlocks([cid(pulled[100]!), cid(99), big.cid, cid(ownIds[0]!)]), [true, false, true, true], `${what}: hasBlocks`);
        eq((await st.blocksOfDoc(doc(pulled[3]!))).map((b) => b.cid).sort(), [cid(pulled[3]!), second.cid].sort(), `${what}: blocksOfDoc`);
        eq((await st.blocksOfDocs([doc(pulled[4]!), doc(ownIds[3]!)])).map((b) => b.cid).sort(), [cid(pulled[4]!), big.cid, cid(ownIds[3]!)].sort(), `${what}: blocksOfDocs`);
        eq((await st.blocksOfDocRange(doc(1000), doc(1019))).map((b) => b.cid).sort(), [...Array.from({ length: 20 }, (_, i) => cid(1000 + i)), second.cid, big.cid, ...later].sort(), `${what}: blocksOfDocRange`);
        eq((await st.blockCidsOf(COL_A)).length, 272 + later.length, `${what}: blockCidsOf`);
      };
      await check(s, 'after the pull');
      // A later change of a pulled document: its new record wins, its blocks are all kept.
      const later = block(6000, doc(pulled[10]!), COL_A, [cid(pulled[10]!)]);
      await s.commit({ blocks: [later], docs: [record(doc(pulled[10]!), COL_A, [later.cid], 'changed')] });
      const changed = async (st: Store, what: string): Promise<void> => {
        eq((await st.getDoc(doc(pulled[10]!)))?.state.fields.name?.value, 'changed', `${what}: the change wins`);
        eq((await st.listDocs(COL_A)).filter((d) => d.id === doc(pulled[10]!)).map((d) => d.heads), [[later.cid]], `${what}: listed once, changed`);
        eq((await st.docsInRange(COL_A, doc(pulled[9]!), null, 1))[0]?.heads, [later.cid], `${what}: docsInRange gives the change`);
        eq((await st.blocksOfDoc(doc(pulled[10]!))).map((b) => b.cid).sort(), [cid(pulled[10]!), later.cid].sort(), `${what}: both blocks`);
        eq((await st.docIds()).length, all.length + 3, `${what}: still each DocID once`);
      };
      await changed(s, 'after the change');
      // Named as created again, alone or in another pull, on its own or packed: refused, nothing written.
      const fresh = block(7000, doc(7000), COL_A);
      await rejects(s.commit({ blocks: [fresh, block(7001, doc(pulled[20]!), COL_A)], docs: [record(doc(7000), COL_A, [fresh.cid], 'x'), record(doc(pulled[20]!), COL_A, [cid(7001)], 'again')], created: [doc(7000), doc(pulled[20]!)] }), 'StoreError', 'a packed document created again');
      const again = pulled.slice(200, 220);
      await rejects(s.commit({ blocks: again.map((n) => block(n + 10_000, doc(n), COL_A)), docs: again.map((n) => record(doc(n), COL_A, [cid(n + 10_000)], 'again')), created: again.map(doc), pack: true }), 'StoreError', 'a pull creating packed documents again');
      const overOwn = [ownIds[29]!, ...Array.from({ length: 19 }, (_, i) => 2000 + i)];
      await rejects(s.commit({ blocks: overOwn.map((n) => block(n + 10_000, doc(n), COL_A)), docs: overOwn.map((n) => record(doc(n), COL_A, [cid(n + 10_000)], 'again')), created: overOwn.map(doc), pack: true }), 'StoreError', 'a pull creating a document stored on its own');
      eq(await s.hasBlocks([fresh.cid, cid(11_250), cid(overOwn[0]! + 10_000)]), [false, false, false], 'no block of a refused batch written');
      eq(await s.getDoc(doc(7000)), undefined, 'no record of a refused batch written');
      const reopened = await h.reopen(s);
      await check(reopened, 'after reopening', [later.cid]);
      await changed(reopened, 'after reopening');
      await reopened.close();
    },
  },
  {
    name: 'commit: a pull whose DocID span covers earlier pulled documents, with none in common, is written',
    async run(h) {
      const s = await h.open();
      const first = Array.from({ length: 40 }, (_, i) => 1000 + i * 2);
      const second = Array.from({ length: 40 }, (_, i) => 1001 + i * 2);
      for (const ids of [first, second]) {
        await s.commit({ blocks: ids.map((n) => block(n, doc(n), COL_A)), docs: ids.map((n) => record(doc(n), COL_A, [cid(n)], `v${n}`)), created: ids.map(doc), pack: true });
      }
      const all = [...first, ...second].sort((x, y) => x - y).map(doc);
      eq((await s.docsInRange(COL_A, null, null, 100)).map((d) => d.id), all, 'both pulls, in DocID order');
      eq((await s.blocksOfDocRange(doc(1010), doc(1013))).map((b) => b.doc).sort(), [1010, 1011, 1012, 1013].map(doc), 'a range across both');
      await s.close();
    },
  },
  {
    name: 'commit: a batch naming as created a document already stored is refused whole',
    async run(h) {
      const s = await h.open();
      const b1 = block(1, doc(1), COL_A);
      await s.commit({ blocks: [b1], docs: [record(doc(1), COL_A, [b1.cid], 'first')], created: [doc(1)] });
      const b2 = block(2, doc(2), COL_A);
      const b3 = block(3, doc(1), COL_A);
      await rejects(s.commit({ blocks: [b2, b3], docs: [record(doc(2), COL_A, [b2.cid], 'new'), record(doc(1), COL_A, [b3.cid], 'again')], created: [doc(2), doc(1)] }), 'StoreError', 'created twice');
      eq(await s.getDoc(doc(2)), undefined, 'the other document not written');
      eq(await s.hasBlocks([b2.cid, b3.cid, b1.cid]), [false, false, true], 'no block written, the first kept');
      eq((await s.getDoc(doc(1)))?.state.fields.name?.value, 'first', 'the stored record kept');
      await s.close();
    },
  },
  {
    name: 'commit: a large batch of created documents is written whole (and read back in ranges), or not at all when a late record is unstorable',
    async run(h) {
      const s = await h.open();
      const n = 1200;
      const blocks = Array.from({ length: n }, (_, i) => block(100 + i, doc(100 + i), COL_A));
      const docs = blocks.map((b, i) => record(b.doc, COL_A, [b.cid], `v${i}`));
      const created = docs.map((d) => d.id);
      const bad = docs.map((d, i) => (i === 1100 ? ({ ...d, broken: () => 1 } as unknown as DocRecord) : d));
      await rejects(s.commit({ blocks, docs: bad, created }), 'StoreError', 'an unstorable record late in the batch');
      eq(await s.docIds(), [], 'no document written');
      eq(await s.hasBlocks([blocks[0]!.cid, blocks[200]!.cid]), [false, false], 'no block written');
      await s.commit({ blocks, docs, created });
      eq((await s.listDocs(COL_A)).length, n, 'all documents');
      eq((await s.blockCidsOf(COL_A)).length, n, 'all blocks');
      eq((await s.getBlock(blocks[n - 1]!.cid))?.bytes, blocks[n - 1]!.bytes, 'the last block');
      eq((await s.blocksOfDocRange(doc(100), doc(100 + n - 1))).length, n, 'blocksOfDocRange over more than one read');
      eq((await s.blocksOfDocRange(doc(150), doc(1249))).map((b) => b.cid).sort(), blocks.slice(50, 1150).map((b) => b.cid).sort(), 'a range inside');
      // Ranges of exactly 1,000 and 500 documents (whole reads of a store that reads in slices, ending on the range's end).
      eq((await s.blocksOfDocRange(doc(100), doc(1099))).length, 1000, 'a range of exactly 1,000 documents');
      eq((await s.blocksOfDocRange(doc(100), doc(599))).length, 500, 'a range of exactly 500 documents');
      await s.close();
    },
  },
  {
    name: 'records handed out are copies',
    async run(h) {
      const s = await h.open();
      const b1 = block(1, doc(1), COL_A);
      await s.commit({ blocks: [b1], docs: [record(doc(1), COL_A, [b1.cid], 'v')] });
      const got = (await s.getDoc(doc(1)))!;
      (got.heads as BlockCid[]).push(cid(7));
      eq((await s.getDoc(doc(1)))?.heads, [b1.cid], 'unchanged');
      await s.close();
    },
  },
  {
    name: 'everything survives close and reopen',
    async run(h) {
      let s = await h.open();
      const b1 = block(1, doc(1), COL_A);
      await s.putCollection(collection(COL_A, 'User'));
      await s.putMeta('identity', new Uint8Array([1, 2, 3]));
      await s.commit({ blocks: [b1], docs: [record(doc(1), COL_A, [b1.cid], 'kept')] });
      s = await h.reopen(s);
      eq((await s.listCollections()).map((c) => c.name), ['User'], 'collections');
      eq(await s.getMeta('identity'), new Uint8Array([1, 2, 3]), 'meta');
      eq(await s.getBlock(b1.cid), b1, 'block');
      eq((await s.getDoc(doc(1)))?.state.fields.name?.value, 'kept', 'doc');
      await s.close();
    },
  },
  {
    name: 'a closed store rejects with StoreError',
    async run(h) {
      const s = await h.open();
      await s.close();
      await rejects(s.getDoc(doc(1)), 'StoreError', 'getDoc after close');
      await rejects(s.commit({ blocks: [], docs: [] }), 'StoreError', 'commit after close');
    },
  },
];

/** Runs every case in order; returns one result per case (for the browser harness). */
export async function runStoreConformance(h: StoreHarness): Promise<Array<{ name: string; ok: boolean; error?: string }>> {
  const results = [];
  for (const c of storeConformanceCases) {
    try {
      await c.run(h);
      results.push({ name: c.name, ok: true });
    } catch (err) {
      results.push({ name: c.name, ok: false, error: `${(err as Error).name}: ${(err as Error).message}` });
    }
  }
  return results;
}
