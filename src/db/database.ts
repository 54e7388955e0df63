/**
 * The document engine, composed of parts with one job each: the collection registry (collections.ts), cached
 * records and the one commit path (records.ts), the local writer with group commit (local-writer.ts), the
 * replica applier that verifies and applies foreign blocks (replica.ts), and the DAG queries sync asks
 * (below). Sync reaches it through the replica port (src/sync/ports.ts).
 */
import { groupBy } from '../core/group-by.js';
import type { BlockCid, CollectionId, DocId, Origin } from '../core/ids.js';
import { parseDocId } from '../core/ids.js';
import type { Clock } from '../core/hlc.js';
import { HybridClock } from '../core/hlc.js';
import type { Identity, SignatureVerifier } from '../core/identity.js';
import { generateSecretKey } from '../core/identity.js';
import { fastIdentity, fastVerifier } from '../core/webcrypto-ed25519.js';
import { decodeBlock, type EncodedBlock } from '../core/block.js';
import type { SetDigest } from '../core/digest.js';
import type { FieldValue } from '../core/values.js';
import { TypedEventTarget } from '../core/events.js';
import { DbError } from '../core/errors.js';
import type { DocRecord, Store, StoredBlock } from '../store/types.js';
import { toDocument, type Document } from './document.js';
import { readsAll, runQuery, sortSpecs, type ListQuery } from './query.js';
import { blocksPeerLacks } from './dag.js';
import { commitsOf, type Commit, type SealedOpener } from './history.js';
import { CollectionRegistry, type CollectionInfo } from './collections.js';
import { Records, SerialQueue } from './records.js';
import { PrivateDocs } from './private-docs.js';
import { LruMap } from '../core/lru.js';
import { LocalWriter } from './local-writer.js';
import { mapInSlices } from './slices.js';
import type { BlockChecker } from './block-checker.js';
import { ReplicaApplier, type ApplyOptions, type ApplyResult, type IncomingBlock, type RejectedBlock, type VerifiedBlock } from './replica.js';

export type { CollectionInfo } from './collections.js';
export type { ApplyOptions, ApplyResult, IncomingBlock, RejectedBlock, VerifiedBlock } from './replica.js';

/** A page request: a list query plus where the page starts and how long it is. */
export interface PageQuery extends ListQuery {
  /** Most documents (default 100). */
  readonly limit?: number;
  /** Documents skipped first (default 0). */
  readonly offset?: number;
}

/** A page of documents. */
export interface DocPage {
  readonly docs: Document[];
  /** Matching live documents in all. */
  readonly total: number;
  readonly hasMore: boolean;
}

/** A part of a range's answer as it is read (`missingInRangeParts`): blocks, or where the next page starts. */
export type RangePart = { readonly blocks: BlockBytes[] } | { readonly resume: DocId };

/** Documents in the first slice a range's answer reads (the rest of the page is the second). */
export const FIRST_SLICE_DOCS = 250;

/** Block bytes and their CID, as sync sends them. */
export interface BlockBytes {
  readonly cid: BlockCid;
  readonly bytes: Uint8Array;
}

/** Emitted after every committed change. */
export interface ChangeEvent {
  readonly collection: CollectionId;
  readonly docs: readonly DocId[];
  /** The new blocks, parents first (what a publisher sends). */
  readonly blocks: readonly BlockBytes[];
  readonly origin: Origin;
}

/** New local blocks of one collection, before they are committed here (their commit may still fail). */
export interface OutgoingEvent {
  readonly collection: CollectionId;
  /** Parents first. */
  readonly blocks: readonly BlockBytes[];
}

/** A private document's change that this node can open but ignores: it does not open with its key or breaks the schema. */
export interface IgnoredContentEvent {
  readonly collection: CollectionId;
  readonly doc: DocId;
  readonly cid: BlockCid;
  readonly reason: string;
}

/**
 * A change made here lost a field to a concurrent change from a peer: the peer's change did not build on this
 * node's (they were made apart) and its clock is later, so its value shows (last writer wins).
 */
export interface OverwrittenEvent {
  readonly collection: CollectionId;
  readonly doc: DocId;
  readonly field: string;
  /** The value this node wrote, and the one that won. */
  readonly mine: FieldValue;
  readonly theirs: FieldValue;
  /** The winning block and its author's identity (did:key). */
  readonly cid: BlockCid;
  readonly author: string;
  readonly origin: Origin;
}

/** The engine's events. */
export interface DatabaseEvents {
  overwritten: OverwrittenEvent;
  change: ChangeEvent;
  /** New local blocks of one collection, handed over just before their commit (sync publishes them meanwhile). */
  outgoing: OutgoingEvent;
  ignored: IgnoredContentEvent;
  collections: { readonly added: readonly CollectionInfo[] };
}

/** What the engine needs. */
export interface DatabaseInit {
  readonly store: Store;
  /** Signing identity; loaded from (or created in) the store when absent. */
  readonly identity?: Identity;
  /** The identity's Ed25519 secret key, which opens the keys of private documents shared with it (loaded with the identity when that is absent). */
  readonly secretKey?: Uint8Array;
  readonly verifier?: SignatureVerifier;
  /** Where received blocks are checked ahead of applying them (a worker in tabs); in this thread when absent. */
  readonly checker?: BlockChecker;
  /** Wall clock, injectable for tests. */
  readonly now?: () => number;
}

const META_IDENTITY = 'identity-secret-key';

/** A local-first document database over a Store. */
export class Database extends TypedEventTarget<DatabaseEvents> {
  private readonly registry = new CollectionRegistry();
  private readonly queue = new SerialQueue();
  private readonly records: Records;
  private readonly replica: ReplicaApplier;
  private readonly writer: LocalWriter;
  private readonly privateDocs: PrivateDocs;
  /** Blocks this node wrote lately (to tell when one of its edits loses to a concurrent one). */
  private readonly localCids = new LruMap<BlockCid, true>(5000);
  private closed = false;
  private closedReason: Error | undefined;
  private checker: BlockChecker | undefined;
  private checkedElsewhere = 0;

  private constructor(
    readonly store: Store,
    readonly identity: Identity,
    private readonly clock: HybridClock,
    verifier: SignatureVerifier,
    private readonly now: () => number,
    secretKey: Uint8Array | undefined,
  ) {
    super();
    this.records = new Records(store);
    this.privateDocs = new PrivateDocs({
      store,
      publicKey: identity.publicKey,
      ...(secretKey ? { secretKey } : {}),
      collection: (id) => this.registry.def(id),
      ignored: (collection, doc, cid, reason) => this.emit('ignored', { collection, doc, cid, reason }),
    });
    this.writer = new LocalWriter({
      records: this.records,
      privateDocs: this.privateDocs,
      queue: this.queue,
      clock,
      identity,
      check: () => this.check(),
      changed: (collection, docs, blocks) => {
        for (const b of blocks) this.localCids.set(b.cid, true);
        this.emit('change', { collection, docs, blocks, origin: 'local' });
      },
      outgoing: (collection, blocks) => this.emit('outgoing', { collection, blocks }),
    });
    this.replica = new ReplicaApplier({
      records: this.records,
      isLocal: (cid) => this.localCids.has(cid),
      overwritten: (e) => this.emit('overwritten', e),
      privateDocs: this.privateDocs,
      clock,
      verifyCtx: { collection: (id) => this.registry.def(id), verifier, now },
      changed: (collection, docs, blocks, origin) => this.emit('change', { collection, docs, blocks: blocks.map(({ cid, bytes }) => ({ cid, bytes })), origin }),
    });
  }

  /** Opens the engine over a store: loads collections, identity and clock. */
  static async open(init: DatabaseInit): Promise<Database> {
    const { store } = init;
    let identity = init.identity;
    let secretKey = init.secretKey;
    if (!identity) {
      let sk = await store.getMeta<Uint8Array>(META_IDENTITY);
      if (!(sk instanceof Uint8Array) || sk.byteLength !== 32) {
        sk = generateSecretKey();
        await store.putMeta(META_IDENTITY, sk);
      }
      identity = await fastIdentity(sk);
      secretKey = sk;
    }
    // The clock needs no persisting: a change's clock is drawn above every stamp of its document.
    const now = init.now ?? Date.now;
    const db = new Database(store, identity, new HybridClock(now), init.verifier ?? (await fastVerifier()), now, secretKey);
    db.checker = init.checker;
    db.registry.remember(await store.listCollections());
    return db;
  }

  // ---------------------------------------------------------------- collections

  /** All collections, in the order they were added. */
  collections(): CollectionInfo[] {
    return this.registry.list();
  }

  /** A collection by name or ID; throws UnknownCollectionError. */
  collection(nameOrId: string): CollectionInfo {
    return this.registry.get(nameOrId);
  }

  /**
   * Adds every type in the SDL as a collection, all in one commit. Re-adding an identical type is a no-op;
   * a different definition under an existing name is refused (SchemaConflictError) and nothing is added.
   * Returns the collections the SDL describes.
   */
  async addSchema(sdl: string): Promise<CollectionInfo[]> {
    return this.queue.run(async () => {
      this.check();
      const { result, added } = this.registry.plan(sdl, this.now());
      if (added.length) {
        await this.records.commit([], [], added);
        this.registry.remember(added);
        this.emit('collections', { added: added.map((r) => this.registry.get(r.id)) });
      }
      return result;
    });
  }

  // ---------------------------------------------------------------- documents

  /**
   * Creates a document; returns it. Throws ValidationError, DocumentExistsError, UnknownCollectionError.
   * Creates issued while an earlier write is in progress are committed together (group commit).
   */
  async create(collection: string, fields: unknown): Promise<Document> {
    return this.writer.create(this.collection(collection), fields);
  }

  /** Creates many documents in one transaction (all or nothing). */
  async createMany(collection: string, list: readonly unknown[]): Promise<Document[]> {
    return this.writer.createMany(this.collection(collection), list);
  }

  /**
   * Creates a private document owned by this node's identity: a random DocID, its fields sealed, readable
   * only by the identities it is shared with (see docs/privacy.md). Returns it.
   */
  async createPrivate(collection: string, fields: unknown): Promise<Document> {
    return this.writer.createPrivate(this.collection(collection), fields);
  }

  /** Creates several private documents, as `createPrivate`, in one transaction (all or nothing). */
  async createPrivateMany(collection: string, list: readonly unknown[]): Promise<Document[]> {
    return this.writer.createPrivateMany(this.collection(collection), list);
  }

  /**
   * Shares a private document this node owns with an identity (`did:key:…`) as `reader` or `writer`, or
   * takes access away (`none`, which rotates the content key). Throws AccessDeniedError (not the owner, or a
   * public document), InvalidIdentityError, DocumentNotFoundError.
   */
  async setRelation(collection: string, id: string, did: string, relation: 'reader' | 'writer' | 'none'): Promise<Document> {
    return this.writer.setRelation(this.collection(collection), parseDocId(id), did, relation);
  }

  /**
   * How many live private documents of a collection this node carries but cannot read. Counted by the
   * creation-order index (one read of the collection on first use, then kept by commits): the UI asks on
   * every change.
   */
  async unreadableCount(collection: string): Promise<number> {
    const col = this.collection(collection);
    return (await this.records.creationOrder(col.id)).unreadable;
  }

  /** A live document, or undefined (also for deleted ones unless asked). */
  async get(collection: string, id: string, opts: { includeDeleted?: boolean } = {}): Promise<Document | undefined> {
    const col = this.collection(collection);
    const rec = await this.records.record(parseDocId(id));
    if (!rec || rec.collection !== col.id) return undefined;
    if (rec.state.deleted && !opts.includeDeleted) return undefined;
    return toDocument(rec);
  }

  /** The documents of a collection, filtered and sorted (reads the whole collection: see `page`). */
  async list(collection: string, query: ListQuery = {}): Promise<Document[]> {
    const col = this.collection(collection);
    // Private documents this node cannot read are carried, not listed (unreadableCount counts them).
    return runQuery(col.def, (await this.records.allDocuments(col.id)).filter((d) => d.access?.readable !== false), query);
  }

  /**
   * One page of a collection's live documents. In creation order without filters (the default), only the
   * page is read: an in-memory index of IDs and creating stamps, built on first use and kept up to date by
   * every commit, says which. Filters or another order read the collection.
   */
  async page(collection: string, query: PageQuery = {}): Promise<DocPage> {
    const col = this.collection(collection);
    const limit = Math.max(0, Math.floor(query.limit ?? 100));
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    if (query.ids) {
      // Named documents: read only those.
      const recs = await this.records.records([...new Set(query.ids)].map(parseDocId));
      const docs = [...recs.values()].filter((r): r is DocRecord => r !== undefined && r.collection === col.id && r.state.access?.readable !== false).map(toDocument);
      const all = runQuery(col.def, docs, query);
      return { docs: all.slice(offset, offset + limit), total: all.length, hasMore: offset + limit < all.length };
    }
    if (readsAll(query)) {
      const all = await this.list(collection, query);
      return { docs: all.slice(offset, offset + limit), total: all.length, hasMore: offset + limit < all.length };
    }
    const order = await this.records.creationOrder(col.id);
    const ids = order.slice(offset, limit, sortSpecs(query)[0]?.order === 'desc');
    const recs = await this.records.records(ids);
    const docs = ids.map((id) => recs.get(id)).filter((r): r is DocRecord => r !== undefined).map(toDocument);
    return { docs, total: order.size, hasMore: offset + limit < order.size };
  }

  /** Changes some fields of a live document; returns it. Unchanged values write nothing. */
  async update(collection: string, id: string, patch: unknown): Promise<Document> {
    return this.writer.update(this.collection(collection), parseDocId(id), patch);
  }

  /**
   * Sets the same fields on several live documents in one transaction, all or none: each is checked (it
   * exists, this node may write it) before anything is written. Returns them in the order asked. Throws
   * DocumentNotFoundError or AccessDeniedError naming the document, ValidationError.
   */
  async updateMany(collection: string, ids: readonly string[], patch: unknown): Promise<Document[]> {
    return this.writer.updateMany(this.collection(collection), ids.map(parseDocId), patch);
  }

  /** Deletes a live document (for good: a delete wins over concurrent edits). */
  async delete(collection: string, id: string): Promise<void> {
    return this.writer.delete(this.collection(collection), parseDocId(id));
  }

  /** Deletes several live documents in one transaction, all or none (checked as in `updateMany`). */
  async deleteMany(collection: string, ids: readonly string[]): Promise<void> {
    return this.writer.deleteMany(this.collection(collection), ids.map(parseDocId));
  }

  // ---------------------------------------------------------------- blocks (the replica port sync uses)

  /**
   * Verifies and applies foreign blocks in one transaction. Blocks whose parents are missing are
   * not applied; their missing parents are reported so sync can fetch them. Invalid blocks are
   * rejected with the reason. Applying the same blocks again, in any order, changes nothing.
   */
  async applyBlocks(items: ReadonlyArray<IncomingBlock | EncodedBlock>, origin: Origin, opts: ApplyOptions = {}): Promise<ApplyResult> {
    const { verified, rejected } = await this.verifyBlocks(items);
    return this.applyVerifiedBlocks(verified, origin, rejected, opts);
  }

  /**
   * Verifies blocks (the same checks as `applyBlocks`) without applying them, so a relay can forward a
   * message as soon as it is known good and commit it afterwards.
   */
  async verifyBlocks(items: ReadonlyArray<IncomingBlock | EncodedBlock>): Promise<{ verified: VerifiedBlock[]; rejected: RejectedBlock[] }> {
    return this.replica.verify(items);
  }

  /**
   * Decodes received block bytes and runs ahead the checks of `verifyBlocks` that need nothing stored (signature,
   * CID form, clock, schema), on the checker (a worker) when there is one, so applying the returned blocks skips
   * them. For pipelines: catch-up checks the next frame while the current one commits. Each result is a decoded
   * block that passed, or undefined where a block did not decode or pass (the caller decodes it, and applying it
   * refuses it with the reason). Never throws.
   */
  async precheckBytes(blocks: readonly Uint8Array[]): Promise<Array<EncodedBlock | undefined>> {
    const out = new Array<EncodedBlock | undefined>(blocks.length).fill(undefined);
    if (this.checker) {
      const defs = this.registry.list().map((c) => [c.id, c.def] as const);
      const passed = await this.checker.check(blocks, defs);
      blocks.forEach((bytes, i) => {
        const p = passed[i];
        if (p === undefined) return; // left undefined: the caller decodes it and reports why
        // Decoded and hashed by the checker: neither is done again here.
        const enc: EncodedBlock = { cid: p.cid as BlockCid, bytes, block: p.block };
        this.replica.markChecked(enc);
        out[i] = enc;
        this.checkedElsewhere++;
      });
      return out;
    }
    const decoded: Array<{ i: number; enc: EncodedBlock }> = [];
    await mapInSlices(blocks.map((bytes, i) => ({ bytes, i })), async ({ bytes, i }) => {
      try {
        decoded.push({ i, enc: decodeBlock(bytes) });
      } catch {
        /* left undefined */
      }
    });
    const passed = await this.replica.precheck(decoded.map((d) => d.enc));
    decoded.forEach((d, k) => { if (passed[k]) out[d.i] = d.enc; });
    return out;
  }

  /** How many received blocks the checker (a worker in tabs) has checked so far. */
  get blocksCheckedElsewhere(): number {
    return this.checkedElsewhere;
  }

  /** Applies blocks that `verifyBlocks` of this engine returned (anything else is refused). */
  async applyVerifiedBlocks(blocks: readonly VerifiedBlock[], origin: Origin, rejected: RejectedBlock[] = [], opts: ApplyOptions = {}): Promise<ApplyResult> {
    const unique = this.replica.admit(blocks);
    return this.queue.run(async () => {
      this.check();
      return this.replica.apply(unique, origin, [...rejected], opts);
    });
  }

  /**
   * A document's history: one commit per block, parents first (empty when unknown). Of a private document
   * this node may not read, the structure only (every peer carrying it holds that): sealed fields show only
   * to a node that reads the document, opened with its keys.
   */
  async commits(id: string): Promise<Commit[]> {
    const doc = parseDocId(id);
    const rec = await this.records.record(doc);
    if (!rec) return [];
    const open = rec.state.access?.readable ? await this.sealedOpener(doc, rec.collection) : undefined;
    const blocks = (await this.store.blocksOfDoc(doc)).map((b) => decodeBlock(b.bytes, b.cid));
    return commitsOf(blocks, rec.state, rec.heads, open);
  }

  /** Opens the sealed blocks of a private document with the keys this node holds (its log is read on the writer's queue). */
  private async sealedOpener(doc: DocId, collection: CollectionId): Promise<SealedOpener> {
    const log = await this.queue.run(() => {
      this.check();
      return this.privateDocs.log(doc, collection);
    });
    return (cid) => log.contentOf(cid);
  }

  /** The heads of one document (empty when unknown). */
  async heads(doc: DocId): Promise<BlockCid[]> {
    return [...((await this.records.record(doc))?.heads ?? [])];
  }

  /** The heads of every document in a collection. */
  async collectionHeads(collection: CollectionId): Promise<Map<DocId, BlockCid[]>> {
    return (await this.records.headsIndex(collection)).entries();
  }

  /** Block bytes by CID, in order (undefined where not held). */
  async getBlocks(cids: readonly BlockCid[]): Promise<Array<BlockBytes | undefined>> {
    return (await this.store.getBlocks(cids)).map((b) => (b ? { cid: b.cid, bytes: b.bytes } : undefined));
  }

  /** The blocks of one document that a peer with `peerHeads` lacks, parents first. */
  async missingBlocks(doc: DocId, peerHeads: readonly BlockCid[]): Promise<BlockBytes[]> {
    return blocksPeerLacks(await this.store.blocksOfDoc(doc), peerHeads).map(({ cid, bytes }) => ({ cid, bytes }));
  }

  /**
   * The blocks a peer lacks among this node's documents of a collection whose DocIDs lie in (after, upto],
   * given the peer's heads for its documents in that range; parents first. Bounded: at most `maxDocs`
   * documents are read and about `maxBlocks` blocks returned (a document is never split); `resume` is then
   * the DocID to ask again after.
   */
  async missingInRange(
    collection: CollectionId, after: DocId | null, upto: DocId | null, peerHeads: ReadonlyMap<DocId, readonly BlockCid[]>,
    opts: { maxDocs?: number; maxBlocks?: number } = {},
  ): Promise<{ blocks: BlockBytes[]; resume: DocId | null }> {
    const blocks: BlockBytes[] = [];
    let resume: DocId | null = null;
    for await (const part of this.missingInRangeParts(collection, after, upto, peerHeads, opts)) {
      if ('resume' in part) resume = part.resume;
      else blocks.push(...part.blocks);
    }
    return { blocks, resume };
  }

  /**
   * `missingInRange` as it is read, for answering while reading: the blocks of the first FIRST_SLICE_DOCS
   * differing documents, then the rest of the page in one more read, and where the next page starts as soon as
   * that is known (before the last blocks). The serving side's first frame then leaves after one small read
   * instead of the whole page's (0.5 s for 5,000 documents in a tab), and the asker starts checking while the
   * rest is read. Reading the rest in growing slices instead was slower (7.7 s for 10,000 against 5.0-5.9 s
   * before; 4.6 s this way): two tabs of one browser share one IndexedDB backend, and each slice's read waited
   * behind the asker's commits.
   */
  async *missingInRangeParts(
    collection: CollectionId, after: DocId | null, upto: DocId | null, peerHeads: ReadonlyMap<DocId, readonly BlockCid[]>,
    opts: { maxDocs?: number; maxBlocks?: number } = {},
  ): AsyncGenerator<RangePart> {
    const maxDocs = opts.maxDocs ?? 10_000;
    const maxBlocks = opts.maxBlocks ?? 5000;
    // Which documents differ is found from the heads in memory; only their blocks are read.
    const index = await this.records.headsIndex(collection);
    const ids = index.range(after, upto, maxDocs);
    const same = (a: readonly BlockCid[], b: readonly BlockCid[]): boolean => a.length === b.length && a.every((h) => b.includes(h));
    // Positions in `ids` of the documents that differ (each lacks at least one block, unless the peer is ahead).
    const differ: number[] = [];
    ids.forEach((id, k) => { if (!same(peerHeads.get(id) ?? [], index.get(id) ?? [])) differ.push(k); });
    const pageEnd = ids.length === maxDocs ? ids[ids.length - 1]! : null;
    let sent = 0;
    let last: DocId | null = null;
    let size = FIRST_SLICE_DOCS;
    for (let i = 0; i < differ.length;) {
      if (sent >= maxBlocks) {
        yield { resume: last! };
        return;
      }
      const slice = differ.slice(i, i + size);
      i += slice.length;
      size = maxBlocks;
      const docs = slice.map((k) => ids[k]!);
      const byDoc = groupBy(await this.blocksOf(docs, slice[slice.length - 1]! - slice[0]! + 1), (b) => b.doc);
      const part: StoredBlock[] = [];
      let cut = false;
      for (const d of docs) {
        const lacked = blocksPeerLacks(byDoc.get(d) ?? [], peerHeads.get(d) ?? []);
        if (sent + part.length > 0 && sent + part.length + lacked.length > maxBlocks) {
          cut = true;
          break;
        }
        part.push(...lacked);
        last = d;
      }
      // Where the next page starts goes first, as soon as it is known: the asker can send its next request
      // while this answer is still streaming.
      if (cut) yield { resume: last! };
      else if (i >= differ.length && pageEnd !== null) yield { resume: pageEnd };
      sent += part.length;
      // In DocID order, each document's blocks parents first (a block's parents are of its own document): the
      // receiver's new documents then come as DocID-neighbours, which its store keeps together.
      if (part.length) yield { blocks: part.map(({ cid, bytes }) => ({ cid, bytes })) };
      if (cut) return;
    }
    if (differ.length === 0 && pageEnd !== null) yield { resume: pageEnd };
  }

  /**
   * The blocks of some documents (sorted DocIDs) among `span` documents of their range: one read of their
   * DocID span when they are most of it (a fresh peer), else a read per document.
   */
  private async blocksOf(docs: readonly DocId[], span: number): Promise<StoredBlock[]> {
    if (docs.length === 0) return [];
    return docs.length > 64 && docs.length * 2 >= span
      ? this.store.blocksOfDocRange(docs[0]!, docs[docs.length - 1]!)
      : this.store.blocksOfDocs(docs);
  }

  /** The order-independent digest of a collection's blocks. */
  async digest(collection: CollectionId): Promise<SetDigest> {
    return this.queue.run(() => this.records.digest(collection));
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Listens for the store being closed from outside (e.g. another tab upgrading the IndexedDB database);
   * later calls then fail with that reason. Returns a function that removes the listener.
   */
  onClosedElsewhere(listener: (error: Error) => void): () => void {
    return this.store.onClosedElsewhere?.((err) => {
      this.closedReason = err;
      listener(err);
    }) ?? (() => undefined);
  }

  /** The clock's last reading (for diagnostics and tests). */
  clockReading(): Clock {
    return this.clock.peek();
  }

  private check(): void {
    if (this.closedReason) throw this.closedReason;
    if (this.closed) throw new DbError('the database is closed');
  }

  /** Waits for pending writes and closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue.run(async () => {
      this.closed = true;
      this.checker?.close();
      await this.store.close();
    });
  }
}
