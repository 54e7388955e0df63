/** Pulling from one peer what this node lacks ("here are my heads, send what I lack"), applied chunk by chunk. */
import { decodeBlock, type EncodedBlock } from '../core/block.js';
import { InvalidBlockError } from '../core/errors.js';
import type { BlockCid, DocId, PeerIdString } from '../core/ids.js';
import type { CollectionInfo, IncomingBlock } from '../db/database.js';
import type { ReplicaPort } from './ports.js';
import { decodeResponse, encodeRequest, type PullRequest } from './request-codec.js';
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

/** Most `more` frames followed within one page of a pull (a peer cannot keep a pull going for ever). */
const MAX_RESUMES = 10_000;

/** Running counts of one pull. */
interface Tally {
  /** The apply chain of the whole pull: the next request is sent while earlier frames are still applied. */
  pending: Promise<void>;
  total: number;
  received: number;
  applied: number;
  duplicates: number;
  rejected: number;
  missing: readonly BlockCid[];
}

/** Runs pulls; each response chunk is applied as one batch. */
export class Puller {
  /** Documents whose heads one request carries (default 5000). */
  private readonly pageDocs: number;

  constructor(private readonly c: PullerComponents, init: { pageDocs?: number } = {}) {
    this.pageDocs = Math.max(1, init.pageDocs ?? 5000);
  }

  /**
   * Pulls what this node lacks from `peer`, then applies `extra` (blocks that were waiting for these
   * parents). `all` pages through this node's documents in DocID order, `pageDocs` at a time, sending the
   * heads of one page per request and following the peer's `more` frames, so no request or answer grows with
   * the collection. Throws PeerUnreachableError, RemoteError or ProtocolDecodeError.
   */
  async pull(peer: PeerIdString, col: CollectionInfo, scope: PullScope, extra: readonly IncomingBlock[] = []): Promise<PullResult> {
    const { db } = this.c;
    const t: Tally = { pending: Promise.resolve(), total: 0, received: 0, applied: 0, duplicates: 0, rejected: 0, missing: [] };
    const all = 'all' in scope;
    const report = (done: boolean): void => this.c.progress({ peer, collection: col.id, name: col.name, received: t.received, total: Math.max(t.total, t.received), done });
    if (!all) {
      await this.request(peer, col, { kind: 'pull', collection: col.id, scope: 'docs', heads: await this.headsOf(scope.docs) }, t, () => undefined);
    } else {
      const mine = await db.collectionHeads(col.id);
      const ids = [...mine.keys()].sort();
      const pageDocs = this.pageDocs;
      let start = 0;
      do {
        const end = Math.min(start + pageDocs, ids.length);
        const page = ids.slice(start, end);
        let after: DocId | null = start === 0 ? null : ids[start - 1]!;
        const upto: DocId | null = end < ids.length ? ids[end - 1]! : null;
        for (let round = 0; ; round++) {
          if (round >= MAX_RESUMES) throw new ProtocolDecodeError(`peer ${peer} asked to resume more than ${MAX_RESUMES} times in one range`);
          const from = after;
          const heads = new Map(page.filter((id) => from === null || id > from).map((id) => [id, mine.get(id)!] as const));
          const resume = await this.request(peer, col, { kind: 'pull', collection: col.id, scope: 'range', heads, after, upto }, t, () => report(false));
          if (resume === null) break;
          if ((after !== null && resume <= after) || (upto !== null && resume > upto)) {
            throw new ProtocolDecodeError(`peer ${peer} asked to resume at ${resume}, outside the range it was asked for`);
          }
          after = resume;
        }
        start = end;
      } while (start < ids.length);
    }
    await t.pending;
    if (extra.length) {
      const r = await db.applyBlocks(extra, peer);
      t.applied += r.applied.length;
      t.missing = r.missing;
    }
    if (all) report(true);
    return { peer, collection: col.id, received: t.received, applied: t.applied, duplicates: t.duplicates, rejected: t.rejected, missing: t.missing.length };
  }

  /** Sends one pull and applies its answer frame by frame; returns where to resume, if the peer said. */
  private async request(peer: PeerIdString, col: CollectionInfo, req: PullRequest, t: Tally, progress: () => void): Promise<DocId | null> {
    const { db } = this.c;
    let resume: DocId | null = null;
    // Overlap the network with the database: apply a frame while the next one is read (at most one apply
    // waiting), and send the next request while the last frames of this one are applied. Frames come
    // parents first and the engine applies them in order.
    const apply = async (items: EncodedBlock[]): Promise<void> => {
      const r = await db.applyBlocks(items, peer);
      t.applied += r.applied.length;
      t.duplicates += r.duplicates;
      t.rejected += r.rejected.length;
      t.missing = r.missing;
      for (const x of r.rejected) this.c.log({ level: 'warn', message: `Dropped a block from ${peer} for ${col.name}: ${describeError(x.error)}`, peer, topic: col.id, collection: col.name });
      progress();
    };
    try {
      for await (const frame of this.c.network.request(peer, encodeRequest(req))) {
        const res = decodeResponse(frame);
        if (res.kind === 'error') throw new RemoteError(`peer ${peer} refused the pull of ${col.name}: ${res.message}`);
        if (res.kind === 'more') {
          resume = res.after;
          continue;
        }
        if (res.kind !== 'blocks') throw new ProtocolDecodeError(`peer ${peer} answered a pull with a ${res.kind} frame`);
        if (res.total !== undefined) t.total += res.total;
        t.received += res.blocks.length;
        const items = this.ofCollection(peer, col, res.blocks);
        t.rejected += res.blocks.length - items.length;
        if (!items.length) continue;
        const previous = t.pending;
        t.pending = previous.then(() => apply(items));
        t.pending.catch(() => undefined); // awaited by the pull; never left unhandled
        await previous;
      }
    } catch (err) {
      await t.pending.catch(() => undefined);
      throw err;
    }
    return resume;
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

