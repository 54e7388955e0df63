/** The public types of the client API: what an app built on a node sees. */
import type { CollectionId, DocId, Origin, PeerIdString } from '../core/ids.js';
import type { FieldValue } from '../core/values.js';
import type { CollectionInfo } from '../db/database.js';
import type { Document } from '../db/document.js';
import type { ActivePeer, RelayState } from '../net/peer-manager.js';
import type { ActivityEntry, CatchUpProgress, ClockSkewEvent, SchemaMismatchEvent, SyncOfferEvent } from '../sync/events.js';
export type { Neighbour } from '../sync/events.js';
import type { OverwrittenEvent } from '../db/database.js';
export type { OverwrittenEvent } from '../db/database.js';
import type { SyncStatus } from '../sync/sync-status.js';
import type { Filter } from '../db/filter.js';
import type { RedialEvent } from '../net/redial.js';

export type { RedialEvent } from '../net/redial.js';
export type { ActivePeer, ActivityEntry, CatchUpProgress, ClockSkewEvent, CollectionId, CollectionInfo, DocId, Document, FieldValue, Origin, PeerIdString, RelayState, SchemaMismatchEvent, SyncOfferEvent, SyncStatus };
export type { SyncState } from '../sync/sync-status.js';
export type { Filter, OperatorBlock, Operator } from '../db/filter.js';
export type { Commit } from '../db/history.js';
export type { LiveQuery, QueryResult } from '../graphql/engine.js';
export type { CollectionDef, FieldDef, ScalarName } from '../core/schema.js';

/** How to list documents: equality filters, an order, and a page. */
export interface ListOptions {
  /** Field name to the value it must equal. */
  readonly where?: Readonly<Record<string, FieldValue>>;
  /**
   * A DefraDB-style filter: `{ age: { _gt: 30 }, _or: [{ name: { _like: "A%" } }, { verified: { _eq: true } }] }`.
   * Operators: `_eq _ne _in _nin` on every field, `_gt _ge _lt _le` on Int, Float, String, ID and DateTime,
   * `_like _nlike _ilike _nilike` (`%` any run, `_` one character) on String and ID; `_docID` filters by
   * DocID. A bad field, operator or operand throws FilterError.
   */
  readonly filter?: Filter;
  /** Only these DocIDs. */
  readonly ids?: readonly string[];
  /** Order by a field (or `_createdAt`, the default, or `_docID`), or by several: each breaks the ties of the one before. */
  readonly order?: ListOrder | readonly ListOrder[];
  /** Most documents to return (default 100). */
  readonly limit?: number;
  /** Documents to skip first (default 0). */
  readonly offset?: number;
}

/** One key of an order. */
export interface ListOrder {
  readonly field: string;
  readonly direction?: 'asc' | 'desc';
}

/** One page of a listing. */
export interface Page {
  readonly docs: readonly Document[];
  /** Matching documents in all (the page is `docs`). */
  readonly total: number;
  /** True when more match after this page. */
  readonly hasMore: boolean;
}

/** This node's identity on the network, like `defradb client p2p info`. */
export interface NodeInfo {
  /** The node's name (which database it opened). */
  readonly name: string;
  /** The libp2p PeerID; empty for a local-only node. */
  readonly peerId: string;
  /** Full multiaddresses ending in /p2p/<PeerID>, the WebRTC-dialable ones first. */
  readonly addresses: readonly string[];
  /** The Ed25519 key that signs this node's blocks, as hex. */
  readonly publicKey: string;
  /** The same key as a DID (`did:key:z6Mk…`): this node's identity, as commits name their authors. */
  readonly did: string;
}

/** Documents changed, locally or by a peer. */
export interface ChangeEvent {
  /** The collection's name. */
  readonly collection: string;
  readonly collectionId: CollectionId;
  readonly docs: readonly DocId[];
  /** `'local'` or the PeerID the change came from. */
  readonly origin: Origin;
}

/** Something went wrong that no call of the app's could report (e.g. the database was closed by another tab). */
export interface NodeErrorEvent {
  readonly error: Error;
  readonly message: string;
}

/** The client's events: `node.on(name, listener)` with the detail's type checked, and misspelt names refused. */
export interface NodeEvents {
  change: ChangeEvent;
  collections: readonly CollectionInfo[];
  peers: readonly ActivePeer[];
  addresses: readonly string[];
  relay: RelayState;
  subscriptions: readonly CollectionInfo[];
  activity: ActivityEntry;
  /** A collection's sync state with one peer changed (see `syncStatus`). */
  'sync-status': SyncStatus;
  'catch-up': CatchUpProgress;
  'schema-mismatch': SchemaMismatchEvent;
  'clock-skew': ClockSkewEvent;
  /** A connected peer syncs collections this node has but does not sync: an offer to switch them on (after every hello). */
  'sync-offer': SyncOfferEvent;
  /** A change made here lost a field to a concurrent change from a peer with a later clock. */
  overwritten: OverwrittenEvent;
  /** What a peer told of itself changed: its name or its own peers (see `neighbourhood`). */
  neighbourhood: { readonly peer: PeerIdString };
  /** A sync peer connected or left. */
  'sync-peer': { readonly peer: PeerIdString; readonly state: 'connected' | 'disconnected' };
  error: NodeErrorEvent;
  /** A peer this node dialled lost its direct connection: being re-dialled, reconnected, or given up. */
  redial: RedialEvent;
}
