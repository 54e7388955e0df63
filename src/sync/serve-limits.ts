/**
 * Limits on what this node serves one peer over the request stream: answers at once, and bytes per
 * interval (a token bucket), so no peer can turn an 84-byte request into an unbounded stream of work.
 */
import type { PeerIdString } from '../core/ids.js';

/** Options of the limiter. */
export interface ServeLimitsInit {
  /** Answers served to one peer at the same time (default 4); more are refused. */
  readonly maxConcurrentPerPeer?: number;
  /** Bytes served to one peer per window (default 64 MiB per minute, also the burst). */
  readonly bytesPerWindow?: number;
  readonly windowMs?: number;
  /** Peers tracked at once (default 1000; the least recently seen are forgotten). */
  readonly maxPeers?: number;
  readonly now?: () => number;
}

/** One answer under way: charge what it sends, release when it ends. */
export interface ServeSlot {
  /** Takes `bytes` from the peer's budget; false when the budget is spent (stop the answer). */
  charge(bytes: number): boolean;
  release(): void;
}

interface PeerBudget {
  active: number;
  tokens: number;
  at: number;
}

/** Per-peer concurrency and byte budget. */
export class ServeLimiter {
  private readonly peers = new Map<PeerIdString, PeerBudget>();
  private readonly maxConcurrent: number;
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly maxPeers: number;
  private readonly now: () => number;

  constructor(init: ServeLimitsInit = {}) {
    this.maxConcurrent = init.maxConcurrentPerPeer ?? 4;
    this.capacity = init.bytesPerWindow ?? 64 * 1024 * 1024;
    this.perMs = this.capacity / (init.windowMs ?? 60_000);
    this.maxPeers = init.maxPeers ?? 1000;
    this.now = init.now ?? Date.now;
  }

  /** Starts an answer for `peer`, or says why not. */
  begin(peer: PeerIdString): { ok: true; slot: ServeSlot } | { ok: false; reason: string } {
    const b = this.budget(peer);
    if (b.active >= this.maxConcurrent) return { ok: false, reason: `too many requests at once (limit ${this.maxConcurrent} per peer)` };
    if (b.tokens <= 0) return { ok: false, reason: `served too much lately (limit ${formatBytes(this.capacity)} per ${Math.round(this.capacity / this.perMs / 1000)} s per peer); retry in ${Math.ceil(-b.tokens / this.perMs / 1000) + 1} s` };
    b.active++;
    let released = false;
    return {
      ok: true,
      slot: {
        charge: (bytes) => {
          const cur = this.budget(peer);
          cur.tokens -= bytes;
          return cur.tokens > 0;
        },
        release: () => {
          if (released) return;
          released = true;
          const cur = this.peers.get(peer);
          if (cur) cur.active--;
        },
      },
    };
  }

  /** The peer's budget, refilled for the time passed. */
  private budget(peer: PeerIdString): PeerBudget {
    const t = this.now();
    let b = this.peers.get(peer);
    if (!b) {
      b = { active: 0, tokens: this.capacity, at: t };
      if (this.peers.size >= this.maxPeers) this.forgetIdle();
    } else {
      this.peers.delete(peer); // re-inserted below: the map stays in least-recently-seen order
      b.tokens = Math.min(this.capacity, b.tokens + (t - b.at) * this.perMs);
      b.at = t;
    }
    this.peers.set(peer, b);
    return b;
  }

  private forgetIdle(): void {
    for (const [p, b] of this.peers) {
      if (this.peers.size < this.maxPeers) return;
      if (b.active === 0) this.peers.delete(p);
    }
  }
}

/** "64 MiB", "512 KiB". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}
