import 'fake-indexeddb/auto';
import { describe, it } from 'vitest';
import { storeConformanceCases, type StoreHarness } from './conformance.js';
import { MemoryStore, createMemoryData, type MemoryData } from './memory-store.js';
import { idbStoreHarness } from './idb-harness.js';

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

for (const [label, harness] of [['MemoryStore', memoryHarness()], ['IdbStore (fake-indexeddb)', idbStoreHarness(`conformance-${process.pid}`)]] as const) {
  describe(`${label} conformance`, () => {
    for (const c of storeConformanceCases) it(c.name, () => c.run(harness));
  });
}
