/**
 * The receiving side of pubsub: checks each message, coalesces messages that arrive close together
 * into one `applyBlocks` call per sender (one transaction), and gives each message its verdict.
 */
import { decodeBlock, type EncodedBlock } from '../core/block.js';
import { InvalidBlockError, UnknownCollectionError } from '../core/errors.js';
import type { BlockCid, CollectionId, DocId, PeerIdString } from '../core/ids.js';
import { shortCid } from '../core/verify.js';
import type { Database, IncomingBlock } from '../db/database.js';
import { decodeGossip } from './gossip-codec.js';
import type { ActivityEntry } from './events.js';
import type { TopicMessage, Verdict } from './network.js';

/** What the receiver needs from the engine. */
export interface ReceiverComponents {
  readonly db: Database;
  /** The collection name when the topic is subscribed, else undefined. */
  subscribedName(topic: string): string | undefined;
  log(entry: Omit<ActivityEntry, 'at'>): void;
  /** Called when blocks wait for parents this node lacks: fetch them from `peer`, then apply `pending`. */
  missing(peer: PeerIdString, collection: CollectionId, docs: DocId[], pending: IncomingBlock[]): void;
}

/** Options of the receiver. */
export interface ReceiverInit {
  /** Most blocks applied in one transaction (default 1000). */
  readonly maxBatchBlocks?: number;
}

interface Queued {
  readonly from: PeerIdString;
  readonly topic: CollectionId;
  readonly blocks: EncodedBlock[];
  readonly done: (v: Verdict) => void;
}

/** Short readable form of an error for the activity log. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Checks, batches and applies pubsub messages. */
export class Receiver {
  private queue: Queued[] = [];
  private draining = false;
  private readonly maxBatch: number;

  constructor(private readonly c: ReceiverComponents, init: ReceiverInit = {}) {
    this.maxBatch = init.maxBatchBlocks ?? 1000;
  }

  /** Handles one pubsub message; resolves to its verdict once its batch is applied. Never throws. */
  async receive(msg: TopicMessage): Promise<Verdict> {
    const name = this.c.subscribedName(msg.topic);
    if (name === undefined) return 'ignore';
    let blocks: EncodedBlock[];
    let publisher: string | undefined;
    try {
      ({ blocks, publisher } = this.check(msg));
    } catch (err) {
      this.drop(msg, name, err);
      return 'reject';
    }
    const sender = (msg.origin ?? publisher ?? msg.from) as PeerIdString;
    const via = sender !== msg.from ? ` via ${msg.from}` : '';
    this.c.log({ level: 'info', message: `Received new pubsub message from ${sender}${via} on ${name}`, peer: sender, topic: msg.topic, collection: name });
    return new Promise<Verdict>((done) => {
      this.queue.push({ from: msg.from, topic: msg.topic as CollectionId, blocks, done });
      if (!this.draining) {
        this.draining = true;
        setTimeout(() => void this.drain(), 0);
      }
    });
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

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        let count = 0;
        let take = 0;
        while (take < this.queue.length && (take === 0 || count + this.queue[take]!.blocks.length <= this.maxBatch)) {
          count += this.queue[take]!.blocks.length;
          take++;
        }
        const batch = this.queue.splice(0, take);
        const bySender = new Map<string, Queued[]>();
        for (const q of batch) {
          const key = `${q.from}|${q.topic}`;
          if (!bySender.has(key)) bySender.set(key, []);
          bySender.get(key)!.push(q);
        }
        for (const group of bySender.values()) await this.apply(group);
      }
    } finally {
      this.draining = false;
    }
  }

  private async apply(group: Queued[]): Promise<void> {
    const { from, topic } = group[0]!;
    const name = this.c.subscribedName(topic) ?? topic;
    const items: IncomingBlock[] = group.flatMap((q) => q.blocks.map((b) => ({ cid: b.cid, bytes: b.bytes })));
    let result;
    try {
      result = await this.c.db.applyBlocks(items, from);
    } catch (err) {
      this.c.log({ level: 'warn', message: `Could not apply blocks from ${from}: ${describeError(err)}`, peer: from, topic, collection: name });
      for (const q of group) q.done('ignore');
      return;
    }
    const bad = new Map<string, Error>();
    for (const r of result.rejected) if (r.cid !== undefined) bad.set(r.cid, r.error);
    for (const q of group) {
      const errors = q.blocks.map((b) => bad.get(b.cid)).filter((e): e is Error => e !== undefined);
      if (errors.length) {
        for (const e of errors) this.c.log({ level: 'warn', message: `Dropped pubsub message from ${from} on ${name}: ${describeError(e)}`, peer: from, topic, collection: name });
        q.done('reject');
      } else {
        q.done('accept');
      }
    }
    if (result.missing.length === 0) return;
    const missing = new Set<BlockCid>(result.missing);
    const applied = new Set(result.applied);
    const waiting = group.flatMap((q) => q.blocks).filter((b) => !applied.has(b.cid) && !bad.has(b.cid));
    const docs = [...new Set(waiting.filter((b) => b.block.parents.some((p) => missing.has(p))).map((b) => b.block.doc))];
    if (docs.length) this.c.missing(from, topic, docs, waiting.map((b) => ({ cid: b.cid, bytes: b.bytes })));
  }
}

