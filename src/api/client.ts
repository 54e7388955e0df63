/**
 * The client façade: the one way into a node for the app's UI, embedding apps, and (later) the GraphQL
 * engine and the CLI. Reads, writes, subscriptions, peers and sync status are decided here and nowhere else.
 */
import { TypedEventTarget } from '../core/events.js';
import { toHex } from '../core/identity.js';
import { didKeyOf } from '../core/did.js';
import type { CollectionId, PeerIdString } from '../core/ids.js';
import { DbError } from '../core/errors.js';
import type { CollectionInfo } from '../db/database.js';
import type { Document } from '../db/document.js';
import type { P2PNode } from '../node/node.js';
import type { ActivePeer, RelayState } from '../net/peer-manager.js';
import type { ActivityEntry, Neighbour, PullResult } from '../sync/events.js';
import type { SyncStatus } from '../sync/sync-status.js';
import type { ListOptions, ListOrder, NodeEvents, NodeInfo, Page } from './types.js';
import type { Commit } from '../db/history.js';
import type { GraphQLEngine, LiveQuery, QueryResult } from '../graphql/engine.js';

/** Calling a network feature on a node opened without a network. */
export class NoNetworkError extends DbError {
  static override readonly name = 'NoNetworkError';
}

const DEFAULT_LIMIT = 100;

/** A running node as an app sees it. Get one from `openNode`. */
export class Client extends TypedEventTarget<NodeEvents> {
  private readonly offs: Array<() => void> = [];
  private closing: Promise<void> | undefined;

  /** @internal Use `openNode`. */
  constructor(private readonly node: P2PNode) {
    super();
    const { db, network, sync } = node;
    this.offs.push(
      db.on('change', (e) => this.emit('change', { collection: this.nameOf(e.collection), collectionId: e.collection, docs: e.docs, origin: e.origin })),
      db.on('collections', () => this.emit('collections', db.collections())),
    );
    if (network) {
      this.offs.push(
        network.on('peers', (p) => this.emit('peers', p)),
        network.on('addresses', (a) => this.emit('addresses', a)),
        network.on('relay', (r) => this.emit('relay', r)),
        network.on('redial', (r) => this.emit('redial', r)),
      );
    }
    if (sync) {
      this.offs.push(
        sync.on('subscriptions', (e) => this.emit('subscriptions', e.subscribed)),
        sync.on('activity', (e) => this.emit('activity', e)),
        sync.on('status', (s) => this.emit('sync-status', s)),
        sync.on('catch-up', (p) => this.emit('catch-up', p)),
        sync.on('schema-mismatch', (m) => this.emit('schema-mismatch', m)),
        sync.on('clock-skew', (c) => this.emit('clock-skew', c)),
        sync.on('offer', (o) => this.emit('sync-offer', o)),
        sync.on('peer', (p) => this.emit('sync-peer', p)),
        sync.on('neighbourhood', (e) => this.emit('neighbourhood', e)),
        sync.on('overwritten', (e) => this.emit('overwritten', e)),
      );
    }
    this.offs.push(db.onClosedElsewhere((error) => this.emit('error', { error, message: error.message })));
  }

  /** The node's name (the database it opened). */
  get name(): string {
    return this.node.name;
  }

  /** True when the node joined the network (false for a local-only node). */
  get networked(): boolean {
    return this.node.network !== undefined;
  }

  // ---------------------------------------------------------------- collections

  /** Adds every type of a GraphQL SDL text as a collection; returns the collections it describes. */
  addSchema(sdl: string): Promise<CollectionInfo[]> {
    return this.node.db.addSchema(sdl);
  }

  /** All collections, in the order they were added. */
  collections(): CollectionInfo[] {
    return this.node.db.collections();
  }

  /** A collection by name or ID; throws UnknownCollectionError. */
  collection(nameOrId: string): CollectionInfo {
    return this.node.db.collection(nameOrId);
  }

  // ---------------------------------------------------------------- documents

  /** Creates a document. Throws ValidationError, DocumentExistsError, UnknownCollectionError. */
  create(collection: string, fields: Record<string, unknown>): Promise<Document> {
    return this.node.db.create(collection, fields);
  }

  /** Creates many documents at once, all or nothing; `private: true` makes each a private document (as `createPrivate`). */
  createMany(collection: string, list: ReadonlyArray<Record<string, unknown>>, opts: { private?: boolean } = {}): Promise<Document[]> {
    return opts.private ? this.node.db.createPrivateMany(collection, list) : this.node.db.createMany(collection, list);
  }

  /**
   * Creates a private document owned by this node's identity (`identity`): its fields are sealed and only
   * identities it is shared with can read them; other peers carry it without reading it.
   */
  createPrivate(collection: string, fields: Record<string, unknown>): Promise<Document> {
    return this.node.db.createPrivate(collection, fields);
  }

  /** Shares a private document this node owns with an identity (did:key) as reader or writer. */
  share(collection: string, id: string, identity: string, relation: 'reader' | 'writer'): Promise<Document> {
    return this.node.db.setRelation(collection, id, identity, relation);
  }

  /** Takes an identity's access to a private document away (later changes use a key it never gets). */
  unshare(collection: string, id: string, identity: string): Promise<Document> {
    return this.node.db.setRelation(collection, id, identity, 'none');
  }

  /** How many private documents of a collection this node carries but may not read. */
  unreadableCount(collection: string): Promise<number> {
    return this.node.db.unreadableCount(collection);
  }

  /** A live document, or undefined. */
  get(collection: string, id: string): Promise<Document | undefined> {
    return this.node.db.get(collection, id);
  }

  /** Changes some fields of a live document; returns it. Throws DocumentNotFoundError, ValidationError. */
  update(collection: string, id: string, patch: Record<string, unknown>): Promise<Document> {
    return this.node.db.update(collection, id, patch);
  }

  /**
   * Sets the same fields on several documents, all or none: each is checked first (it exists, this node may
   * write it). Throws DocumentNotFoundError or AccessDeniedError naming the document, ValidationError.
   */
  updateMany(collection: string, ids: readonly string[], patch: Record<string, unknown>): Promise<Document[]> {
    return this.node.db.updateMany(collection, ids, patch);
  }

  /** Deletes a live document for good. */
  delete(collection: string, id: string): Promise<void> {
    return this.node.db.delete(collection, id);
  }

  /** Deletes several documents for good, all or none (checked as in `updateMany`). */
  deleteMany(collection: string, ids: readonly string[]): Promise<void> {
    return this.node.db.deleteMany(collection, ids);
  }

  /**
   * One page of a collection's live documents, filtered and ordered (creation order by default). In
   * creation order without filters only the page is read, however large the collection.
   */
  list(collection: string, opts: ListOptions = {}): Promise<Page> {
    return this.node.db.page(collection, {
      ...(opts.where ? { where: opts.where } : {}),
      ...(opts.filter ? { filter: opts.filter } : {}),
      ...(opts.ids ? { ids: opts.ids } : {}),
      ...(opts.order ? { sort: (Array.isArray(opts.order) ? opts.order : [opts.order]).map((o: ListOrder) => ({ field: o.field, order: o.direction ?? 'asc' })) } : {}),
      limit: opts.limit ?? DEFAULT_LIMIT,
      offset: opts.offset ?? 0,
    });
  }

  /** A document's history: one commit per block, parents first (as GraphQL's `_commits`). */
  commits(docId: string): Promise<Commit[]> {
    return this.node.db.commits(docId);
  }

  // ---------------------------------------------------------------- GraphQL

  /**
   * Runs a GraphQL query or mutation (DefraDB's shapes: `User(filter:, order:, limit:)`, `create_User(input:)`,
   * `_count`, `_commits`…). Never throws: problems are `errors` with their line and column.
   */
  async query(source: string, variables: Record<string, unknown> = {}): Promise<QueryResult> {
    return (await this.graphql()).query(source, variables);
  }

  /**
   * Runs a GraphQL request and calls `onResult` with its result; a `subscription { User { … } }` calls it
   * again whenever the documents it reads change (locally or from a peer). Resolves to a handle to stop it.
   */
  async liveQuery(source: string, variables: Record<string, unknown>, onResult: (r: QueryResult) => void): Promise<LiveQuery> {
    return (await this.graphql()).live(source, variables, onResult);
  }

  private engine: Promise<GraphQLEngine> | undefined;
  /** The GraphQL engine, loaded on first use (apps that never query do not download it). */
  private graphql(): Promise<GraphQLEngine> {
    this.engine ??= import('../graphql/engine.js').then((m) => new m.GraphQLEngine(this));
    return this.engine;
  }

  // ---------------------------------------------------------------- subscriptions

  /** Subscribes to collections (`"User"`, `"User,Post"` or a list); returns the newly subscribed ones. */
  async subscribe(names: string | readonly string[]): Promise<CollectionInfo[]> {
    return this.sync().subscribe(names);
  }

  /** Unsubscribes from collections; returns those that were subscribed. */
  async unsubscribe(names: string | readonly string[]): Promise<CollectionInfo[]> {
    return this.sync().unsubscribe(names);
  }

  /** The subscribed collections (empty for a local-only node). */
  subscriptions(): CollectionInfo[] {
    return this.node.sync?.subscriptions() ?? [];
  }

  // ---------------------------------------------------------------- peers

  /** This node's name, PeerID, addresses and signing key. */
  info(): NodeInfo {
    const net = this.node.network;
    return { name: this.node.name, peerId: net?.peerId ?? '', addresses: net?.addresses() ?? [], publicKey: toHex(this.node.db.identity.publicKey), did: didKeyOf(this.node.db.identity.publicKey) };
  }

  /**
   * Connects to a peer by multiaddress, ending on a direct connection when the address goes through a
   * relay. Throws InvalidMultiaddrError, SelfDialError, NotAnAppPeerError or DialFailedError.
   */
  async connect(address: string, opts: { onProgress?: (message: string) => void } = {}): Promise<ActivePeer> {
    return this.net().connect(address, opts.onProgress);
  }

  /** Closes every connection to a peer, telling it first. */
  async disconnect(peerId: string): Promise<void> {
    return this.net().disconnect(peerId);
  }

  /** Connected peers (the relay excluded), each direct or relayed with its ping time. */
  activePeers(): ActivePeer[] {
    return this.node.network?.activePeers() ?? [];
  }

  /** Peers this node is re-dialling after losing their direct connection without a goodbye. */
  reconnecting(): string[] {
    return this.node.network?.reconnecting() ?? [];
  }

  /** Where the node stands with the relay (null for a local-only node). */
  relay(): RelayState | null {
    return this.node.network?.relay() ?? null;
  }

  // ---------------------------------------------------------------- sync status

  /** Where this node stands with each connected peer, for every subscribed collection or one (by name or ID). */
  syncStatus(collection?: string): SyncStatus[] {
    const sync = this.node.sync;
    if (!sync) return [];
    const id: CollectionId | undefined = collection === undefined ? undefined : this.collection(collection).id;
    return sync.syncStatus(id);
  }

  /** Each connected sync peer as its hellos describe it: its node name and its own peers (for a network map). */
  neighbourhood(): Neighbour[] {
    return this.node.sync?.neighbourhood() ?? [];
  }

  /** The node name a connected peer told, if it did. */
  peerName(peerId: string): string | undefined {
    return this.node.sync?.peerName(peerId as PeerIdString);
  }

  /** Compares with one peer (or all) now and pulls what this node lacks. */
  async catchUp(peer?: string): Promise<PullResult[]> {
    return this.sync().catchUp(peer as PeerIdString | undefined);
  }

  /** The latest entries of the node's p2p log, oldest first. */
  activity(): ActivityEntry[] {
    return this.node.sync?.recentActivity() ?? [];
  }

  // ---------------------------------------------------------------- lifecycle

  /** Stops syncing, leaves the network, waits for pending writes and closes the database. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const off of this.offs.splice(0)) off();
      await this.node.close();
    })();
    return this.closing;
  }

  private nameOf(id: CollectionId): string {
    try {
      return this.node.db.collection(id).name;
    } catch {
      return id;
    }
  }

  private net() {
    const net = this.node.network;
    if (!net) throw new NoNetworkError('this node was opened without a network');
    return net;
  }

  private sync() {
    const sync = this.node.sync;
    if (!sync) throw new NoNetworkError('this node was opened without a network, so it does not sync');
    return sync;
  }
}
