/** Pulling from one peer what this node lacks ("here are my heads, send what I lack"), applied chunk by chunk. */
import { decodeBlock, type EncodedBlock } from '../core/block.js';
import { InvalidBlockError } from '../core/errors.js';
import type { BlockCid, DocId, PeerIdString } from '../core/ids.js';
import type { CollectionInfo, IncomingBlock } from '../db/database.js';
import type { ReplicaPort } from './ports.js';
import { decodeResponse, encodeRequest } from './request-codec.js';
import { ProtocolDecodeError, RemoteError } from './errors.js';
import type { ActivityEntry, CatchUpProgress, PullResult } from './events.js';
import type { SyncNetwork } from './network.js';
import { describeError } from './receiver.js';

/** What a pull needs. */
export interface PullerComponents {
  readonly db: ReplicaPort;
  readonly network: SyncNetwork;
  log(entry: Omit<ActivityEntry, 'at'>): void;
  progress(p: CatchUpProgress): void;
}

/** Which documents to pull: every document of the collection, or only some. */
export type PullScope = { readonly all: true } | { readonly docs: readonly DocId[] };

/** Runs pulls; each response chunk is applied as one batch. */
export class Puller {
  constructor(private readonly c: PullerComponents) {}

  /**
   * Sends this node's heads for `scope` to `peer` and applies what comes back, then applies `extra`
   * (blocks that were waiting for these parents). Throws PeerUnreachableError, RemoteError or ProtocolDecodeError.
   */
  async pull(peer: PeerIdString, col: CollectionInfo, scope: PullScope, extra: readonly IncomingBlock[] = []): Promise<PullResult> {
    const { db } = this.c;
    const heads = 'all' in scope ? await db.collectionHeads(col.id) : await this.headsOf(scope.docs);
    const request = encodeRequest({ kind: 'pull', collection: col.id, scope: 'all' in scope ? 'all' : 'docs', heads });
    let total = 0;
    let received = 0;
    let applied = 0;
    let duplicates = 0;
    let rejected = 0;
    let missing: readonly BlockCid[] = [];
    const report = (done: boolean): void => this.c.progress({ peer, collection: col.id, name: col.name, received, total: Math.max(total, received), done });
    // Overlap the network with the database: apply a frame while the next one is read (at most one
    // apply waiting). Frames come parents first and the engine applies them in order.
    let pending: Promise<void> = Promise.resolve();
    const apply = async (items: EncodedBlock[]): Promise<void> => {
      const r = await db.applyBlocks(items, peer);
      applied += r.applied.length;
      duplicates += r.duplicates;
      rejected += r.rejected.length;
      missing = r.missing;
      for (const x of r.rejected) this.c.log({ level: 'warn', message: `Dropped a block from ${peer} for ${col.name}: ${describeError(x.error)}`, peer, topic: col.id, collection: col.name });
      if ('all' in scope) report(false);
    };
    try {
      for await (const frame of this.c.network.request(peer, request)) {
        const res = decodeResponse(frame);
        if (res.kind === 'error') throw new RemoteError(`peer ${peer} refused the pull of ${col.name}: ${res.message}`);
        if (res.kind !== 'blocks') throw new ProtocolDecodeError(`peer ${peer} answered a pull with a ${res.kind} frame`);
        if (res.total !== undefined) total = res.total;
        received += res.blocks.length;
        const items = this.ofCollection(peer, col, res.blocks);
        rejected += res.blocks.length - items.length;
        if (!items.length) continue;
        const previous = pending;
        pending = previous.then(() => apply(items));
        pending.catch(() => undefined); // awaited below; never left unhandled
        await previous;
      }
    } finally {
      await pending.catch(() => undefined);
    }
    await pending;
    if (extra.length) {
      const r = await db.applyBlocks(extra, peer);
      applied += r.applied.length;
      missing = r.missing;
    }
    if ('all' in scope) report(true);
    return { peer, collection: col.id, received, applied, duplicates, rejected, missing: missing.length };
  }

  private async headsOf(docs: readonly DocId[]): Promise<Map<DocId, BlockCid[]>> {
    const out = new Map<DocId, BlockCid[]>();
    for (const d of docs) out.set(d, await this.c.db.heads(d));
    return out;
  }

  /** Keeps the blocks that decode and belong to the collection asked for; logs the others. */
  private ofCollection(peer: PeerIdString, col: CollectionInfo, blocks: readonly Uint8Array[]): EncodedBlock[] {
    const out: EncodedBlock[] = [];
    for (const bytes of blocks) {
      try {
        const enc = decodeBlock(bytes);
        if (enc.block.collection !== col.id) throw new InvalidBlockError(`peer sent a block of collection ${enc.block.collection} when ${col.name} was asked for`);
        out.push(enc); // decoded and hashed once: the engine verifies it without decoding again
      } catch (err) {
        this.c.log({ level: 'warn', message: `Dropped a block from ${peer} for ${col.name}: ${describeError(err)}`, peer, topic: col.id, collection: col.name });
      }
    }
    return out;
  }
}

