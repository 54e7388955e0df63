/**
 * What peers told about themselves in their hellos: their collections and digests (what catch-up compares),
 * and the two things a hello can warn about: a same-name collection with other fields, and a clock far
 * from ours. Each warning is given once per peer.
 */
import { collectionIdOf } from '../core/collection-id.js';
import type { SetDigest } from '../core/digest.js';
import { MAX_CLOCK_DRIFT_MS } from '../core/hlc.js';
import type { CollectionId, PeerIdString } from '../core/ids.js';
import { formatSeconds } from '../core/verify.js';
import type { CollectionInfo } from '../db/database.js';
import type { ActivityEntry, ClockSkewEvent, SchemaMismatchEvent } from './events.js';
import type { Hello } from './request-codec.js';
import { findMismatches } from './schema-mismatch.js';
import { LruMap } from '../core/lru.js';

/** What a peer last told. */
export interface PeerHello {
  readonly collections: Set<CollectionId>;
  /** The collections it subscribes to. */
  readonly subscribed: Set<CollectionId>;
  readonly digests: Map<CollectionId, SetDigest>;
  /** Its node name, when it told one. */
  readonly name?: string;
  /** Its own sync peers, as it last told. */
  readonly peers: ReadonlyArray<{ readonly id: string; readonly name?: string }>;
}

/** Where the book reports. */
export interface HelloBookComponents {
  collections(): CollectionInfo[];
  now(): number;
  log(entry: Omit<ActivityEntry, 'at'>): void;
  mismatch(e: SchemaMismatchEvent): void;
  skew(e: ClockSkewEvent): void;
  /** The peer's name or its own peers differ from its previous hello. */
  changed?(peer: PeerIdString): void;
  /** The collections (of ours) the peer subscribes to, after each hello. */
  peerSubscribes(peer: PeerIdString, collections: readonly CollectionId[]): void;
}

/** The latest hello of each connected peer. */
export class HelloBook {
  private readonly byPeer = new Map<PeerIdString, PeerHello & { readonly reported: Set<CollectionId> }>();
  private readonly clockWarned = new Set<PeerIdString>();
  /**
   * The collections of peers that take partial hellos, kept after they leave (a node's collections are never
   * removed): what this node need not define again in its next hello to them, on this connection or the next.
   */
  private readonly holds = new LruMap<PeerIdString, Set<CollectionId>>(256);

  constructor(private readonly c: HelloBookComponents) {}

  /** What the peer last told, if it did. */
  get(peer: PeerIdString): PeerHello | undefined {
    return this.byPeer.get(peer);
  }

  /** Forgets a peer (it left); clock warnings stay given. */
  drop(peer: PeerIdString): void {
    this.byPeer.delete(peer);
  }

  clear(): void {
    this.byPeer.clear();
  }

  /** The collections a peer that takes partial hellos is known to hold (none known: undefined). */
  heldBy(peer: PeerIdString): ReadonlySet<CollectionId> | undefined {
    return this.holds.get(peer);
  }

  /** Records a hello; reports same-name collections whose fields differ and a far-off clock (once per peer). */
  heard(peer: PeerIdString, hello: Hello): void {
    this.checkClock(peer, hello);
    const before = this.byPeer.get(peer);
    const reported = before?.reported ?? new Set<CollectionId>();
    // A partial hello defines only what we may lack; its digests name every collection it has.
    const collections = new Set([...hello.collections.map(collectionIdOf), ...(hello.partial ? hello.digests.map((d) => d.collection) : [])]);
    if (hello.partial) this.holds.set(peer, collections);
    else this.holds.delete(peer);
    this.byPeer.set(peer, {
      collections,
      subscribed: new Set(hello.subscribed),
      digests: new Map(hello.digests.map((d) => [d.collection, d.digest])),
      ...(hello.name !== undefined ? { name: hello.name } : {}),
      peers: hello.peers ?? [],
      reported,
    });
    const shape = (h: { name?: string; peers: ReadonlyArray<{ id: string; name?: string }> } | undefined): string => JSON.stringify([h?.name, h?.peers]);
    if (shape(before) !== shape(this.byPeer.get(peer))) this.c.changed?.(peer);
    // Only collections the peer really uses count: those it subscribes to or holds blocks of. A hello can
    // list any definition; one it neither syncs nor holds is no reason to alarm the user.
    const used = new Set<CollectionId>([...hello.subscribed, ...hello.digests.filter((d) => d.digest.count > 0).map((d) => d.collection)]);
    const ours = new Set(this.c.collections().map((c) => c.id));
    this.c.peerSubscribes(peer, hello.subscribed.filter((id) => ours.has(id)));
    const theirs = hello.collections.filter((def) => used.has(collectionIdOf(def)));
    for (const m of findMismatches(this.c.collections(), theirs)) {
      if (reported.has(m.remoteId)) continue;
      reported.add(m.remoteId);
      this.c.mismatch({ peer, ...m });
      this.c.log({ level: 'warn', message: `Peer ${peer} has a ${m.collection} collection with other fields (${m.fields.join(', ')}); it does not sync: ${m.differences.join('; ')}`, peer, topic: m.localId, collection: m.collection });
    }
  }

  /**
   * Says so, once per peer, when this node's clock and a peer's differ by more than half the allowed
   * drift: past the drift, one side's changes are held back by the other.
   */
  private checkClock(peer: PeerIdString, hello: Hello): void {
    if (hello.now === undefined || this.clockWarned.has(peer)) return;
    const skew = this.c.now() - hello.now;
    if (Math.abs(skew) <= MAX_CLOCK_DRIFT_MS / 2) return;
    this.clockWarned.add(peer);
    const how = skew > 0 ? 'ahead of' : 'behind';
    const consequence = skew > 0
      ? `changes made here are held back by that peer until its clock reaches their time`
      : `that peer's changes are held back here until this clock reaches their time`;
    this.c.skew({ peer, skewMs: skew });
    this.c.log({ level: 'warn', message: `This device's clock is ${formatSeconds(Math.abs(skew))} ${how} peer ${peer}'s: ${consequence}. Check the date and time settings of both devices.`, peer });
  }
}
