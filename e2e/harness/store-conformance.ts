/** Runs the Store conformance suite against real IndexedDB in the browser; results on window. */
import { runStoreConformance } from '../../src/store/conformance.js';
import { idbStoreHarness } from '../../src/store/idb-harness.js';

const w = window as unknown as { conformance?: Promise<Array<{ name: string; ok: boolean; error?: string }>> };
w.conformance = runStoreConformance(idbStoreHarness(`harness-${Date.now()}`));
void w.conformance.then((r) => {
  document.getElementById('status')!.textContent = `${r.filter((x) => x.ok).length}/${r.length} passed`;
});
