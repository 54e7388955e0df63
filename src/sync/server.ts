/** The answering side of the request protocol: hello and pull. Never throws: bad requests get an error frame. */
import { DbError } from '../core/errors.js';
import type { CollectionId, DocId, PeerIdString } from '../core/ids.js';
import type { BlockBytes, RangePart } from '../db/database.js';
import type { ReplicaPort } from './ports.js';
import { RECON_LEAF_DOCS, RECON_SPLIT, decodeRequest, encodeResponse, type Hello, type ReconLeaf, type ReconRequest, type ReconSplit, type SyncResponse } from './request-codec.js';
import { sameFingerprint, type FingerprintIndex } from './range-fingerprints.js';
import type { ActivityEntry } from './events.js';
import { describeError } from './receiver.js';
import { ServeLimiter, type ServeLimitsInit, type ServeSlot } from './serve-limits.js';
import { yieldToEventLoop } from '../db/slices.js';

/** Most documents a `docs`-scoped pull may name. */
export const MAX_PULL_DOCS = 10_000;

/** What answering needs. */
export interface ServerComponents {
  readonly db: ReplicaPort;
  /** This node's hello to `peer`, freshly computed. */
  hello(peer: PeerIdString): Promise<Hello>;
  /** A peer introduced itself. */
  heard(peer: PeerIdString, hello: Hello): void;
  /** The range fingerprints of a collection's documents, as this node holds them now. */
  fingerprints(collection: CollectionId): Promise<FingerprintIndex>;
  log(entry: Omit<ActivityEntry, 'at'>): void;
}

/** Options of the server. */
export interface ServerInit {
  /** Most blocks in one response frame (default 500). */
  readonly chunkBlocks?: number;
  /** Most bytes of blocks in one response frame (default 1 MiB). */
  readonly chunkBytes?: number;
  /** Per-peer limits on answers at once and bytes served. */
  readonly limits?: ServeLimitsInit;
  /** Most documents read, and about the most blocks sent, for one range pull (defaults 10,000 and 5,000). */
  readonly rangeDocs?: number;
  readonly rangeBlocks?: number;
}

/** Answers requests from peers. */
export class Server {
  private readonly chunkBlocks: number;
  private readonly chunkBytes: number;
  private readonly limiter: ServeLimiter;
  private readonly rangeDocs: number;
  private readonly rangeBlocks: number;

  constructor(private readonly c: ServerComponents, init: ServerInit = {}) {
    this.chunkBlocks = init.chunkBlocks ?? 500;
    this.chunkBytes = init.chunkBytes ?? 1024 * 1024;
    this.limiter = new ServeLimiter(init.limits);
    this.rangeDocs = init.rangeDocs ?? 10_000;
    this.rangeBlocks = init.rangeBlocks ?? 5000;
  }

  /** The request handler to give the network: yields encoded response frames. */
  async *answer(from: PeerIdString, bytes: Uint8Array): AsyncGenerator<Uint8Array> {
    const admitted = this.limiter.begin(from);
    if (!admitted.ok) {
      this.c.log({ level: 'warn', message: `Refused a request from ${from}: ${admitted.reason}`, peer: from });
      yield encodeResponse({ kind: 'error', message: admitted.reason });
      return;
    }
    try {
      yield* this.serve(from, bytes, admitted.slot);
    } finally {
      admitted.slot.release();
    }
  }

  private async *serve(from: PeerIdString, bytes: Uint8Array, slot: ServeSlot): AsyncGenerator<Uint8Array> {
    let parts: AsyncIterable<RangePart> | Iterable<RangePart>;
    try {
      const req = decodeRequest(bytes);
      if (req.kind === 'hello') {
        this.c.heard(from, req.hello);
        yield encodeResponse({ kind: 'hello', hello: await this.c.hello(from) });
        return;
      }
      if (req.kind === 'recon') {
        const frame = encodeResponse(await this.reconcile(req));
        if (!slot.charge(frame.byteLength)) {
          const reason = 'the byte budget for this peer ran out; ask again later';
          this.c.log({ level: 'warn', message: `Refused a request from ${from}: ${reason}`, peer: from });
          yield encodeResponse({ kind: 'error', message: reason });
          return;
        }
        yield frame;
        return;
      }
      const col = this.c.db.collection(req.collection);
      if (req.heads.size > MAX_PULL_DOCS) throw new DbError(`a pull may name at most ${MAX_PULL_DOCS} documents`);
      if (req.scope === 'range') {
        // Answered while it is read (the first frame leaves after one small read).
        parts = this.c.db.missingInRangeParts(col.id, req.after ?? null, req.upto ?? null, req.heads, { maxDocs: this.rangeDocs, maxBlocks: this.rangeBlocks });
      } else {
        const blocks: BlockBytes[] = [];
        for (const [doc, heads] of req.heads) blocks.push(...(await this.c.db.missingBlocks(doc as DocId, heads)));
        parts = [{ blocks }];
      }
    } catch (err) {
      this.c.log({ level: 'warn', message: `Refused a request from ${from}: ${describeError(err)}`, peer: from });
      yield encodeResponse({ kind: 'error', message: describeError(err) });
      return;
    }
    // Where to resume goes first, as soon as it is known: the asker can send its next request while this answer
    // is still streaming. Each part's first frame says how many blocks the part holds (the asker's progress).
    let frames = 0;
    try {
      for await (const part of parts) {
        if ('resume' in part) {
          yield encodeResponse({ kind: 'more', after: part.resume });
          continue;
        }
        if (part.blocks.length === 0) continue;
        for (const frame of this.chunks(part.blocks)) {
          // Let the serving tab's event loop run between frames (encoding one takes 20-30 ms, and without a
          // pause ten of them ran as one 500 ms task).
          if (frames++ > 0) await yieldToEventLoop();
          const within = slot.charge(frame.byteLength);
          yield frame;
          if (!within) {
            const reason = 'the byte budget for this peer ran out during the answer; the rest is sent on a later request';
            this.c.log({ level: 'warn', message: `Cut an answer to ${from} short: ${reason}`, peer: from });
            yield encodeResponse({ kind: 'error', message: reason });
            return;
          }
        }
      }
    } catch (err) {
      this.c.log({ level: 'warn', message: `Could not finish an answer to ${from}: ${describeError(err)}`, peer: from });
      yield encodeResponse({ kind: 'error', message: describeError(err) });
      return;
    }
    // An answer without blocks still says so (one empty frame).
    if (frames === 0) yield* this.chunks([]);
  }

  /**
   * Compares the asker's range summaries with this node's: an equal range is left out; a differing one where
   * this node holds at most RECON_LEAF_DOCS documents is listed document by document; any other is split in
   * RECON_SPLIT ranges of about equal counts. One frame of at most 64 × 16 ranges or 64 × 32 documents.
   */
  private async reconcile(req: ReconRequest): Promise<SyncResponse> {
    const col = this.c.db.collection(req.collection);
    const index = await this.c.fingerprints(col.id);
    const splits: ReconSplit[] = [];
    const leaves: ReconLeaf[] = [];
    req.ranges.forEach((r, range) => {
      const mine = index.summary(r.lo, r.hi);
      if (mine.count === r.count && sameFingerprint(mine.fp, r.fp)) return;
      if (mine.count <= RECON_LEAF_DOCS) leaves.push({ range, docs: index.entries(r.lo, r.hi, RECON_LEAF_DOCS) });
      else splits.push({ range, parts: index.split(r.lo, r.hi, RECON_SPLIT).map(({ hi, count, fp }) => ({ hi, count, fp })) });
    });
    return { kind: 'recon', splits, leaves };
  }

  private *chunks(blocks: readonly BlockBytes[]): Generator<Uint8Array> {
    let first = true;
    let chunk: Uint8Array[] = [];
    let size = 0;
    const flush = (): Uint8Array => {
      const frame = encodeResponse(first ? { kind: 'blocks', total: blocks.length, blocks: chunk } : { kind: 'blocks', blocks: chunk });
      first = false;
      chunk = [];
      size = 0;
      return frame;
    };
    for (const b of blocks) {
      if (chunk.length && (chunk.length >= this.chunkBlocks || size + b.bytes.byteLength > this.chunkBytes)) yield flush();
      chunk.push(b.bytes);
      size += b.bytes.byteLength;
    }
    if (chunk.length || first) yield flush();
  }
}
