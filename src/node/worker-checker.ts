/** The block checker of a tab: module workers (src/node/verify-worker.ts); none where workers are missing. */
import type { BlockChecker, CheckedBlock, CheckResponse } from '../db/block-checker.js';

/** A check of fewer blocks than this goes to one worker; a larger one is split between them. */
const SPLIT_FROM = 64;

/**
 * A checker backed by `count` workers (default: two where the machine has more than one core, else one), or
 * undefined where there are no workers (Node). The workers start when a peer connects (`warm`) or on the
 * first check, so a page load does not fetch their 30 KB. A large check is split between them in contiguous
 * parts: checking costs a pulled block about 0.3 ms of CPU, and one worker bounded catch-up.
 */
export function workerBlockChecker(count = defaultCount()): BlockChecker | undefined {
  if (typeof Worker === 'undefined') return undefined;
  const workers: Worker[] = [];
  let next = 0;
  let turn = 0;
  let broken = false;
  const pending = new Map<number, { size: number; resolve: (passed: Array<CheckedBlock | undefined>) => void }>();
  const failAll = (): void => {
    broken = true;
    for (const p of pending.values()) p.resolve(new Array<undefined>(p.size).fill(undefined));
    pending.clear();
  };
  const start = (): Worker[] => {
    if (workers.length || broken) return workers;
    try {
      for (let i = 0; i < Math.max(1, count); i++) {
        const w = new Worker(new URL('./verify-worker.ts', import.meta.url), { type: 'module', name: `block-checker-${i}` });
        w.onmessage = (e: MessageEvent<CheckResponse>) => {
          const p = pending.get(e.data.id);
          if (!p) return;
          pending.delete(e.data.id);
          p.resolve(e.data.passed.map((c) => c ?? undefined));
        };
        // A worker that fails to load or crashes: every block is checked in the tab instead, when applied.
        w.onerror = () => failAll();
        w.onmessageerror = () => failAll();
        workers.push(w);
      }
    } catch {
      broken = true;
    }
    return workers;
  };
  const ask = (w: Worker, blocks: readonly Uint8Array[], collections: Parameters<BlockChecker['check']>[1]): Promise<Array<CheckedBlock | undefined>> =>
    new Promise((resolve) => {
      const id = next++;
      pending.set(id, { size: blocks.length, resolve });
      try {
        w.postMessage({ id, blocks, collections });
      } catch {
        pending.delete(id);
        resolve(blocks.map(() => undefined));
      }
    });
  return {
    async check(blocks, collections) {
      const ws = blocks.length ? start() : [];
      if (!ws.length || broken) return blocks.map(() => undefined);
      if (blocks.length < SPLIT_FROM || ws.length === 1) return ask(ws[turn++ % ws.length]!, blocks, collections);
      const size = Math.ceil(blocks.length / ws.length);
      const parts = await Promise.all(ws.map((w, i) => ask(w, blocks.slice(i * size, (i + 1) * size), collections)));
      return parts.flat();
    },
    warm() {
      start();
    },
    close() {
      for (const w of workers) w.terminate();
      failAll();
    },
  };
}

/** Two workers where the machine has more than one core. */
function defaultCount(): number {
  const cores = typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency ?? 1;
  return cores > 1 ? 2 : 1;
}
