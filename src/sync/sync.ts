/**
 * The replication engine: publishes local changes on their collection's topic, applies what peers publish,
 * fetches missing parents, and catches up with each peer on connect and on subscribe.
 */
import { digestsEqual } from '../core/digest.js';
import { TypedEventTarget } from '../core/events.js';
import type { CollectionId, DocId, PeerIdString } from '../core/ids.js';
import type { ChangeEvent, CollectionInfo, IncomingBlock, OutgoingEvent } from '../db/database.js';
import type { ReplicaPort, SettingsPort } from './ports.js';
import type { Neighbour, ActivityEntry, PullResult, SyncEvents } from './events.js';
import { encodeGossipChunks } from './gossip-codec.js';
import type { SyncNetwork } from './network.js';
import { FingerprintCache } from './fingerprint-cache.js';
import { Puller } from './puller.js';
import { Receiver, describeError } from './receiver.js';
import { decodeResponse, encodeRequest, type Hello } from './request-codec.js';
import { Server } from './server.js';
import { SubscriptionSet } from './subscriptions.js';
import { HelloBook } from './hellos.js';
import type { ServeLimitsInit } from './serve-limits.js';
import { SyncStatusBoard, type SyncStatus } from './sync-status.js';

/** Longest silence of a hello's answer before the exchange fails and is retried (ms). */
const HELLO_IDLE_MS = 5000;

/** How soon after joining a collection's topic its heads are read into memory (ms). */
const HEADS_WARMUP_MS = 500;

/** Longest wait between retries of a failed exchange with a connected peer. */
const MAX_RETRY_MS = 15_000;
/** How long a catch-up left to a peer holding fewer blocks waits for it to pull before this node pulls itself. */
const LEFT_TO_PEER_MS = 10_000;

/** Two peers that swapped hellos and did not change since swap them again after this long anyway (2 min). */
const INFORMED_MS = 120_000;

/** What the engine needs. */
export interface SyncComponents {
  /** The engine's block-level API. */
  readonly replica: ReplicaPort;
  /** Where subscriptions are kept across restarts. */
  readonly settings: SettingsPort;
  readonly network: SyncNetwork;
}

/** Options of the engine. */
export interface SyncInit {
  /** Catch up with peers on connect and on subscribe (default true). */
  readonly autoCatchUp?: boolean;
  /** Most blocks applied in one transaction from pubsub (default 1000). */
  readonly maxBatchBlocks?: number;
  /** Most received blocks waiting to be applied before new messages are left to catch-up (default 4,000). */
  readonly maxQueuedBlocks?: number;
  /** Most blocks per response frame when answering a pull (default 500). */
  readonly chunkBlocks?: number;
  /** Activity entries kept for `recentActivity()` (default 500). */
  readonly maxActivity?: number;
  /** Further attempts when fetched parents still leave blocks waiting (default 3). */
  readonly fetchRetries?: number;
  /** Re-run catch-up with every peer this often, healing lost gossip (default 30 s; 0 turns it off). */
  readonly resyncIntervalMs?: number;
  /** This node's name, told to peers in hellos (shown before its PeerID). */
  readonly name?: string;
  /** First wait before retrying a failed exchange with a connected peer (ms, default 500; doubles up to 15 s). */
  readonly retryBaseMs?: number;
  /** Wall clock told to peers in hellos (ms; injectable for tests, default Date.now). */
  readonly now?: () => number;
  /** Per-peer limits on what this node serves (answers at once, bytes per interval). */
  readonly serveLimits?: ServeLimitsInit;
  /**
   * Catch-up paging: documents whose heads one pull carries (default 5000), and what one answer reads and
   * sends at most (default 10,000 documents, about 5000 blocks) before it ends with a `more` frame.
   */
  readonly paging?: { readonly pageDocs?: number; readonly rangeDocs?: number; readonly rangeBlocks?: number };
  /**
   * Whether a catch-up with a peer holding about as many blocks as this node (within 10%, or 64) compares
   * range fingerprints first and pulls only the documents that differ (default true); false always sends
   * this node's heads page by page.
   */
  readonly reconcile?: boolean;
}

/** Publisher-subscriber replication of one database over a SyncNetwork. */
export class Sync extends TypedEventTarget<SyncEvents> {
  private readonly db: ReplicaPort;
  private readonly network: SyncNetwork;
  private readonly subs: SubscriptionSet;
  private readonly receiver: Receiver;
  private readonly puller: Puller;
  private readonly fingerprints: FingerprintCache;
  private readonly reconcile: boolean;
  /** Bumped by every change a hello would tell (documents, peers, subscriptions). */
  private version = 0;
  /** Per peer: this node's state (`stateKey`) when the two last swapped hellos, and when. */
  private readonly informed = new Map<PeerIdString, { readonly key: string; readonly at: number }>();
  /** Per peer: the collections whose catch-up was left to it, with the counts then and when (logged once per change). */
  private readonly leftToPeer = new Map<PeerIdString, Map<CollectionId, { readonly counts: string; readonly at: number }>>();
  private readonly server: Server;
  private readonly autoCatchUp: boolean;
  private readonly maxActivity: number;
  private readonly fetchRetries: number;
  private readonly resyncMs: number;
  private readonly retryBaseMs: number;
  private readonly nodeName: string | undefined;
  private helloSoon: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;
  private resyncTimer: ReturnType<typeof setInterval> | undefined;
  private readonly log: ActivityEntry[] = [];
  private readonly hellos: HelloBook;
  private readonly waitingExchange = new Map<PeerIdString, Promise<PullResult[]>>();
  private readonly status = new SyncStatusBoard((s) => this.emit('status', s));
  private readonly exchanges = new Map<PeerIdString, Promise<PullResult[]>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Failed exchanges in a row per peer (retried soon a few times). */
  private readonly failedExchanges = new Map<PeerIdString, number>();
  private detach: Array<() => void> = [];
  private publishing: Promise<void> = Promise.resolve();
  private started = false;

  constructor(components: SyncComponents, init: SyncInit = {}) {
    super();
    this.db = components.replica;
    this.network = components.network;
    this.autoCatchUp = init.autoCatchUp ?? true;
    this.maxActivity = init.maxActivity ?? 500;
    this.fetchRetries = init.fetchRetries ?? 3;
    this.resyncMs = init.resyncIntervalMs ?? 30_000;
    this.retryBaseMs = init.retryBaseMs ?? 500;
    this.reconcile = init.reconcile ?? true;
    this.nodeName = init.name;
    this.now = init.now ?? Date.now;
    this.subs = new SubscriptionSet(this.db, components.settings);
    this.hellos = new HelloBook({
      collections: () => this.db.collections(),
      now: this.now,
      log: (e) => this.activity(e),
      mismatch: (e) => this.emit('schema-mismatch', e),
      skew: (e) => this.emit('clock-skew', e),
      changed: (peer) => this.emit('neighbourhood', { peer }),
      peerSubscribes: (peer, ids) => {
        const names = ids.filter((id) => !this.subs.has(id)).map((id) => this.db.collection(id).name);
        this.emit('offer', { peer, collections: names });
      },
    });
    const log = (e: Omit<ActivityEntry, 'at'>): void => this.activity(e);
    this.receiver = new Receiver({
      db: this.db,
      subscribedName: (topic) => (this.started && this.subs.has(topic) ? this.db.collection(topic).name : undefined),
      log,
      missing: (peer, collection, docs, pending) => this.fetchMissing(peer, collection, docs, pending, 0),
      fellBehind: (peer, collection, waiting) => {
        const col = this.subs.list().find((c) => c.id === collection);
        if (col && this.started) this.setStatus({ peer, collection, name: col.name, state: 'behind', waiting });
      },
      // Forced: what was left out changed the peer, not this node, so the two may have swapped hellos since.
      caughtBreath: (peers) => { for (const p of peers) if (this.started && this.network.peers().includes(p)) void this.exchange(p, true); },
    }, {
      ...(init.maxBatchBlocks !== undefined ? { maxBatchBlocks: init.maxBatchBlocks } : {}),
      ...(init.maxQueuedBlocks !== undefined ? { maxQueuedBlocks: init.maxQueuedBlocks } : {}),
    });
    this.fingerprints = new FingerprintCache((c) => this.db.collectionHeads(c));
    this.puller = new Puller({ db: this.db, network: this.network, log, fingerprints: (c) => this.fingerprints.get(c), progress: (p) => {
      this.emit('catch-up', p);
      if (!p.done) this.setStatus({ peer: p.peer, collection: p.collection, name: p.name, state: 'catching-up', received: p.received, total: p.total });
    } }, init.paging?.pageDocs !== undefined ? { pageDocs: init.paging.pageDocs } : {});
    this.server = new Server({ db: this.db, hello: (peer) => this.hello(peer), heard: (peer, hello) => this.heardRequest(peer, hello), fingerprints: (c) => this.fingerprints.get(c), log }, {
      ...(init.chunkBlocks !== undefined ? { chunkBlocks: init.chunkBlocks } : {}),
      ...(init.serveLimits ? { limits: init.serveLimits } : {}),
      ...(init.paging?.rangeDocs !== undefined ? { rangeDocs: init.paging.rangeDocs } : {}),
      ...(init.paging?.rangeBlocks !== undefined ? { rangeBlocks: init.paging.rangeBlocks } : {}),
    });
  }

  /** Loads the persisted subscriptions, joins their topics and starts serving, publishing and catching up. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.subs.load();
    this.fingerprints.clear(); // changes made while stopped were not seen
    this.started = true;
    this.detach = [
      this.network.onMessage((msg) => this.receiver.receive(msg)),
      this.network.handle((from, bytes) => this.server.answer(from, bytes)),
      this.network.onPeer((peer, state) => this.onPeer(peer, state)),
      this.network.onProblem?.((peer, message, channel) => this.activity({
        level: 'warn', message: channel === 'gossip' ? `Gossip from ${peer}: ${message}` : `Sync stream with ${peer}: ${message}`, peer,
      })) ?? (() => undefined),
      this.network.onPeerTopic?.((peer, topic, subscribed) => this.onPeerTopic(peer, topic, subscribed)) ?? (() => undefined),
      this.db.on('change', (e) => this.onChange(e)),
      this.db.on('outgoing', (e) => this.onOutgoing(e)),
      this.db.on('overwritten', (e) => {
        const name = this.db.collections().find((c) => c.id === e.collection)?.name ?? e.collection;
        const show = (v: unknown): string => JSON.stringify(v).slice(0, 80);
        const from = e.origin.startsWith('remote:') || e.origin === 'local' ? '' : ` from ${e.origin}`;
        this.activity({
          level: 'warn',
          message: `Your edit of ${name}.${e.field} on ${e.doc} lost to a concurrent edit${from} (made while apart, with a later clock): it shows ${show(e.theirs)}, yours was ${show(e.mine)}`,
          ...(from ? { peer: e.origin as PeerIdString } : {}), topic: e.collection, collection: name,
        });
        this.emit('overwritten', e);
      }),
      this.db.on('ignored', (e) => {
        const name = this.db.collections().find((c) => c.id === e.collection)?.name ?? e.collection;
        this.activity({ level: 'warn', message: `Ignored a change of private ${name} document ${e.doc} (block ${e.cid}): ${e.reason}`, topic: e.collection, collection: name });
      }),
    ];
    for (const col of this.subs.list()) this.join(col);
    for (const peer of this.network.peers()) this.onPeer(peer, 'connected');
    if (this.resyncMs > 0 && this.autoCatchUp) this.resyncTimer = setInterval(() => { for (const p of this.network.peers()) void this.exchange(p); }, this.resyncMs);
  }

  /** Leaves the topics, stops answering and waits for work under way. Subscriptions stay persisted. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const d of this.detach) d();
    this.detach = [];
    if (this.resyncTimer !== undefined) clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    if (this.helloSoon !== undefined) clearTimeout(this.helloSoon);
    this.helloSoon = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const col of this.subs.list()) this.network.unsubscribe(col.id);
    await Promise.allSettled([...this.inflight, this.publishing]);
    this.status.clear();
    this.hellos.clear();
    this.leftToPeer.clear();
    this.exchanges.clear();
    this.waitingExchange.clear();
  }

  /**
   * Subscribes to collections by name or ID: `"User"`, `"User,Post"` or `['User', 'Post']`. Unknown names
   * reject with UnknownCollectionError and nothing is subscribed. Returns the newly subscribed collections.
   */
  async subscribe(names: string | readonly string[]): Promise<CollectionInfo[]> {
    const cols = this.subs.resolve(names);
    const fresh = await this.subs.add(cols);
    if (!fresh.length) return [];
    this.version++; // peers must hear of it even when the number of subscriptions is what it was
    if (this.started) for (const col of fresh) this.join(col);
    this.emit('subscriptions', { subscribed: this.subs.list() });
    if (this.started && this.autoCatchUp) for (const peer of this.network.peers()) void this.exchange(peer);
    return fresh;
  }

  /** Unsubscribes from collections (same forms as subscribe); returns those that were subscribed. */
  async unsubscribe(names: string | readonly string[]): Promise<CollectionInfo[]> {
    const gone = await this.subs.remove(this.subs.resolve(names));
    if (gone.length) this.version++;
    for (const col of gone) {
      if (this.started) this.network.unsubscribe(col.id);
      this.status.dropCollection(col.id);
      this.activity({ level: 'info', message: `Removing pubsub topic ${col.id} (${col.name})`, topic: col.id, collection: col.name });
    }
    if (gone.length) this.emit('subscriptions', { subscribed: this.subs.list() });
    return gone;
  }

  /** The subscribed collections. */
  subscriptions(): CollectionInfo[] {
    return this.subs.list();
  }

  /** True when the collection (name or ID) is subscribed. */
  isSubscribed(nameOrId: string): boolean {
    const col = this.db.collections().find((c) => c.name === nameOrId || c.id === nameOrId);
    return col !== undefined && this.subs.has(col.id);
  }

  /** The connected peers that speak the sync protocol. */
  peers(): PeerIdString[] {
    return this.network.peers();
  }

  /** Records a status, for a peer still connected only (work finishing after a disconnect says nothing). */
  private setStatus(s: Omit<SyncStatus, 'at'>): void {
    if (this.started && this.network.peers().includes(s.peer)) this.status.set(s);
  }

  /** Where this node stands with each connected peer, per subscribed collection (or for one collection). */
  syncStatus(collection?: CollectionId): SyncStatus[] {
    return this.status.list(collection);
  }

  /** Adds a line to the activity log (other parts of the node report there too, e.g. re-dials). */
  note(entry: Omit<ActivityEntry, 'at'>): void {
    this.activity(entry);
  }

  /** The name a connected peer told in its hello, if it did. */
  peerName(peer: PeerIdString): string | undefined {
    return this.hellos.get(peer)?.name;
  }

  /** Each connected peer as its hellos describe it: its name and its own peers (what a network map draws). */
  neighbourhood(): Neighbour[] {
    return this.network.peers().map((peer) => {
      const h = this.hellos.get(peer);
      return { peer, ...(h?.name !== undefined ? { name: h.name } : {}), peers: (h?.peers ?? []).filter((x) => x.id !== this.network.selfId) };
    });
  }

  /** The latest activity entries, oldest first. */
  recentActivity(): ActivityEntry[] {
    return [...this.log];
  }

  /** Compares digests with one peer (or every connected peer) and pulls what this node lacks. */
  async catchUp(peer?: PeerIdString): Promise<PullResult[]> {
    const peers = peer !== undefined ? [peer] : this.network.peers();
    return (await Promise.all(peers.map((p) => this.exchange(p, true)))).flat();
  }

  // ---------------------------------------------------------------- internals

  private activity(e: Omit<ActivityEntry, 'at'>): void {
    const entry: ActivityEntry = { at: Date.now(), ...e };
    this.log.push(entry);
    if (this.log.length > this.maxActivity) this.log.splice(0, this.log.length - this.maxActivity);
    this.emit('activity', entry);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
    return p;
  }

  private join(col: CollectionInfo): void {
    this.network.subscribe(col.id);
    this.activity({ level: 'info', message: `Adding pubsub topic ${col.id} (${col.name})`, peer: this.network.selfId, topic: col.id, collection: col.name });
    // Every catch-up of the collection compares heads: read them shortly, so the first peer to connect does
    // not wait for that read (one read of its records; commits keep them up to date afterwards).
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.started) this.db.collectionHeads(col.id).catch(() => undefined);
    }, HEADS_WARMUP_MS);
    this.timers.add(timer);
  }

  private onChange(e: ChangeEvent): void {
    this.fingerprints.changed(e.collection);
    this.version++;
  }

  /** Publishes new local blocks as soon as they are made, while they are committed here. */
  private onOutgoing(e: OutgoingEvent): void {
    if (!this.started) return;
    const messages = encodeGossipChunks(e.collection, e.blocks.map((b) => b.bytes), this.network.selfId);
    this.publishing = this.publishing.then(async () => {
      for (const m of messages) await this.network.publish(e.collection, m);
    }).catch((err: unknown) => {
      this.activity({ level: 'warn', message: `Could not publish on ${e.collection}: ${describeError(err)}`, topic: e.collection });
    });
  }

  private onPeer(peer: PeerIdString, state: 'connected' | 'disconnected'): void {
    if (!this.started) return;
    if (state === 'disconnected') {
      // Forget the peer before telling anyone, so listeners that read statuses see it gone.
      this.status.dropPeer(peer);
      this.hellos.drop(peer);
      this.exchanges.delete(peer);
      this.waitingExchange.delete(peer);
      this.failedExchanges.delete(peer);
      this.informed.delete(peer);
      this.leftToPeer.delete(peer);
    }
    this.version++;
    this.emit('peer', { peer, state });
    this.tellOthersSoon();
    if (state === 'connected' && this.autoCatchUp) void this.exchange(peer);
  }

  /**
   * What a hello from this node would say, as a key: equal keys mean a peer told since has nothing new to hear.
   * Documents, peers and subscriptions bump `version`; an added collection shows in the count.
   */
  private stateKey(): string {
    return `${this.version}/${this.db.collections().length}`;
  }

  /**
   * This node's peers changed: tell the others (a hello, through an exchange) after a short pause, so their
   * network maps show the change. Exchanges pull nothing when digests are equal.
   */
  private tellOthersSoon(): void {
    if (this.helloSoon !== undefined || !this.autoCatchUp) return;
    this.helloSoon = setTimeout(() => {
      this.helloSoon = undefined;
      if (!this.started) return;
      // Every peer: changes pile up in one pause. An exchange with a peer that already heard this node's
      // current state (say, one that just connected) is left out.
      for (const peer of this.network.peers()) void this.exchange(peer);
    }, 300);
  }

  /**
   * A connected peer joined the topic of a collection this node has: exchange hellos with it now, so a write
   * made here before the peer's subscription was known (gossip then had nobody to send it to) reaches it at
   * once: our hello makes it pull what it lacks, and we pull what we lack.
   */
  private onPeerTopic(peer: PeerIdString, topic: string, subscribed: boolean): void {
    if (!this.started || !subscribed || !this.autoCatchUp) return;
    // Any collection this node has counts, subscribed or not: it publishes its own writes either way.
    const name = this.db.collections().find((c) => c.id === topic)?.name;
    if (name === undefined || !this.network.peers().includes(peer)) return;
    this.activity({ level: 'info', message: `Peer ${peer} subscribed to ${name}: exchanging digests with it`, peer, topic, collection: name });
    void this.exchange(peer);
  }

  /**
   * This node's hello to `peer`: its collections, subscriptions and a digest per collection. Definitions the peer
   * is known to hold (same ID, same definition) are left out, and so is the peer itself from the list of peers:
   * a reconnect with nothing to do then costs about 240 bytes a hello instead of 470 (two collections).
   */
  private async hello(peer: PeerIdString): Promise<Hello> {
    const cols = this.db.collections();
    const digests = [];
    for (const c of cols) digests.push({ collection: c.id, digest: await this.db.digest(c.id) });
    const peers = this.network.peers().filter((p) => p !== peer).map((p) => {
      const name = this.hellos.get(p)?.name;
      return name !== undefined ? { id: p, name } : { id: p };
    });
    const held = this.hellos.heldBy(peer);
    return {
      collections: cols.filter((c) => !held?.has(c.id)).map((c) => c.def), subscribed: this.subs.list().map((c) => c.id), digests, now: this.now(),
      ...(this.nodeName ? { name: this.nodeName.slice(0, 64) } : {}),
      peers: peers.slice(0, 64),
      partial: true,
      ...(held ? { compact: true } : {}),
    };
  }

  /** A peer introduced itself in a request: pull from it whatever its digests say we lack. */
  private heardRequest(peer: PeerIdString, hello: Hello): void {
    this.hellos.heard(peer, hello);
    this.informed.set(peer, { key: this.stateKey(), at: this.now() }); // our answer carries our hello
    if (this.started && this.autoCatchUp) void this.queue(peer, () => this.pullDifferences(peer));
  }

  /**
   * Hello, then a pull per subscribed collection whose digest differs (the peer, hearing our hello, pulls what
   * it lacks too). Left out, unless `force`, when the two swapped hellos since this node last changed and less
   * than INFORMED_MS ago: the peer's own changes make it start an exchange itself.
   */
  private exchange(peer: PeerIdString, force = false): Promise<PullResult[]> {
    // One exchange waiting per peer is enough: it starts after the current one and sees everything.
    const waiting = this.waitingExchange.get(peer);
    if (waiting) return waiting;
    const run = this.queue(peer, async () => {
      this.waitingExchange.delete(peer);
      const key = this.stateKey();
      const last = this.informed.get(peer);
      if (!force && last && last.key === key && this.now() - last.at < INFORMED_MS) return [];
      let hello: Hello | undefined;
      // A hello is answered at once: a stream that stays silent is stuck (seen on links just opened), and
      // failing soon lets the retry, on a new stream, get through instead of waiting out the 20 s default.
      for await (const frame of this.network.request(peer, encodeRequest({ kind: 'hello', hello: await this.hello(peer) }), { idleTimeoutMs: HELLO_IDLE_MS })) {
        const res = decodeResponse(frame);
        if (res.kind === 'hello') hello = res.hello;
      }
      if (!hello) throw new Error('the peer did not answer the hello');
      this.hellos.heard(peer, hello);
      this.informed.set(peer, { key, at: this.now() });
      return this.pullDifferences(peer);
    });
    this.waitingExchange.set(peer, run);
    return run;
  }

  /** Runs catch-up work for one peer after the previous one finished; failures are logged, never thrown. */
  private queue(peer: PeerIdString, work: () => Promise<PullResult[]>): Promise<PullResult[]> {
    const prev = this.exchanges.get(peer) ?? Promise.resolve([]);
    const next = this.track(prev.then(async () => {
      if (!this.started) return [];
      try {
        const results = await work();
        this.failedExchanges.delete(peer);
        return results;
      } catch (err) {
        this.informed.delete(peer); // the next exchange runs in full
        if (this.started) {
          this.retryExchange(peer);
          this.activity({ level: 'warn', message: `Catch-up with ${peer} failed: ${describeError(err)}`, peer });
          for (const col of this.subs.list()) {
            const known = this.status.list(col.id).find((s) => s.peer === peer);
            if (known && known.state !== 'in-sync') this.setStatus({ peer, collection: col.id, name: col.name, state: 'failed', message: describeError(err) });
          }
        }
        return [];
      }
    }));
    this.exchanges.set(peer, next);
    return next;
  }

  /**
   * A failed exchange with a peer still connected is tried again soon (0.5 s, 1 s, 2 s, … at most every
   * 15 s, for as long as it fails and the peer stays connected), not only at the next periodic resync:
   * streams fail while a connection is being replaced (relayed by direct, or one of two direct ones
   * closed), and a write the peer missed would otherwise wait for the resync, or for ever when periodic
   * resync is off. A peer that keeps failing costs one hello per 15 s.
   */
  private retryExchange(peer: PeerIdString): void {
    const attempt = this.failedExchanges.get(peer) ?? 0;
    if (!this.network.peers().includes(peer)) return;
    this.failedExchanges.set(peer, attempt + 1);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.started && this.network.peers().includes(peer)) void this.exchange(peer);
    }, Math.min(this.retryBaseMs * 2 ** Math.min(attempt, 20), MAX_RETRY_MS));
    this.timers.add(timer);
  }

  /**
   * Pulls every subscribed collection whose digest differs from the one the peer last told.
   * When that brought new blocks, tells the other peers (a hello), so they can pull them in turn.
   */
  private async pullDifferences(peer: PeerIdString): Promise<PullResult[]> {
    const info = this.hellos.get(peer);
    if (!info) return [];
    const results: PullResult[] = [];
    for (const col of this.subs.list()) {
      const theirs = info.digests.get(col.id);
      if (!info.collections.has(col.id) || !theirs) continue;
      const ours = await this.db.digest(col.id);
      const base = { peer, collection: col.id, name: col.name, theirs: theirs.count, ours: ours.count, peerSubscribed: info.subscribed.has(col.id) };
      if (digestsEqual(ours, theirs)) {
        this.setStatus({ ...base, state: 'in-sync' });
        continue;
      }
      // A subscribed peer holding fewer blocks pulls ours first (it heard our hello); what it holds that we
      // lack, if anything, we pull when it tells us after its pull. Pulling from it now would mostly send it
      // our heads for documents it lacks, competing with its own catch-up for both nodes' storage. A peer whose
      // counts are still the same LEFT_TO_PEER_MS later did not pull (it failed, or does not catch up): then
      // this node pulls after all.
      if (theirs.count === 0 || (base.peerSubscribed && theirs.count < ours.count)) {
        const counts = `${theirs.count}/${ours.count}`;
        const left = this.leftToPeer.get(peer) ?? new Map<CollectionId, { counts: string; at: number }>();
        this.leftToPeer.set(peer, left);
        const before = left.get(col.id);
        if (before?.counts !== counts) {
          left.set(col.id, { counts, at: this.now() });
          this.activity({ level: 'info', message: `Catch-up with ${peer} on ${col.name} left to them: they hold ${theirs.count} blocks, we hold ${ours.count}; they pull first`, peer, topic: col.id, collection: col.name });
          continue;
        }
        if (theirs.count === 0 || this.now() - before.at < LEFT_TO_PEER_MS) continue;
        left.delete(col.id);
      }
      this.setStatus({ ...base, state: 'catching-up', received: 0, total: 0 });
      const t0 = Date.now();
      this.activity({ level: 'info', message: `Catch-up with ${peer} on ${col.name} started: they hold ${theirs.count} blocks, we hold ${ours.count}`, peer, topic: col.id, collection: col.name });
      // Reconcile by range fingerprints (costs the difference) when the two hold about as many blocks (within
      // 10%, or 64); a node far behind (new, long away, or flooded) pulls by pages of its heads, which then
      // costs less than listing the peer's documents and builds no fingerprints while the peer keeps writing.
      const close = ours.count > 0 && Math.abs(theirs.count - ours.count) <= Math.max(64, theirs.count / 10);
      const r = await this.puller.pull(peer, col, this.reconcile && close ? { reconcile: true } : { all: true });
      results.push(r);
      const after = await this.db.digest(col.id);
      info.digests.set(col.id, after);
      const complete = r.missing === 0 && r.rejected === 0;
      this.setStatus(complete
        ? { ...base, ours: after.count, state: digestsEqual(after, theirs) ? 'in-sync' : 'caught-up' }
        : { ...base, ours: after.count, state: 'failed', message: `${r.rejected} blocks rejected, ${r.missing} parents missing` });
      this.activity({ level: 'info', message: `Catch-up with ${peer} on ${col.name} finished: received ${r.received} blocks, applied ${r.applied}, ${r.duplicates} already held, ${r.rejected} rejected, in ${Date.now() - t0} ms`, peer, topic: col.id, collection: col.name });
    }
    if (results.some((r) => r.applied > 0)) {
      // Tell every peer where we stand now, so they can pull in turn. This one too, at once: it pulls what we
      // hold that it lacks (ours were not a subset of theirs), or sees we are in sync (it may have left the
      // catch-up to us).
      for (const other of this.network.peers()) void this.exchange(other, other === peer);
    }
    return results;
  }

  private fetchMissing(peer: PeerIdString, collection: CollectionId, docs: DocId[], pending: IncomingBlock[], attempt: number): void {
    if (!this.started) return;
    const col = this.db.collections().find((c) => c.id === collection);
    if (!col) return;
    this.activity({ level: 'info', message: `Fetching missing blocks of ${docs.length} ${col.name} document(s) from ${peer}`, peer, topic: col.id, collection: col.name });
    void this.track(this.puller.pull(peer, col, { docs }, pending).then((r) => {
      if (r.missing === 0 || attempt >= this.fetchRetries || !this.started) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.fetchMissing(peer, collection, docs, pending, attempt + 1);
      }, 100 * 2 ** attempt);
      this.timers.add(timer);
    }, (err: unknown) => {
      if (this.started) this.activity({ level: 'warn', message: `Fetching missing blocks from ${peer} failed: ${describeError(err)}`, peer, topic: col.id, collection: col.name });
    }));
  }
}
