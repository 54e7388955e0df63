/** The answering side of the request protocol: hello and pull. Never throws: bad requests get an error frame. */
import { DbError } from '../core/errors.js';
import type { DocId, PeerIdString } from '../core/ids.js';
import type { BlockBytes} from '../db/database.js';
import type { ReplicaPort } from './ports.js';
import { decodeRequest, encodeResponse, type Hello } from './request-codec.js';
import type { ActivityEntry } from './events.js';
import { describeError } from './receiver.js';
import { ServeLimiter, type ServeLimitsInit, type ServeSlot } from './serve-limits.js';

/** Most documents a `docs`-scoped pull may name. */
export const MAX_PULL_DOCS = 10_000;

/** What answering needs. */
export interface ServerComponents {
  readonly db: ReplicaPort;
  /** This node's hello, freshly computed. */
  hello(): Promise<Hello>;
  /** A peer introduced itself. */
  heard(peer: PeerIdString, hello: Hello): void;
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
    let blocks: BlockBytes[];
    let resume: DocId | null = null;
    try {
      const req = decodeRequest(bytes);
      if (req.kind === 'hello') {
        this.c.heard(from, req.hello);
        yield encodeResponse({ kind: 'hello', hello: await this.c.hello() });
        return;
      }
      const col = this.c.db.collection(req.collection);
      if (req.heads.size > MAX_PULL_DOCS) throw new DbError(`a pull may name at most ${MAX_PULL_DOCS} documents`);
      if (req.scope === 'range') {
        ({ blocks, resume } = await this.c.db.missingInRange(col.id, req.after ?? null, req.upto ?? null, req.heads, { maxDocs: this.rangeDocs, maxBlocks: this.rangeBlocks }));
      } else {
        blocks = [];
        for (const [doc, heads] of req.heads) blocks.push(...(await this.c.db.missingBlocks(doc as DocId, heads)));
      }
    } catch (err) {
      this.c.log({ level: 'warn', message: `Refused a request from ${from}: ${describeError(err)}`, peer: from });
      yield encodeResponse({ kind: 'error', message: describeError(err) });
      return;
    }
    for (const frame of this.chunks(blocks)) {
      if (!slot.charge(frame.byteLength)) {
        const reason = 'the byte budget for this peer ran out during the answer; the rest is sent on a later request';
        this.c.log({ level: 'warn', message: `Cut an answer to ${from} short: ${reason}`, peer: from });
        yield frame;
        yield encodeResponse({ kind: 'error', message: reason });
        return;
      }
      yield frame;
    }
    if (resume !== null) yield encodeResponse({ kind: 'more', after: resume });
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
