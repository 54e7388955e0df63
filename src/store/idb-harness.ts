/** The conformance-suite harness for IndexedDB stores: each `open()` gets a fresh database (Node and browser). */
import type { StoreHarness } from './conformance.js';
import { deleteIdbStore, openIdbStore } from './idb-store.js';
import type { Store } from './types.js';

/** A harness whose stores live in IndexedDB databases named `<prefix>-<n>`. */
export function idbStoreHarness(prefix: string): StoreHarness {
  let n = 0;
  const names = new WeakMap<Store, string>();
  return {
    async open() {
      const name = `${prefix}-${n++}`;
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
