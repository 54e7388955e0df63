import { describe, expect, it } from 'vitest';
import { HybridClock, MAX_CLOCK_DRIFT_MS, MAX_COUNTER, MAX_WALL_MS, compareClock, isClock, type Clock } from './hlc.js';

describe('hybrid logical clock bounds', () => {
  it('accepts only clocks within the absolute bounds', () => {
    expect(isClock([Date.now(), 0])).toBe(true);
    expect(isClock([MAX_WALL_MS, MAX_COUNTER])).toBe(true);
    expect(isClock([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER])).toBe(false);
    expect(isClock([MAX_WALL_MS + 1, 0])).toBe(false);
    expect(isClock([1, MAX_COUNTER + 1])).toBe(false);
    expect(isClock([-1, 0])).toBe(false);
    expect(isClock([1.5, 0])).toBe(false);
  });

  it('never ticks past the counter limit: it moves to the next millisecond', () => {
    const clock = new HybridClock(() => 1000);
    const next = clock.tick([[5000, MAX_COUNTER]]);
    expect(next).toEqual([5001, 0]);
    expect(isClock(next)).toBe(true);
    expect(compareClock(next, [5000, MAX_COUNTER])).toBeGreaterThan(0);
  });

  it('every tick is well-formed and above the last, whatever it observed within bounds (property)', () => {
    let now = 1_000;
    const clock = new HybridClock(() => now);
    let last: Clock = [0, 0];
    for (let i = 0; i < 2000; i++) {
      if (i % 7 === 0) clock.observe([now + (i % 3) * 1000, MAX_COUNTER - (i % 5)]);
      if (i % 11 === 0) now += 1;
      const c = clock.tick(i % 13 === 0 ? [[now, MAX_COUNTER]] : []);
      expect(isClock(c)).toBe(true);
      expect(compareClock(c, last)).toBeGreaterThan(0);
      last = c;
    }
  });

  it('does not observe a reading further ahead than the allowed drift', () => {
    const now = 1_000_000;
    const clock = new HybridClock(() => now);
    expect(clock.observe([now + MAX_CLOCK_DRIFT_MS + 1, 0])).toBe(false);
    expect(clock.peek()).toEqual([0, 0]);
    expect(clock.observe([now + MAX_CLOCK_DRIFT_MS, 3])).toBe(true);
    expect(clock.peek()).toEqual([now + MAX_CLOCK_DRIFT_MS, 3]);
    expect(clock.observe([Number.MAX_SAFE_INTEGER, 0])).toBe(false);
  });
});
