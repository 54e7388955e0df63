/** Hybrid logical clock: wall-clock milliseconds plus a counter, so causality and time both order changes. */

/** A clock reading: [wall milliseconds, counter]. */
export type Clock = readonly [wall: number, counter: number];

/**
 * Largest wall time a clock may carry (2^47 ms, about the year 6429): far past any real clock, and low
 * enough that `wall + 1` is always exact. Blocks are bounded much tighter by MAX_CLOCK_DRIFT_MS.
 */
export const MAX_WALL_MS = 2 ** 47;
/** Largest counter (unsigned 32 bits). `tick` moves to the next millisecond instead of going past it. */
export const MAX_COUNTER = 2 ** 32 - 1;
/**
 * How far ahead of the receiver's own clock a block's wall time may be (5 minutes). A block stamped
 * further ahead is not applied, not forwarded and never observed into the local clock: it would win
 * every concurrent edit until real time caught up with it and drag every clock that saw it forward.
 * Five minutes tolerates devices whose clocks were never synchronised, while bounding how long a
 * future-stamped write can beat honest concurrent edits. See docs/blocks-and-merge.md.
 */
export const MAX_CLOCK_DRIFT_MS = 5 * 60_000;

/** Orders clocks: wall time first, then counter. */
export function compareClock(a: Clock, b: Clock): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** True when `c` is a well-formed clock reading within the absolute bounds. */
export function isClock(c: unknown): c is Clock {
  return Array.isArray(c) && c.length === 2 && Number.isSafeInteger(c[0]) && Number.isSafeInteger(c[1])
    && c[0] >= 0 && c[0] <= MAX_WALL_MS && c[1] >= 0 && c[1] <= MAX_COUNTER;
}

/** Milliseconds by which `c` is ahead of the wall time `now` (0 or negative when it is not). */
export function aheadBy(c: Clock, now: number): number {
  return c[0] - now;
}

/** A hybrid logical clock; `now` is injected so tests are deterministic. */
export class HybridClock {
  private last: Clock;
  constructor(
    private readonly now: () => number = Date.now,
    start: Clock = [0, 0],
    private readonly maxDriftMs: number = MAX_CLOCK_DRIFT_MS,
  ) {
    this.last = start;
  }

  /**
   * A reading above the last one and above every clock in `after` (e.g. a document's parents). The
   * counter never passes MAX_COUNTER: at the limit the reading moves to the next millisecond, so every
   * reading it gives is one peers accept as well-formed.
   */
  tick(after: readonly Clock[] = []): Clock {
    let max = this.last;
    for (const c of after) if (compareClock(c, max) > 0) max = c;
    const wall = Math.min(this.now(), MAX_WALL_MS);
    let next: Clock;
    if (wall > max[0]) next = [wall, 0];
    else if (max[1] < MAX_COUNTER) next = [max[0], max[1] + 1];
    else next = [Math.min(max[0] + 1, MAX_WALL_MS), 0];
    this.last = next;
    return next;
  }

  /**
   * Moves the clock past a reading seen from elsewhere, unless that reading is more than the allowed
   * drift ahead of this clock's wall time; returns whether it was taken.
   */
  observe(c: Clock): boolean {
    if (!isClock(c) || aheadBy(c, this.now()) > this.maxDriftMs) return false;
    if (compareClock(c, this.last) > 0) this.last = c;
    return true;
  }

  /** The last reading given or observed. */
  peek(): Clock {
    return this.last;
  }
}
