/** What the Node side-by-side benches (bench/orbitdb, bench/peerbit) share: a run clock, waiting, temp dirs, the test document. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A log line prefixed with the seconds since `started`. */
export function runLog(started = performance.now()): (m: string) => void {
  return (m) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${m}`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits for `cond` (checked every `everyMs`), or throws after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 5): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A temp root with a fresh subdirectory per call of `dir`; `remove` deletes it all. */
export function tempDirs(prefix: string): { dir(name: string): string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return { dir: (name) => join(root, `${name}-${n++}`), remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** The document both systems write: the seed's User. */
export const doc = (tag: string, i: number) => ({ name: `${tag}-${i}`, age: i % 90, verified: i % 2 === 0, points: i * 1.5 });
