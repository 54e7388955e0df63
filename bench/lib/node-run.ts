/** What the Node side-by-side benches (bench/orbitdb, bench/peerbit) share: a run clock, waiting, temp dirs, the test document. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from './results.js';

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

/** Runs one step of a bench: logs its start and duration; a failure is printed and recorded against `keys`. */
export async function step(r: Results, log: (m: string) => void, name: string, keys: readonly string[], fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  log(`${name}…`);
  try {
    await fn();
  } catch (err) {
    console.error(`  ${name} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    r.fail(keys, err);
  }
  log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** Whether a stored User has the fields `doc` wrote. */
export function sameUser(got: { readonly name?: unknown; readonly age?: unknown; readonly verified?: unknown; readonly points?: unknown } | null | undefined, want: ReturnType<typeof doc>): boolean {
  return !!got && got.name === want.name && got.age === want.age && got.verified === want.verified && got.points === want.points;
}

/** The document both systems write: the seed's User. */
export const doc = (tag: string, i: number) => ({ name: `${tag}-${i}`, age: i % 90, verified: i % 2 === 0, points: i * 1.5 });
