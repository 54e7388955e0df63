/** The sync engine's typed events. */
import type { OverwrittenEvent } from '../db/database.js';
import type { CollectionId, PeerIdString } from '../core/ids.js';
import type { CollectionInfo } from '../db/database.js';
import type { SyncStatus } from './sync-status.js';

/** One line of the activity log a user reads (the node's p2p log). */
export interface ActivityEntry {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly level: 'info' | 'warn';
  readonly message: string;
  /** The peer concerned (for a received or dropped message: the one that sent it). */
  readonly peer?: PeerIdString;
  /** The pubsub topic (a collection ID). */
  readonly topic?: string;
  /** The collection name, when one is concerned. */
  readonly collection?: string;
}

/** A peer has a collection of the same name as ours with other fields: it has another ID and does not sync. */
export interface SchemaMismatchEvent {
  readonly peer: PeerIdString;
  readonly collection: string;
  readonly localId: CollectionId;
  readonly remoteId: CollectionId;
  /** Names of the fields that differ. */
  readonly fields: readonly string[];
  /** Readable differences ("age is Int in the existing schema, String in the new one"): ours is "existing". */
  readonly differences: readonly string[];
}

/** Progress of pulling one collection's difference from one peer. */
export interface CatchUpProgress {
  readonly peer: PeerIdString;
  readonly collection: CollectionId;
  readonly name: string;
  /** Blocks received so far. */
  readonly received: number;
  /** Blocks the peer said it would send. */
  readonly total: number;
  readonly done: boolean;
}

/** What one pull from a peer did. */
export interface PullResult {
  readonly peer: PeerIdString;
  readonly collection: CollectionId;
  readonly received: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** Parents still missing after the pull. */
  readonly missing: number;
}

/** A sync-protocol peer joined or left. */
export interface PeerEvent {
  readonly peer: PeerIdString;
  readonly state: 'connected' | 'disconnected';
}

/** This node's clock and a peer's differ by more than half the allowed drift. */
export interface ClockSkewEvent {
  readonly peer: PeerIdString;
  /** Our clock minus theirs, in ms (positive: ours is ahead). */
  readonly skewMs: number;
}

/** A connected peer syncs collections this node has but does not sync (yet): the user may want to. */
export interface SyncOfferEvent {
  readonly peer: PeerIdString;
  /** Names of the collections (same definition as ours) the peer subscribes to and this node does not. */
  readonly collections: readonly string[];
}

/** The engine's events. */
export interface SyncEvents {
  /** Told after every hello, so the list is current (empty when there is nothing to offer). */
  offer: SyncOfferEvent;
  activity: ActivityEntry;
  'schema-mismatch': SchemaMismatchEvent;
  'catch-up': CatchUpProgress;
  subscriptions: { readonly subscribed: readonly CollectionInfo[] };
  peer: PeerEvent;
  'clock-skew': ClockSkewEvent;
  /** A collection's sync state with a peer changed. */
  status: SyncStatus;
  /** A change made here lost a field to a concurrent one from a peer (also in Activity). */
  overwritten: OverwrittenEvent;
  /** What a peer told of itself changed: its name or its own peers (see `Sync.neighbourhood`). */
  neighbourhood: { readonly peer: PeerIdString };
}

/** A connected peer as its hellos describe it: its name and its own peers. */
export interface Neighbour {
  readonly peer: PeerIdString;
  readonly name?: string;
  /** Its sync peers other than this node, with their names when known. */
  readonly peers: ReadonlyArray<{ readonly id: string; readonly name?: string }>;
}
