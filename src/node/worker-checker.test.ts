import { afterEach, describe, expect, it } from 'vitest';
import { workerBlockChecker } from './worker-checker.js';

/** A stand-in for the browser's Worker: counts workers made and answers each check with CIDs. */
class FakeWorker {
  static made = 0;
  static posted: number[] = [];
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  constructor() { FakeWorker.made++; }
  postMessage(msg: { id: number; blocks: Uint8Array[] }): void {
    FakeWorker.posted.push(msg.blocks.length);
    queueMicrotask(() => this.onmessage?.({ data: { id: msg.id, passed: msg.blocks.map((_, i) => ({ cid: `bafy${i}`, block: {} })) } }));
  }
  terminate(): void { this.terminated = true; }
}

describe('workerBlockChecker', () => {
  const real = (globalThis as { Worker?: unknown }).Worker;
  afterEach(() => { (globalThis as { Worker?: unknown }).Worker = real; FakeWorker.made = 0; FakeWorker.posted = []; });

  it('is absent without workers (Node)', () => {
    delete (globalThis as { Worker?: unknown }).Worker;
    expect(workerBlockChecker()).toBeUndefined();
  });

  it('starts its worker when warmed, once, and checks with that same worker', async () => {
    (globalThis as { Worker?: unknown }).Worker = FakeWorker;
    const checker = workerBlockChecker()!;
    expect(FakeWorker.made).toBe(0);
    checker.warm?.();
    checker.warm?.();
    expect(FakeWorker.made).toBe(1);
    expect((await checker.check([new Uint8Array([1]), new Uint8Array([2])], [])).map((c) => c?.cid)).toEqual(['bafy0', 'bafy1']);
    expect(FakeWorker.made).toBe(1);
    checker.close();
    expect(await checker.check([new Uint8Array([1])], [])).toEqual([undefined]);
  });

  it('splits a large check between its workers, in order, and sends a small one to one of them', async () => {
    (globalThis as { Worker?: unknown }).Worker = FakeWorker;
    const checker = workerBlockChecker(2)!;
    const blocks = Array.from({ length: 100 }, (_, i) => new Uint8Array([i]));
    const cids = (await checker.check(blocks, [])).map((c) => c?.cid);
    expect(FakeWorker.made).toBe(2);
    expect(FakeWorker.posted).toEqual([50, 50]);
    // Each fake worker numbers its own part from 0: the parts come back in the order asked.
    expect(cids).toEqual([...Array.from({ length: 50 }, (_, i) => `bafy${i}`), ...Array.from({ length: 50 }, (_, i) => `bafy${i}`)]);
    expect(await checker.check(blocks.slice(0, 10), [])).toHaveLength(10);
    expect(FakeWorker.posted).toEqual([50, 50, 10]);
    checker.close();
  });
});
