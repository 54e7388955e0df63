import 'fake-indexeddb/auto';
import { describe, it } from 'vitest';
import { storeConformanceCases, type StoreHarness } from './conformance.js';
import { MemoryStore, createMemoryData, type MemoryData } from './memory-store.js';
import { deleteIdbStore, openIdbStore } from './idb-store.js';

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

let n = 0;
function idbHarness(): StoreHarness {
  const names = new WeakMap<object, string>();
  return {
    async open() {
      const name = `conformance-${process.pid}-${n++}`;
      await deleteIdbStore(name);
      const s = await openIdbStore(name);
      names.set(s, name);
      return s;
    },
    async reopen(s) {
      await s.close();
      const name = names.get(s)!;
      const next = await openIdbStore(name);
      names.set(next, name);
      return next;
    },
  };
}

for (const [label, harness] of [['MemoryStore', memoryHarness()], ['IdbStore (fake-indexeddb)', idbHarness()]] as const) {
  describe(`${label} conformance`, () => {
    for (const c of storeConformanceCases) it(c.name, () => c.run(harness));
  });
}
