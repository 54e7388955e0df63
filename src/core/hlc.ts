/** Hybrid logical clock: wall-clock milliseconds plus a counter, so causality and time both order changes. */

/** A clock reading: [wall milliseconds, counter]. */
export type Clock = readonly [wall: number, counter: number];

/** Orders clocks: wall time first, then counter. */
export function compareClock(a: Clock, b: Clock): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** True when `c` is a well-formed clock reading. */
export function isClock(c: unknown): c is Clock {
  return Array.isArray(c) && c.length === 2 && Number.isSafeInteger(c[0]) && Number.isSafeInteger(c[1]) && c[0] >= 0 && c[1] >= 0;
}

/** A hybrid logical clock; `now` is injected so tests are deterministic. */
export class HybridClock {
  private last: Clock;
  constructor(private readonly now: () => number = Date.now, start: Clock = [0, 0]) {
    this.last = start;
  }

  /** A reading above the last one and above every clock in `after` (e.g. a document's parents). */
  tick(after: readonly Clock[] = []): Clock {
    let max = this.last;
    for (const c of after) if (compareClock(c, max) > 0) max = c;
    const wall = this.now();
    const next: Clock = wall > max[0] ? [wall, 0] : [max[0], max[1] + 1];
    this.last = next;
    return next;
  }

  /** Moves the clock past a reading seen from elsewhere. */
  observe(c: Clock): void {
    if (compareClock(c, this.last) > 0) this.last = c;
  }

  /** The last reading given or observed. */
  peek(): Clock {
    return this.last;
  }
}
