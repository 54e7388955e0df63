/** Runs the Store conformance suite against real IndexedDB in the browser; results on window. */
import { runStoreConformance, type StoreHarness } from '../../src/store/conformance.js';
import { deleteIdbStore, openIdbStore } from '../../src/store/idb-store.js';
import type { Store } from '../../src/store/types.js';

let n = 0;
const names = new WeakMap<Store, string>();
const harness: StoreHarness = {
  async open() {
    const name = `harness-${Date.now()}-${n++}`;
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

const w = window as unknown as { conformance?: Promise<Array<{ name: string; ok: boolean; error?: string }>> };
w.conformance = runStoreConformance(harness);
void w.conformance.then((r) => {
  document.getElementById('status')!.textContent = `${r.filter((x) => x.ok).length}/${r.length} passed`;
});
