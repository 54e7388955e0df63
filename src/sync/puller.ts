/** Pulling from one peer what this node lacks ("here are my heads, send what I lack"), applied chunk by chunk. */
import { decodeBlock, type EncodedBlock } from '../core/block.js';
import { InvalidBlockError } from '../core/errors.js';
import type { BlockCid, CollectionId, DocId, PeerIdString } from '../core/ids.js';
import type { CollectionInfo, IncomingBlock } from '../db/database.js';
import type { ReplicaPort } from './ports.js';
import { MAX_RECON_RANGES, decodeResponse, encodeRequest, type PullRequest, type ReconAnswer } from './request-codec.js';
import { inRange, sameFingerprint, type FingerprintIndex, type RangeSummary } from './range-fingerprints.js';
import { ProtocolDecodeError, RemoteError } from './errors.js';
import type { ActivityEntry, CatchUpProgress, PullResult } from './events.js';
import type { SyncNetwork } from './network.js';
import { describeError } from './receiver.js';
import { SLICE_BLOCKS, yieldToEventLoop } from '../db/slices.js';

/** What a pull needs. */
export interface PullerComponents {
  readonly db: ReplicaPort;
  readonly network: SyncNetwork;
  log(entry: Omit<ActivityEntry, 'at'>): void;
  progress(p: CatchUpProgress): void;
  /** The range fingerprints of a collection's documents, as this node holds them now. */
  fingerprints(collection: CollectionId): Promise<FingerprintIndex>;
}

/**
 * Which documents to pull: every document of the collection (`all`: this node's heads, page by page), those
 * that differ (`reconcile`: range fingerprints first, then only the documents that differ), or only some.
 */
export type PullScope = { readonly all: true } | { readonly reconcile: true } | { readonly docs: readonly DocId[] };

/** Most rounds of a reconciliation (16 splits a round: 16^13 documents). */
const MAX_RECON_ROUNDS = 13;
/** Most ranges one round may compare; a peer whose answers would need more makes the pull fall back to `all`. */
const MAX_RECON_RANGES_PER_ROUND = 4096;

/**
 * How long one apply transaction of a pulled frame should take (ms), and the fewest and most blocks it takes.
 * Larger transactions cost less a block (IndexedDB, one record a document: 0.18-0.22 ms at 200, 0.15 at 500);
 * the store copies the records a slice at a time, so a 500-block commit is not one long task.
 */
const APPLY_TARGET_MS = 250;
const MIN_APPLY_BLOCKS = 32;
const MAX_APPLY_BLOCKS = 500;
/** Blocks of the first frame of an answer checked and applied first, so applying starts early. */
const FIRST_PART_BLOCKS = 100;

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
  /** Measured cost of applying one block in this pull (ms), 0 before the first transaction. */
  msPerBlock: number;
}

/** The frames of one answer to a pull, as they arrive. */
type Answer = AsyncIterator<Uint8Array, unknown, undefined>;

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
    const t: Tally = { pending: Promise.resolve(), total: 0, received: 0, applied: 0, duplicates: 0, rejected: 0, missing: [], msPerBlock: 0 };
    let all = 'all' in scope;
    const report = (done: boolean): void => this.c.progress({ peer, collection: col.id, name: col.name, received: t.received, total: Math.max(t.total, t.received), done });
    if ('reconcile' in scope) {
      const differing = await this.differing(peer, col);
      if (differing === undefined) all = true; // the peer cannot reconcile: pull as before
      else {
        for (let i = 0; i < differing.length; i += this.pageDocs) {
          await this.request(peer, col, this.ask(peer, { kind: 'pull', collection: col.id, scope: 'docs', heads: await this.headsOf(differing.slice(i, i + this.pageDocs)) }), t, () => report(false));
        }
      }
    }
    if ('docs' in scope) {
      await this.request(peer, col, this.ask(peer, { kind: 'pull', collection: col.id, scope: 'docs', heads: await this.headsOf(scope.docs) }), t, () => undefined);
    } else if (all) {
      const mine = await db.collectionHeads(col.id);
      const ids = [...mine.keys()].sort();
      const pageDocs = this.pageDocs;
      // Where a request starts: the first document of its page, and the DocID it asks after (null: the page's start).
      type At = { readonly start: number; readonly after: DocId | null; readonly round: number };
      const uptoOf = (at: At): DocId | null => (at.start + pageDocs < ids.length ? ids[at.start + pageDocs - 1]! : null);
      const requestAt = (at: At): PullRequest => {
        const page = ids.slice(at.start, Math.min(at.start + pageDocs, ids.length));
        const heads = new Map(page.filter((id) => at.after === null || id > at.after).map((id) => [id, mine.get(id)!] as const));
        return { kind: 'pull', collection: col.id, scope: 'range', heads, after: at.after, upto: uptoOf(at) };
      };
      /** The same page again, after where the peer said to resume (checked to lie in the range asked for). */
      const resumed = (at: At, resume: DocId): At => {
        if (at.round + 1 >= MAX_RESUMES) throw new ProtocolDecodeError(`peer ${peer} asked to resume more than ${MAX_RESUMES} times in one range`);
        const upto = uptoOf(at);
        if ((at.after !== null && resume <= at.after) || (upto !== null && resume > upto)) {
          throw new ProtocolDecodeError(`peer ${peer} asked to resume at ${resume}, outside the range it was asked for`);
        }
        return { start: at.start, after: resume, round: at.round + 1 };
      };
      /** The next page of this node's documents, if any. */
      const nextPage = (at: At): At | null => {
        const start = at.start + pageDocs;
        return start < ids.length ? { start, after: ids[start - 1]!, round: 0 } : null;
      };
      let at: At | null = { start: 0, after: null, round: 0 };
      let answer = this.ask(peer, requestAt(at));
      while (at) {
        // A peer that says where to resume before its blocks (`more` first) gets the next request at once, so it
        // reads the next page while this node applies this one.
        const current: At = at;
        let early: { at: At; answer: Answer } | undefined;
        try {
          const resume = await this.request(peer, col, answer, t, () => report(false), true, (r) => {
            const next = resumed(current, r);
            early = { at: next, answer: this.ask(peer, requestAt(next)) };
          });
          at = early?.at ?? (resume === null ? nextPage(current) : resumed(current, resume));
        } catch (err) {
          await early?.answer.return?.();
          throw err;
        }
        if (at) answer = early?.answer ?? this.ask(peer, requestAt(at));
      }
    }
    await t.pending;
    if (extra.length) {
      const r = await db.applyBlocks(extra, peer);
      t.applied += r.applied.length;
      t.missing = r.missing;
    }
    if (!('docs' in scope)) report(true);
    return { peer, collection: col.id, received: t.received, applied: t.applied, duplicates: t.duplicates, rejected: t.rejected, missing: t.missing.length };
  }

  /**
   * Sends one pull now and returns its answer's frames, the first of them already asked for: a request made
   * while an earlier answer is still applied is read by the peer meanwhile. Call `return` to abandon it.
   */
  private ask(peer: PeerIdString, req: PullRequest): Answer {
    const frames = this.c.network.request(peer, encodeRequest(req))[Symbol.asyncIterator]();
    const first = frames.next();
    first.catch(() => undefined); // read (and its failure thrown) when the answer is applied
    let started = false;
    return {
      next: () => {
        if (started) return frames.next();
        started = true;
        return first;
      },
      return: async () => {
        await first.catch(() => undefined);
        return (await frames.return?.()) ?? { done: true, value: undefined };
      },
    };
  }

  /**
   * Applies a pull's answer frame by frame; returns where to resume, if the peer said. A `more` frame is
   * handed to `onMore` when it comes (a peer may send it before its blocks); a second one is refused. `ranged`: the
   * answer is a page of the peer's documents in DocID order (the store may keep the documents it creates together).
   */
  private async request(peer: PeerIdString, col: CollectionInfo, answer: Answer, t: Tally, progress: () => void, ranged = false, onMore?: (after: DocId) => void): Promise<DocId | null> {
    const { db } = this.c;
    let resume: DocId | null = null;
    let first = true;
    // Overlap the network with the database: apply a frame while the next one is read (at most one apply
    // waiting), and send the next request while the last frames of this one are applied. Frames come
    // parents first and the engine applies them in order.
    // A frame is applied in transactions sized to about APPLY_TARGET_MS from the measured cost of the last
    // ones (as the receiver sizes gossip batches), so a local write never waits behind a whole slow frame.
    const apply = async (items: EncodedBlock[]): Promise<void> => {
      const missing: BlockCid[] = [];
      for (let i = 0; i < items.length;) {
        const n = t.msPerBlock > 0 ? Math.min(MAX_APPLY_BLOCKS, Math.max(MIN_APPLY_BLOCKS, Math.floor(APPLY_TARGET_MS / t.msPerBlock))) : MAX_APPLY_BLOCKS;
        const part = items.slice(i, i + n);
        i += part.length;
        const t0 = performance.now();
        const r = await db.applyBlocks(part, peer, ranged ? { pack: 'neighbours' } : {});
        const per = (performance.now() - t0) / part.length;
        t.msPerBlock = t.msPerBlock === 0 ? per : 0.7 * t.msPerBlock + 0.3 * per;
        t.applied += r.applied.length;
        t.duplicates += r.duplicates;
        t.rejected += r.rejected.length;
        missing.push(...r.missing);
        for (const x of r.rejected) this.c.log({ level: 'warn', message: `Dropped a block from ${peer} for ${col.name}: ${describeError(x.error)}`, peer, topic: col.id, collection: col.name });
      }
      t.missing = missing;
    };
    try {
      for (let r = await answer.next(); !r.done; r = await answer.next()) {
        const res = decodeResponse(r.value);
        if (res.kind === 'error') throw new RemoteError(`peer ${peer} refused the pull of ${col.name}: ${res.message}`);
        if (res.kind === 'more') {
          if (resume !== null) throw new ProtocolDecodeError(`peer ${peer} said twice where to resume one pull`);
          resume = res.after;
          onMore?.(res.after);
          continue;
        }
        if (res.kind !== 'blocks') throw new ProtocolDecodeError(`peer ${peer} answered a pull with a ${res.kind} frame`);
        if (res.total !== undefined) t.total += res.total;
        t.received += res.blocks.length;
        // Decoding, signatures and schema are checked now (in a worker, in tabs), while the previous frame
        // commits; applying then checks only what depends on the stored state.
        // The first frame of an answer in two parts: the first is applied as soon as it is checked, while the
        // rest is checked (checking 500 blocks takes about 250 ms); later frames are checked while earlier
        // ones commit.
        const cut = first && res.blocks.length > FIRST_PART_BLOCKS ? FIRST_PART_BLOCKS : res.blocks.length;
        first = false;
        const parts = cut < res.blocks.length ? [res.blocks.slice(0, cut), res.blocks.slice(cut)] : [res.blocks];
        const prepared = parts.map((part) => db.precheckBytes?.(part) ?? Promise.resolve([]));
        const previous = t.pending;
        t.pending = previous.then(async () => {
          for (let i = 0; i < parts.length; i++) {
            const items = await this.ofCollection(peer, col, parts[i]!, await prepared[i]!);
            t.rejected += parts[i]!.length - items.length;
            if (items.length) await apply(items);
          }
          progress();
        });
        t.pending.catch(() => undefined); // awaited by the pull; never left unhandled
        await previous;
      }
    } catch (err) {
      await answer.return?.().catch(() => undefined);
      await t.pending.catch(() => undefined);
      throw err;
    }
    return resume;
  }

  /**
   * The documents this node should ask `peer` about: those the peer holds in another state or this node lacks,
   * found by comparing range fingerprints round by round (each round asks about the ranges that still differ;
   * the peer splits them, or lists its documents where it holds few). Documents only this node holds are not
   * named: the peer pulls those itself. Undefined when the peer does not reconcile (an older version) or
   * answers beyond the bounds, so the caller pulls everything instead.
   */
  private async differing(peer: PeerIdString, col: CollectionInfo): Promise<DocId[] | undefined> {
    const index = await this.c.fingerprints(col.id);
    const wanted = new Set<DocId>();
    let ranges: RangeSummary[] = [index.summary(null, null)];
    for (let round = 0; ranges.length; round++) {
      if (round >= MAX_RECON_ROUNDS) return undefined;
      const next: RangeSummary[] = [];
      for (let i = 0; i < ranges.length; i += MAX_RECON_RANGES) {
        const asked = ranges.slice(i, i + MAX_RECON_RANGES);
        const answer = await this.reconRound(peer, col, asked);
        if (!answer) return undefined;
        const outside = (): ProtocolDecodeError => new ProtocolDecodeError(`peer ${peer} answered a reconciliation with ranges it was not asked about`);
        for (const split of answer.splits) {
          const range = asked[split.range];
          if (!range) throw outside();
          let lo = range.lo;
          split.parts.forEach((part, i) => {
            const last = i === split.parts.length - 1;
            // Parts run in order from the asked range's start to its end, each non-empty.
            if (last ? part.hi !== range.hi : part.hi === null || (lo !== null && part.hi <= lo) || (range.hi !== null && part.hi >= range.hi)) throw outside();
            const theirs = { lo, hi: part.hi, count: part.count, fp: part.fp };
            lo = part.hi;
            if (theirs.count === 0) return; // only this node holds documents there: the peer pulls them
            const mine = index.summary(theirs.lo, theirs.hi);
            if (mine.count !== theirs.count || !sameFingerprint(mine.fp, theirs.fp)) next.push(mine);
          });
        }
        for (const leaf of answer.leaves) {
          const range = asked[leaf.range];
          if (!range) throw outside();
          for (const [doc, fp] of leaf.docs) {
            if (!inRange(doc, range)) throw outside();
            const mine = index.fingerprintOf(doc);
            if (!mine || !sameFingerprint(mine, fp)) wanted.add(doc);
          }
        }
      }
      if (next.length > MAX_RECON_RANGES_PER_ROUND) return undefined;
      ranges = next;
    }
    return [...wanted].sort();
  }

  /** One reconciliation request; undefined when the peer does not know the request. */
  private async reconRound(peer: PeerIdString, col: CollectionInfo, ranges: RangeSummary[]): Promise<ReconAnswer | undefined> {
    let answer: ReconAnswer | undefined;
    for await (const frame of this.c.network.request(peer, encodeRequest({ kind: 'recon', collection: col.id, ranges }))) {
      const res = decodeResponse(frame);
      if (res.kind === 'error') {
        if (/unknown request kind/.test(res.message)) return undefined;
        throw new RemoteError(`peer ${peer} refused to reconcile ${col.name}: ${res.message}`);
      }
      if (res.kind !== 'recon' || answer) throw new ProtocolDecodeError(`peer ${peer} answered a reconciliation with a ${res.kind} frame`);
      answer = res;
    }
    if (!answer) throw new ProtocolDecodeError(`peer ${peer} sent no answer to a reconciliation`);
    return answer;
  }

  private async headsOf(docs: readonly DocId[]): Promise<Map<DocId, BlockCid[]>> {
    const out = new Map<DocId, BlockCid[]>();
    for (const d of docs) out.set(d, await this.c.db.heads(d));
    return out;
  }

  /**
   * Keeps the blocks that decode and belong to the collection asked for; logs the others. Uses the blocks
   * prechecking decoded; decodes (and hashes) the rest a slice at a time, letting the event loop run between
   * slices: a frame holds up to 500 blocks.
   */
  private async ofCollection(peer: PeerIdString, col: CollectionInfo, blocks: readonly Uint8Array[], decoded: ReadonlyArray<EncodedBlock | undefined>): Promise<EncodedBlock[]> {
    const out: EncodedBlock[] = [];
    for (let i = 0; i < blocks.length; i++) {
      if (i > 0 && i % SLICE_BLOCKS === 0 && !decoded[i]) await yieldToEventLoop();
      const bytes = blocks[i]!;
      try {
        const enc = decoded[i] ?? decodeBlock(bytes);
        if (enc.block.collection !== col.id) throw new InvalidBlockError(`peer sent a block of collection ${enc.block.collection} when ${col.name} was asked for`);
        out.push(enc); // decoded and hashed once: the engine verifies it without decoding again
      } catch (err) {
        this.c.log({ level: 'warn', message: `Dropped a block from ${peer} for ${col.name}: ${describeError(err)}`, peer, topic: col.id, collection: col.name });
      }
    }
    return out;
  }
}

