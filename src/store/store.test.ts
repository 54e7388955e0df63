import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { storeConformanceCases, type StoreHarness } from './conformance.js';
import { MemoryStore, createMemoryData, type MemoryData } from './memory-store.js';
import { idbStoreHarness } from './idb-harness.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelStore } from './level-store.js';
import type { Store } from './types.js';

/** LevelDB stores in fresh temporary directories; reopening opens the same directory. */
function levelHarness(): StoreHarness {
  const paths = new WeakMap<Store, string>();
  return {
    async open() {
      const path = mkdtempSync(join(tmpdir(), 'level-store-'));
      const s = await LevelStore.open(path);
      paths.set(s, path);
      return s;
    },
    async reopen(s) {
      await s.close();
      const path = paths.get(s)!;
      const next = await LevelStore.open(path);
      paths.set(next, path);
      return next;
    },
  };
}

function memoryHarness(): StoreHarness {
  const data = new WeakMap<object, MemoryData>();
  return {
    async open() {
      const d = createMemoryData();
      const s = new MemoryStore(d);
      data.set(s, d);
      return s;
    },
    async reopen(s) {
      await s.close();
      const d = data.get(s)!;
      const next = new MemoryStore(d);
      data.set(next, d);
      return next;
    },
  };
}

for (const [label, harness] of [['MemoryStore', memoryHarness()], ['IdbStore (fake-indexeddb)', idbStoreHarness(`conformance-${process.pid}`)], ['LevelStore (LevelDB on disk)', levelHarness()]] as const) {
  describe(`${label} conformance`, () => {
    for (const c of storeConformanceCases) it(c.name, () => c.run(harness));
  });
}

describe('IdbStore closed from outside', () => {
  it('steps aside when another connection upgrades the database, says why, and fails later calls with that reason', async () => {
    const { openIdbStore, idbNameFor } = await import('./idb-store.js');
    const { Database } = await import('../db/database.js');
    const node = `blocking-${process.pid}`;
    const store = await openIdbStore(node);
    const db = await Database.open({ store });
    await db.addSchema('type User { name: String }');
    const heard: Error[] = [];
    db.onClosedElsewhere((err) => heard.push(err));
    // Another tab opens the same database at a higher version.
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(idbNameFor(node), 99);
      req.onsuccess = () => { req.result.close(); resolve(); };
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('the upgrade was blocked: the store did not step aside'));
    });
    expect(heard).toHaveLength(1);
    expect(heard[0]!.name).toBe('StoreError');
    expect(heard[0]!.message).toMatch(/another tab is upgrading or deleting this node's database; reload/);
    const err = await db.create('User', { name: 'late' }).then(() => undefined, (e: Error) => e);
    expect(err?.name).toBe('StoreError');
    expect(err?.message).toMatch(/another tab is upgrading/);
  });
});

describe('LevelStore', () => {
  it('refuses a second opener of the same directory with a clear StoreError', async () => {
    const path = mkdtempSync(join(tmpdir(), 'level-lock-'));
    const first = await LevelStore.open(path);
    const err = await LevelStore.open(path).then(() => undefined, (e: Error) => e);
    expect(err?.name).toBe('StoreError');
    expect(err?.message).toMatch(/another node running on this directory/);
    await first.close();
  });
});

describe('IdbStore layout versions', () => {
  it('opens a version 1 database (every block in the blocks store) with everything readable, and adds to it', async () => {
    const { openDB } = await import('idb');
    const { openIdbStore, idbNameFor, deleteIdbStore } = await import('./idb-store.js');
    const name = `v1-upgrade-${process.pid}`;
    await deleteIdbStore(name);
    const col = 'bafyreia-collection-a';
    const doc = 'bae-00000000-0000-5000-8000-000000000001';
    const block = { cid: 'bafyold1', collection: col, doc, clock: [1, 0], parents: [], bytes: new Uint8Array([1, 2]) };
    const record = { id: doc, collection: col, heads: ['bafyold1'], state: { fields: {}, deleted: false } };
    const v1 = await openDB(idbNameFor(name), 1, {
      upgrade(db) {
        db.createObjectStore('meta');
        db.createObjectStore('collections', { keyPath: 'id' });
        db.createObjectStore('docs', { keyPath: 'id' }).createIndex('collection', 'collection');
        const blocks = db.createObjectStore('blocks', { keyPath: 'cid' });
        blocks.createIndex('doc', 'doc');
        blocks.createIndex('collection', 'collection');
      },
    });
    await v1.put('blocks', block);
    await v1.put('docs', record);
    v1.close();
    const s = await openIdbStore(name);
    expect(await s.getDoc(doc as never)).toEqual(record);
    expect(await s.getBlock('bafyold1' as never)).toEqual(block);
    const next = { ...block, cid: 'bafynew2', parents: ['bafyold1'] };
    await s.commit({ blocks: [next as never], docs: [{ ...record, heads: ['bafynew2'] } as never] });
    expect((await s.blocksOfDoc(doc as never)).map((b) => b.cid).sort()).toEqual(['bafynew2', 'bafyold1']);
    expect((await s.blockCidsOf(col as never)).sort()).toEqual(['bafynew2', 'bafyold1']);
    const fresh = { ...block, cid: 'bafyfresh', doc: 'bae-00000000-0000-5000-8000-000000000002' };
    await s.commit({ blocks: [fresh as never], docs: [{ ...record, id: fresh.doc, heads: ['bafyfresh'] } as never], created: [fresh.doc as never] });
    expect(await s.hasBlocks(['bafyfresh', 'bafyold1'] as never)).toEqual([true, true]);
    await s.close();
  });

  it('keeps the created documents of a ranged pull in packs (one record per PACK_DOCS), the rest a record each', async () => {
    const { openDB } = await import('idb');
    const { openIdbStore, idbNameFor, deleteIdbStore, PACK_DOCS } = await import('./idb-store.js');
    const name = `packs-${process.pid}`;
    await deleteIdbStore(name);
    const col = 'bafyreia-collection-a';
    const doc = (n: number) => `bae-00000000-0000-5000-8000-${String(n).padStart(12, '0')}`;
    const s = await openIdbStore(name);
    const make = (from: number, count: number) => {
      const ids = Array.from({ length: count }, (_, i) => doc(from + i));
      return {
        blocks: ids.map((id, i) => ({ cid: `bafy${from + i}`, collection: col, doc: id, clock: [1, 0], parents: [], bytes: new Uint8Array([1]) })),
        docs: ids.map((id, i) => ({ id, collection: col, heads: [`bafy${from + i}`], state: { fields: {}, deleted: false } })),
        created: ids,
      } as never;
    };
    // A read begun while the store's first pack is being committed is served after it, and finds it.
    const first = s.commit({ ...(make(1, 250) as object), pack: true } as never);
    const meanwhile = s.getDoc(doc(7) as never);
    await first;
    expect((await meanwhile)?.id).toBe(doc(7));
    await s.commit(make(1000, 20));
    await s.close();
    const raw = await openDB(idbNameFor(name));
    expect(await raw.count('packs')).toBe(Math.ceil(250 / PACK_DOCS));
    expect(await raw.count('docs')).toBe(20);
    raw.close();
  });

  it('changes a document whose record it wrote without reading that record first, keeping the blocks it holds', async () => {
    const { openIdbStore, deleteIdbStore } = await import('./idb-store.js');
    const name = `kept-${process.pid}`;
    await deleteIdbStore(name);
    const col = 'bafyreia-collection-a';
    const id = 'bae-00000000-0000-5000-8000-000000000001';
    const block = (n: number) => ({ cid: `bafy${n}`, collection: col, doc: id, clock: [n, 0], parents: n ? [`bafy${n - 1}`] : [], bytes: new Uint8Array([n]) });
    const rec = (n: number) => ({ id, collection: col, heads: [`bafy${n}`], state: { fields: { age: { value: n } }, deleted: false } });
    // Counts reads of the docs store's records (not its indexes).
    const proto = IDBObjectStore.prototype;
    const get = proto.get;
    let docReads = 0;
    proto.get = function (this: IDBObjectStore, key: IDBValidKey | IDBKeyRange) {
      if (this.name === 'docs') docReads++;
      return get.call(this, key);
    };
    try {
      let s = await openIdbStore(name);
      await s.commit({ blocks: [block(0)], docs: [rec(0)], created: [id] } as never);
      for (let n = 1; n <= 3; n++) await s.commit({ blocks: [block(n)], docs: [rec(n)] } as never);
      expect(docReads).toBe(0);
      await s.close();
      // Reopened: the first change reads the record it replaces, later ones do not.
      s = await openIdbStore(name);
      for (let n = 4; n <= 5; n++) await s.commit({ blocks: [block(n)], docs: [rec(n)] } as never);
      expect(docReads).toBe(1);
      expect((await s.blocksOfDoc(id as never)).map((b) => b.cid).sort()).toEqual(['bafy0', 'bafy1', 'bafy2', 'bafy3', 'bafy4', 'bafy5']);
      expect((await s.getDoc(id as never))?.heads).toEqual(['bafy5']);
      expect(await s.hasBlocks(['bafy0', 'bafy5'] as never)).toEqual([true, true]);
      await s.close();
    } finally {
      proto.get = get;
      await deleteIdbStore(name);
    }
  });
});
