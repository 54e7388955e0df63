import { describe, expect, it } from 'vitest';
import { mapInSlices } from './slices.js';

describe('mapInSlices', () => {
  it('keeps the order of results and lets other tasks run between slices', async () => {
    const log: string[] = [];
    const timer = new Promise<void>((r) => setTimeout(() => { log.push('timer'); r(); }, 0));
    const out = await mapInSlices([1, 2, 3, 4, 5], async (n) => { log.push(`start ${n}`); return n * 10; }, 2);
    await timer;
    expect(out).toEqual([10, 20, 30, 40, 50]);
    // The first slice starts at once; the timer set before the call runs before the last slice starts.
    expect(log.slice(0, 2)).toEqual(['start 1', 'start 2']);
    expect(log.indexOf('timer')).toBeGreaterThan(1);
    expect(log.indexOf('timer')).toBeLessThan(log.indexOf('start 5'));
  });

  it('runs a batch of one slice without yielding', async () => {
    let yielded = false;
    setTimeout(() => { yielded = true; }, 0);
    await mapInSlices([1, 2, 3], async (n) => n, 64);
    expect(yielded).toBe(false);
  });
});
