/**
 * Re-dialling peers this node connected to when their direct connection is lost without a goodbye: with
 * backoff (1 s doubling to 30 s) for up to 10 minutes, through the address first used (for a tab, its
 * WebRTC address through the relay, so the result is direct again). An explicit Disconnect, a goodbye from
 * the peer, or stopping the node ends it. Peers are still not kept across restarts.
 */
import type { Multiaddr } from '@multiformats/multiaddr';

/** What happened to a re-dial. */
export type RedialEvent =
  | { readonly peerId: string; readonly state: 'retrying'; readonly attempt: number; readonly inMs: number; readonly reason: string }
  | { readonly peerId: string; readonly state: 'reconnected'; readonly attempt: number }
  | { readonly peerId: string; readonly state: 'gave-up'; readonly attempt: number; readonly reason: string };

/** Options of the re-dialler. */
export interface RedialInit {
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  /** How long to keep trying after the loss (ms, default 10 minutes). */
  readonly giveUpAfterMs?: number;
}

/** What the re-dialler needs from the peer manager. */
export interface RedialComponents {
  /** True when a direct (unlimited) connection to the peer is open. */
  hasDirect(peerId: string): boolean;
  /** Dials the address once; resolves when connected (direct or not), rejects on failure. */
  dial(target: Multiaddr, signal: AbortSignal): Promise<void>;
  report(e: RedialEvent): void;
}

interface Wanted {
  readonly target: Multiaddr;
  timer?: ReturnType<typeof setTimeout>;
  attempt: number;
  since?: number;
  abort?: AbortController;
}

/** Keeps the peers this node dialled connected. */
export class Redialler {
  private readonly wanted = new Map<string, Wanted>();
  private readonly first: number;
  private readonly max: number;
  private readonly giveUp: number;
  private stopped = false;

  constructor(private readonly c: RedialComponents, init: RedialInit = {}) {
    this.first = init.firstDelayMs ?? 1000;
    this.max = init.maxDelayMs ?? 30_000;
    this.giveUp = init.giveUpAfterMs ?? 10 * 60_000;
  }

  /** Remembers that this node connected to `peerId` through `target`. */
  remember(peerId: string, target: Multiaddr): void {
    this.forget(peerId);
    this.wanted.set(peerId, { target, attempt: 0 });
  }

  /** Stops re-dialling a peer (explicit Disconnect, or its goodbye). */
  forget(peerId: string): void {
    const w = this.wanted.get(peerId);
    if (!w) return;
    clearTimeout(w.timer);
    w.abort?.abort();
    this.wanted.delete(peerId);
  }

  /** Peers being re-dialled now. */
  pending(): string[] {
    return [...this.wanted].filter(([, w]) => w.since !== undefined).map(([p]) => p);
  }

  /** A connection to the peer closed: start re-dialling when no direct one is left. */
  lost(peerId: string, reason = 'the direct connection closed'): void {
    const w = this.wanted.get(peerId);
    if (!w || this.stopped || w.since !== undefined || this.c.hasDirect(peerId)) return;
    w.since = Date.now();
    w.attempt = 0;
    this.schedule(peerId, w, reason);
  }

  private schedule(peerId: string, w: Wanted, reason: string): void {
    if (this.stopped || this.wanted.get(peerId) !== w) return;
    if (Date.now() - (w.since ?? Date.now()) > this.giveUp) {
      this.c.report({ peerId, state: 'gave-up', attempt: w.attempt, reason });
      this.wanted.delete(peerId);
      return;
    }
    const inMs = Math.min(this.max, this.first * 2 ** Math.min(w.attempt, 10));
    w.attempt++;
    this.c.report({ peerId, state: 'retrying', attempt: w.attempt, inMs, reason });
    w.timer = setTimeout(() => void this.tryOnce(peerId, w), inMs);
  }

  private async tryOnce(peerId: string, w: Wanted): Promise<void> {
    if (this.stopped || this.wanted.get(peerId) !== w) return;
    if (this.c.hasDirect(peerId)) return this.done(peerId, w);
    w.abort = new AbortController();
    try {
      await this.c.dial(w.target, w.abort.signal);
      if (this.c.hasDirect(peerId)) return this.done(peerId, w);
      this.schedule(peerId, w, 'the new connection is not direct');
    } catch (err) {
      this.schedule(peerId, w, (err as Error).message);
    }
  }

  private done(peerId: string, w: Wanted): void {
    w.since = undefined;
    this.c.report({ peerId, state: 'reconnected', attempt: w.attempt });
    w.attempt = 0;
  }

  /** Stops every re-dial. */
  stop(): void {
    this.stopped = true;
    for (const [p] of this.wanted) this.forget(p);
  }

  /** Allows re-dials again after stop (the manager restarted). */
  start(): void {
    this.stopped = false;
  }
}
