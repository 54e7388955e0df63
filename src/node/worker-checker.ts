/** The block checker of a tab: a module worker (src/node/verify-worker.ts); none where workers are missing. */
import type { BlockChecker, CheckResponse } from '../db/block-checker.js';

/**
 * A checker backed by a worker, or undefined where there are no workers (Node). The worker starts when a peer
 * connects (`warm`) or on the first check, so a page load does not fetch its 30 KB.
 */
export function workerBlockChecker(): BlockChecker | undefined {
  if (typeof Worker === 'undefined') return undefined;
  let worker: Worker | undefined;
  let next = 0;
  let broken = false;
  const pending = new Map<number, { size: number; resolve: (cids: Array<string | undefined>) => void }>();
  const failAll = (): void => {
    broken = true;
    for (const p of pending.values()) p.resolve(new Array<undefined>(p.size).fill(undefined));
    pending.clear();
  };
  const start = (): Worker | undefined => {
    if (worker || broken) return worker;
    try {
      worker = new Worker(new URL('./verify-worker.ts', import.meta.url), { type: 'module', name: 'block-checker' });
    } catch {
      broken = true;
      return undefined;
    }
    worker.onmessage = (e: MessageEvent<CheckResponse>) => {
      const p = pending.get(e.data.id);
      if (!p) return;
      pending.delete(e.data.id);
      p.resolve(e.data.cids.map((c) => c ?? undefined));
    };
    // A worker that fails to load or crashes: every block is checked in the tab instead, when applied.
    worker.onerror = () => failAll();
    worker.onmessageerror = () => failAll();
    return worker;
  };
  return {
    check(blocks, collections) {
      const w = blocks.length ? start() : undefined;
      if (!w || broken) return Promise.resolve(blocks.map(() => undefined));
      return new Promise((resolve) => {
        const id = next++;
        pending.set(id, { size: blocks.length, resolve });
        try {
          w.postMessage({ id, blocks, collections });
        } catch {
          pending.delete(id);
          resolve(blocks.map(() => undefined));
        }
      });
    },
    warm() {
      start();
    },
    close() {
      worker?.terminate();
      failAll();
    },
  };
}
