/** Who this node is in sync with, per collection and peer: the signal users of local-first stores keep asking for. */
import type { CollectionId, PeerIdString } from '../core/ids.js';

/**
 * Where this node stands with one peer on one collection:
 * - `in-sync`: both hold the same blocks (equal digests) as of `at`;
 * - `caught-up`: this node holds everything the peer offered; the peer lacks some of ours and pulls them itself;
 * - `catching-up`: pulling the difference, `received` of `total` blocks so far;
 * - `behind`: the peer sends faster than this node applies: `waiting` blocks are queued and its newer messages
 *   are left out, to be pulled by catch-up once the queue has drained (nothing is lost);
 * - `failed`: the last exchange failed (`message` says why); the next resync tries again.
 */
export type SyncState = 'in-sync' | 'caught-up' | 'catching-up' | 'behind' | 'failed';

/** One collection's sync state with one peer. */
export interface SyncStatus {
  readonly peer: PeerIdString;
  readonly collection: CollectionId;
  readonly name: string;
  readonly state: SyncState;
  /** Blocks received so far and expected, while catching up. */
  readonly received?: number;
  readonly total?: number;
  /** Blocks the peer held and this node held when they last compared. */
  readonly theirs?: number;
  readonly ours?: number;
  /** Blocks waiting to be applied when this node fell behind. */
  readonly waiting?: number;
  /** Whether the peer subscribes to the collection (false: it only holds it), when known. */
  readonly peerSubscribed?: boolean;
  readonly message?: string;
  /** When this status was set (ms since the epoch). */
  readonly at: number;
}

/** The latest status per (peer, collection); tells a listener about every change. */
export class SyncStatusBoard {
  private readonly byKey = new Map<string, SyncStatus>();

  constructor(private readonly changed: (s: SyncStatus) => void, private readonly now: () => number = Date.now) {}

  /** Sets the status of a (peer, collection) pair. */
  set(s: Omit<SyncStatus, 'at'>): void {
    const full: SyncStatus = { ...s, at: this.now() };
    this.byKey.set(`${s.peer}|${s.collection}`, full);
    this.changed(full);
  }

  /** Forgets a peer (it disconnected). */
  dropPeer(peer: PeerIdString): void {
    for (const [k, s] of this.byKey) if (s.peer === peer) this.byKey.delete(k);
  }

  /** Forgets a collection (it was unsubscribed). */
  dropCollection(collection: CollectionId): void {
    for (const [k, s] of this.byKey) if (s.collection === collection) this.byKey.delete(k);
  }

  /** Every status, or those of one collection. */
  list(collection?: CollectionId): SyncStatus[] {
    return [...this.byKey.values()].filter((s) => collection === undefined || s.collection === collection);
  }

  clear(): void {
    this.byKey.clear();
  }
}
