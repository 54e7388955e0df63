/**
 * Work on many blocks in slices, letting the event loop run between them: the synchronous part of verifying
 * one block (decoding checks, hashing, and the native signature check, which Chromium runs on the calling
 * thread) is about 0.3 ms, so 500 blocks at once would hold a tab's main thread for 150 ms or more.
 */

/** Blocks whose synchronous work runs in one go (about 20 ms). */
export const SLICE_BLOCKS = 64;

/** Resolves on a later task: `scheduler.yield()` where the platform has it, else a 0 ms timer. */
export function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Starts `fn` on every item, a slice at a time with a yield between slices, and resolves with all results in
 * order. `fn` must not reject (map failures to values), as earlier results are awaited only at the end.
 */
export async function mapInSlices<T, R>(items: readonly T[], fn: (item: T) => Promise<R>, slice = SLICE_BLOCKS): Promise<R[]> {
  const started: Array<Promise<R>> = [];
  for (let i = 0; i < items.length; i += slice) {
    if (i > 0) await yieldToEventLoop();
    for (let j = i; j < Math.min(i + slice, items.length); j++) started.push(fn(items[j]!));
  }
  return Promise.all(started);
}
