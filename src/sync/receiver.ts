/**
 * The receiving side of pubsub: checks and verifies each message and gives it its verdict as soon as it
 * is known good (so gossipsub forwards it without waiting for this node's commit), then applies messages
 * in arrival order, coalescing those that arrive close together into one transaction per sender.
 */
import { decodeBlock, type EncodedBlock } from '../core/block.js';
import { InvalidBlockError, UnknownCollectionError } from '../core/errors.js';
import type { BlockCid, CollectionId, DocId, PeerIdString } from '../core/ids.js';
import { shortCid } from '../core/verify.js';
import type { IncomingBlock, VerifiedBlock } from '../db/database.js';
import type { ReplicaPort } from './ports.js';
import { decodeGossip } from './gossip-codec.js';
import type { ActivityEntry } from './events.js';
import type { TopicMessage, Verdict } from './network.js';

/** What the receiver needs from the engine. */
export interface ReceiverComponents {
  readonly db: ReplicaPort;
  /** The collection name when the topic is subscribed, else undefined. */
  subscribedName(topic: string): string | undefined;
  log(entry: Omit<ActivityEntry, 'at'>): void;
  /** Called when blocks wait for parents this node lacks: fetch them from `peer`, then apply `pending`. */
  missing(peer: PeerIdString, collection: CollectionId, docs: DocId[], pending: IncomingBlock[]): void;
  /** Called when messages of a peer on a collection start being left out (`waiting` blocks are queued). */
  fellBehind(peer: PeerIdString, collection: CollectionId, waiting: number): void;
  /** Called once the queue has drained after messages were left out: catch up with those peers. */
  caughtBreath(peers: PeerIdString[]): void;
}

/** Options of the receiver. */
export interface ReceiverInit {
  /** Most blocks applied in one transaction (default 1000). */
  readonly maxBatchBlocks?: number;
  /**
   * How long one apply transaction should take (default 250 ms: 100 ms made a burst of 1,000 about 18% slower
   * in more transactions, for no gain a user could feel). Batches are sized from the measured cost
   * of recent ones, so a local write waits behind at most about this long however fast blocks arrive.
   */
  readonly targetBatchMs?: number;
  /**
   * Most blocks waiting to be verified or applied (default 4,000: a few seconds of applying). Past it, new messages are left out (not
   * applied, not forwarded) and this node catches up with their senders once the queue has drained to half:
   * a writer faster than this node can apply never makes it lose data, only fall back on catch-up.
   */
  readonly maxQueuedBlocks?: number;
}

/** A received message in arrival order: verifying, ready to apply, or dropped. */
interface Slot {
  readonly from: PeerIdString;
  readonly topic: CollectionId;
  state: 'verifying' | 'ready' | 'dropped';
  blocks: VerifiedBlock[];
  /** Blocks it counts in the backlog. */
  readonly size: number;
}

/** Short readable form of an error for the activity log. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Checks, batches and applies pubsub messages. */
export class Receiver {
  private queue: Slot[] = [];
  private draining = false;
  private readonly maxBatch: number;
  private readonly targetBatchMs: number;
  /** Measured cost of applying one block (moving average), which sizes the next batch. */
  private msPerBlock = 0;
  private readonly maxQueued: number;
  /** Blocks in the queue (verifying or waiting to be applied). */
  private queued = 0;
  /** Senders whose messages were left out while the queue was full, and how many. */
  private readonly leftOut = new Map<PeerIdString, number>();
  /** (peer, topic) pairs already reported as fallen behind since the last drain. */
  private readonly behind = new Set<string>();

  constructor(private readonly c: ReceiverComponents, init: ReceiverInit = {}) {
    this.maxBatch = init.maxBatchBlocks ?? 1000;
    this.targetBatchMs = init.targetBatchMs ?? 250;
    this.maxQueued = init.maxQueuedBlocks ?? 4_000;
  }

  /** Handles one pubsub message; resolves to its verdict once its blocks are verified. Never throws. */
  async receive(msg: TopicMessage): Promise<Verdict> {
    const name = this.c.subscribedName(msg.topic);
    if (name === undefined) return 'ignore';
    // A full backlog leaves messages out before spending anything on them (decoding, hashing, verifying).
    if (this.queued >= this.maxQueued) return this.leaveOut(msg, name);
    let blocks: EncodedBlock[];
    let publisher: string | undefined;
    try {
      ({ blocks, publisher } = this.check(msg));
    } catch (err) {
      this.drop(msg, name, err);
      return 'reject';
    }
    const sender = (msg.origin ?? publisher ?? msg.from) as PeerIdString;
    if (this.queued + blocks.length > this.maxQueued && this.queued > 0) return this.leaveOut(msg, name);
    const via = sender !== msg.from ? ` via ${msg.from}` : '';
    this.c.log({ level: 'info', message: `Received new pubsub message from ${sender}${via} on ${name}`, peer: sender, topic: msg.topic, collection: name });
    const slot: Slot = { from: msg.from, topic: msg.topic as CollectionId, state: 'verifying', blocks: [], size: blocks.length };
    this.queue.push(slot);
    this.queued += slot.size;
    try {
      const { verified, rejected } = await this.c.db.verifyBlocks(blocks); // decoded and hashed once, in check()
      if (rejected.length) {
        slot.state = 'dropped';
        for (const r of rejected) this.drop(msg, name, r.error);
        return 'reject';
      }
      slot.blocks = verified;
      slot.state = 'ready';
      return 'accept';
    } catch (err) {
      slot.state = 'dropped';
      this.drop(msg, name, err);
      return 'ignore';
    } finally {
      this.kick();
    }
  }

  /** Leaves a message to catch-up (not applied, not forwarded); its sender is caught up with after the drain. */
  private leaveOut(msg: TopicMessage, name: string): Verdict {
    const n = this.leftOut.get(msg.from) ?? 0;
    this.leftOut.set(msg.from, n + 1);
    if (n === 0) this.c.log({ level: 'warn', message: `Falling behind on ${name}: ${this.queued} blocks wait to be applied; messages from ${msg.from} are left to catch-up until the queue drains`, peer: msg.from, topic: msg.topic, collection: name });
    const key = `${msg.from}|${msg.topic}`;
    if (!this.behind.has(key)) {
      this.behind.add(key);
      this.c.fellBehind(msg.from, msg.topic as CollectionId, this.queued);
    }
    return 'ignore';
  }

  /** Most blocks the next transaction should take, from the measured cost of recent ones. */
  private batchLimit(): number {
    if (this.msPerBlock <= 0) return this.maxBatch;
    return Math.max(16, Math.min(this.maxBatch, Math.floor(this.targetBatchMs / this.msPerBlock)));
  }

  /** Decodes the envelope and every block; each block must belong to the topic's collection. */
  private check(msg: TopicMessage): { blocks: EncodedBlock[]; publisher?: string } {
    const gossip = decodeGossip(msg.data);
    if (gossip.collection !== msg.topic) throw new InvalidBlockError(`message for collection ${gossip.collection} was sent on topic ${msg.topic}`);
    const blocks = gossip.blocks.map((bytes) => {
      const enc = decodeBlock(bytes);
      if (enc.block.collection !== msg.topic) {
        const known = this.c.db.collections().find((c) => c.id === enc.block.collection);
        if (!known) throw new UnknownCollectionError(`block ${shortCid(enc.cid)} is for unknown collection ${enc.block.collection}`);
        throw new InvalidBlockError(`block ${shortCid(enc.cid)} of ${known.name} was sent on another collection's topic`);
      }
      return enc;
    });
    return { blocks, ...(gossip.publisher ? { publisher: gossip.publisher } : {}) };
  }

  private drop(msg: TopicMessage, name: string, err: unknown): void {
    const sender = msg.origin ?? msg.from;
    this.c.log({ level: 'warn', message: `Dropped pubsub message from ${sender} on ${name}: ${describeError(err)}`, peer: sender, topic: msg.topic, collection: name });
  }

  /** Starts applying when the oldest message is ready (messages are applied in arrival order). */
  private kick(): void {
    if (this.draining || !this.queue.length || this.queue[0]!.state === 'verifying') return;
    this.draining = true;
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length && this.queue[0]!.state !== 'verifying') {
        let count = 0;
        let take = 0;
        const limit = this.batchLimit();
        while (take < this.queue.length && this.queue[take]!.state !== 'verifying' && (take === 0 || count + this.queue[take]!.blocks.length <= limit)) {
          count += this.queue[take]!.blocks.length;
          take++;
        }
        const taken = this.queue.splice(0, take);
        const batch = taken.filter((q) => q.state === 'ready');
        const bySender = new Map<string, Slot[]>();
        for (const q of batch) {
          const key = `${q.from}|${q.topic}`;
          if (!bySender.has(key)) bySender.set(key, []);
          bySender.get(key)!.push(q);
        }
        const t0 = performance.now();
        try {
          for (const group of bySender.values()) await this.apply(group);
        } finally {
          if (count > 0) {
            const per = (performance.now() - t0) / count;
            this.msPerBlock = this.msPerBlock === 0 ? per : 0.7 * this.msPerBlock + 0.3 * per;
          }
          for (const q of taken) this.queued -= q.size;
          this.breathe();
        }
      }
    } finally {
      this.draining = false;
      this.kick();
    }
  }

  /** Once the backlog is down to half the limit, catch up with the senders whose messages were left out. */
  private breathe(): void {
    if (!this.leftOut.size || this.queued > this.maxQueued / 2) return;
    const peers = [...this.leftOut.keys()];
    const n = [...this.leftOut.values()].reduce((a, b) => a + b, 0);
    this.leftOut.clear();
    this.behind.clear();
    this.c.log({ level: 'info', message: `Caught up with the backlog; ${n} message(s) were left out: catching up with ${peers.join(', ')}` });
    this.c.caughtBreath(peers);
  }

  private async apply(group: Slot[]): Promise<void> {
    const { from, topic } = group[0]!;
    const name = this.c.subscribedName(topic) ?? topic;
    const blocks = group.flatMap((q) => q.blocks);
    let result;
    try {
      result = await this.c.db.applyVerifiedBlocks(blocks, from, [], { pack: 'together' });
    } catch (err) {
      this.c.log({ level: 'warn', message: `Could not apply blocks from ${from}: ${describeError(err)}`, peer: from, topic, collection: name });
      return;
    }
    const bad = new Set<string>();
    for (const r of result.rejected) {
      if (r.cid !== undefined) bad.add(r.cid);
      this.c.log({ level: 'warn', message: `Dropped a block from ${from} on ${name}: ${describeError(r.error)}`, peer: from, topic, collection: name });
    }
    if (result.missing.length === 0) return;
    const missing = new Set<BlockCid>(result.missing);
    const applied = new Set(result.applied);
    const waiting = blocks.filter((b) => !applied.has(b.cid) && !bad.has(b.cid));
    const docs = [...new Set(waiting.filter((b) => b.block.parents.some((p) => missing.has(p))).map((b) => b.block.doc))];
    if (docs.length) this.c.missing(from, topic, docs, waiting.map((b) => ({ cid: b.cid, bytes: b.bytes })));
  }
}
