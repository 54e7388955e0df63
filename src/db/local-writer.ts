/**
 * Local writes: validate, sign, commit, announce. Creates issued while another write is in flight share
 * one transaction and one change event (group commit); every write runs on the engine's single-writer queue.
 */
import { groupBy } from '../core/group-by.js';
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import type { Clock, HybridClock } from '../core/hlc.js';
import { validateFields, type Fields } from '../core/values.js';
import { deriveDocId } from '../core/doc-id.js';
import type { Identity } from '../core/identity.js';
import type { EncodedBlock } from '../core/block.js';
import { createBlockAsync } from '../core/block.js';
import { EMPTY_STATE, applyBlock, type DocState } from '../core/merge.js';
import { AccessDeniedError, DocumentExistsError, DocumentNotFoundError, InvalidIdentityError } from '../core/errors.js';
import { randomDocId } from '../core/doc-id.js';
import { publicKeyOfDid } from '../core/did.js';
import type { Relation } from '../core/block.js';
import { privateCreation, relationChange, sealedChange } from '../core/private-blocks.js';
import { mayWrite, shortDid } from '../core/policy.js';
import type { PrivateDocLog } from '../core/private-doc.js';
import type { PrivateDocs } from './private-docs.js';
import type { DocRecord } from '../store/types.js';
import { toDocument, type Document } from './document.js';
import type { CollectionInfo } from './collections.js';
import { toStored, type Records, type SerialQueue } from './records.js';
import type { BlockBytes } from './database.js';

/** What the writer needs from the engine. */
export interface LocalWriterComponents {
  readonly records: Records;
  readonly privateDocs: PrivateDocs;
  readonly queue: SerialQueue;
  readonly clock: HybridClock;
  readonly identity: Identity;
  /** Throws when the engine is closed. */
  check(): void;
  /** Announces committed local blocks of one collection. */
  changed(collection: CollectionId, docs: DocId[], blocks: BlockBytes[]): void;
  /** Hands over new local blocks of one collection just before they are committed (to publish them meanwhile). */
  outgoing(collection: CollectionId, blocks: BlockBytes[]): void;
}

/** A change to one document: fields to set, or a delete. */
type Change = { readonly set: Fields } | { readonly delete: true };

/** What sealing a change to a private document takes: its log, key epoch and content key (a delete seals nothing). */
interface Sealing {
  readonly log: PrivateDocLog;
  readonly epoch: number;
  readonly key?: Uint8Array;
}

/** The fields of `set` whose value differs from the document's current one. */
function changedFields(rec: DocRecord, set: Fields): Fields {
  const changed: Fields = {};
  for (const [k, v] of Object.entries(set)) {
    if (JSON.stringify(rec.state.fields[k]?.value ?? null) !== JSON.stringify(v)) changed[k] = v;
  }
  return changed;
}

/** A create waiting for the next group commit. */
interface PendingCreate {
  readonly col: CollectionInfo;
  readonly set: Fields;
  readonly doc: DocId;
  resolve(doc: Document): void;
  reject(err: unknown): void;
}

/** The engine's local writes. */
export class LocalWriter {
  private readonly pendingCreates: PendingCreate[] = [];

  constructor(private readonly c: LocalWriterComponents) {}

  /** Creates a document (group commit with creates issued meanwhile; each succeeds or fails on its own). */
  async create(col: CollectionInfo, fields: unknown): Promise<Document> {
    const set = validateFields(col.def, fields, 'create');
    const doc = deriveDocId(col.id, set);
    return new Promise<Document>((resolve, reject) => {
      this.pendingCreates.push({ col, set, doc, resolve, reject });
      if (this.pendingCreates.length === 1) void this.c.queue.run(() => this.flushCreates());
    });
  }

  /** Commits every pending create in one transaction; never throws (each create is settled on its own). */
  private async flushCreates(): Promise<void> {
    const group = this.pendingCreates.splice(0);
    try {
      this.c.check();
      const known = await this.c.records.knownDocIds();
      const seen = new Set<DocId>();
      const ok: PendingCreate[] = [];
      for (const p of group) {
        if (known.has(p.doc) || seen.has(p.doc)) p.reject(await this.existsError(p.col, p.doc));
        else {
          seen.add(p.doc);
          ok.push(p);
        }
      }
      if (!ok.length) return;
      // Creates fired together are created together, as by createMany: a large group may be packed, which
      // makes its commit (what a burst waits for) several times cheaper.
      const records = await this.createRecords(ok, ok.length > 1);
      ok.forEach((p, i) => p.resolve(toDocument(records[i]!)));
    } catch (err) {
      for (const p of group) p.reject(err); // settling twice is a no-op for those already settled
    }
  }

  /** Creates many documents in one transaction (all or nothing). */
  async createMany(col: CollectionInfo, list: readonly unknown[]): Promise<Document[]> {
    const prepared = list.map((input) => {
      const set = validateFields(col.def, input, 'create');
      return { col, set, doc: deriveDocId(col.id, set) };
    });
    return this.c.queue.run(async () => {
      this.c.check();
      const known = await this.c.records.knownDocIds();
      const seen = new Set<DocId>();
      for (const p of prepared) {
        if (known.has(p.doc) || seen.has(p.doc)) throw await this.existsError(col, p.doc);
        seen.add(p.doc);
      }
      // Created together: the store may keep them together (IndexedDB packs them; see mayPack).
      return (await this.createRecords(prepared, true)).map(toDocument);
    });
  }

  /** Changes some fields of a live document; returns it. Unchanged values write nothing. */
  async update(col: CollectionInfo, docId: DocId, patch: unknown): Promise<Document> {
    return (await this.updateMany(col, [docId], patch))[0]!;
  }

  /**
   * Sets the same fields on several live documents in one transaction, all or none: every document is
   * checked (it exists, this node may write it) before any change is made. Returns them, in the order asked.
   */
  async updateMany(col: CollectionInfo, ids: readonly DocId[], patch: unknown): Promise<Document[]> {
    const set = validateFields(col.def, patch, 'update');
    return this.c.queue.run(async () => {
      this.c.check();
      const recs = await this.liveRecords(col, ids);
      const changes = recs.map((rec) => ({ rec, change: { set: changedFields(rec, set) } }));
      const written = await this.writeChanges(col, changes.filter((x) => Object.keys(x.change.set).length > 0));
      return recs.map((rec) => toDocument(written.get(rec.id) ?? rec));
    });
  }

  /** Deletes a live document (for good: a delete wins over concurrent edits). */
  async delete(col: CollectionInfo, docId: DocId): Promise<void> {
    await this.deleteMany(col, [docId]);
  }

  /** Deletes several live documents in one transaction, all or none (each is checked first, as in `updateMany`). */
  async deleteMany(col: CollectionInfo, ids: readonly DocId[]): Promise<void> {
    await this.c.queue.run(async () => {
      this.c.check();
      const recs = await this.liveRecords(col, ids);
      await this.writeChanges(col, recs.map((rec) => ({ rec, change: { delete: true as const } })));
    });
  }

  /** Creates a private document owned by this node: random DocID, content sealed, its key wrapped to this node. */
  async createPrivate(col: CollectionInfo, fields: unknown): Promise<Document> {
    return (await this.createPrivateMany(col, [fields]))[0]!;
  }

  /** Creates several private documents in one transaction (all or nothing), as `createPrivate`. */
  async createPrivateMany(col: CollectionInfo, list: readonly unknown[]): Promise<Document[]> {
    const sets = list.map((fields) => validateFields(col.def, fields, 'create'));
    return this.c.queue.run(async () => {
      this.c.check();
      const records: DocRecord[] = [];
      const blocks: EncodedBlock[] = [];
      await this.forgettingLogsOnFailure(async () => {
        for (const set of sets) {
          const doc = randomDocId();
          const { body, key } = privateCreation(col.id, doc, set, this.c.clock.tick(), this.c.privateDocs.creationKey(doc));
          const enc = await createBlockAsync(body, this.c.identity);
          const log = this.c.privateDocs.fresh(doc, col.id);
          log.rememberKey(enc.cid, 0, key);
          log.add(enc.cid, enc.block);
          records.push({ id: doc, collection: col.id, heads: [enc.cid], state: log.state([enc.cid]) });
          blocks.push(enc);
        }
        await this.commit(records, blocks);
      });
      return records.map(toDocument);
    });
  }

  /**
   * Gives `did` a relation to a private document this node owns, or takes it away (`none`: the content key
   * rotates, so later changes are sealed with a key the removed identity never gets).
   */
  async setRelation(col: CollectionInfo, docId: DocId, did: string, relation: Relation | 'none'): Promise<Document> {
    const pub = publicKeyOfDid(did); // InvalidIdentityError for text that is not a did:key
    const target = did.trim();
    return this.c.queue.run(async () => {
      this.c.check();
      const rec = await this.liveRecord(col, docId);
      if (!rec.state.access) throw new AccessDeniedError(`${docId} is a public document: everyone may read it`);
      const log = await this.c.privateDocs.log(docId, col.id);
      const policy = log.policyAt(rec.heads);
      if (policy.owner !== this.c.privateDocs.me) throw new AccessDeniedError(`only the owner (${shortDid(policy.owner)}) decides who may access ${docId}`);
      if (target === policy.owner || pub.every((b, i) => b === this.c.identity.publicKey[i])) throw new InvalidIdentityError('that is your own identity: the owner always has access');
      if ((policy.members.get(target) ?? 'none') === relation) return toDocument(rec);
      const { body, rotated } = relationChange(col.id, docId, rec.heads, this.tick(rec.state), policy, [[target, relation]], (epoch) => this.keyOf(log, rec.heads, epoch, docId));
      const enc = await createBlockAsync(body, this.c.identity);
      if (rotated) log.rememberKey(enc.cid, rotated.epoch, rotated.key);
      log.add(enc.cid, enc.block);
      const next: DocRecord = { ...rec, heads: [enc.cid], state: log.state([enc.cid]) };
      await this.forgettingLogsOnFailure(() => this.commit([next], [enc]));
      return toDocument(next);
    });
  }

  /**
   * Writes changes to live documents in one transaction, all or none. Every private document is checked
   * first (this node may write it and holds its key), so a refusal changes nothing.
   */
  private async writeChanges(col: CollectionInfo, changes: ReadonlyArray<{ rec: DocRecord; change: Change }>): Promise<Map<DocId, DocRecord>> {
    if (!changes.length) return new Map();
    const checked: Array<{ rec: DocRecord; change: Change; sealing?: Sealing }> = [];
    for (const { rec, change } of changes) checked.push({ rec, change, ...(rec.state.access ? { sealing: await this.sealing(col, rec, change) } : {}) });
    const records: DocRecord[] = [];
    const blocks: EncodedBlock[] = [];
    const write = async (): Promise<void> => {
      for (const { rec, change, sealing } of checked) {
        const clock = this.tick(rec.state);
        const enc = sealing
          ? await this.sealedBlock(col, rec, change, clock, sealing)
          : await createBlockAsync({ collection: col.id, doc: rec.id, parents: rec.heads, clock, ...change }, this.c.identity);
        const state = sealing ? sealing.log.state([enc.cid]) : applyBlock(rec.state, enc.cid, enc.block);
        records.push({ ...rec, heads: [enc.cid], state });
        blocks.push(enc);
      }
      await this.commit(records, blocks);
    };
    await (checked.some((x) => x.sealing) ? this.forgettingLogsOnFailure(write) : write());
    return new Map(records.map((r) => [r.id, r]));
  }

  /** How a change to a private document is sealed; AccessDeniedError when this node may not write it (or, to set fields, holds no key). */
  private async sealing(col: CollectionInfo, rec: DocRecord, change: Change): Promise<Sealing> {
    const log = await this.c.privateDocs.log(rec.id, col.id);
    const policy = log.policyAt(rec.heads);
    if (!mayWrite(policy, this.c.privateDocs.me)) throw new AccessDeniedError(`you may not change ${rec.id}: its owner has not made you a writer`);
    return { log, epoch: policy.epoch, ...('set' in change ? { key: this.keyOf(log, rec.heads, policy.epoch, rec.id) } : {}) };
  }

  /** Signs a sealed change (fields or delete) and adds it to the document's log. */
  private async sealedBlock(col: CollectionInfo, rec: DocRecord, change: Change, clock: Clock, s: Sealing): Promise<EncodedBlock> {
    const body = 'delete' in change
      ? { collection: col.id, doc: rec.id, parents: rec.heads, clock, delete: true as const }
      : sealedChange(col.id, rec.id, rec.heads, clock, change.set, s.key!, s.epoch);
    const enc = await createBlockAsync(body, this.c.identity);
    s.log.add(enc.cid, enc.block);
    return enc;
  }

  private keyOf(log: PrivateDocLog, heads: readonly BlockCid[], epoch: number, doc: DocId): Uint8Array {
    const key = log.keyAt(heads, epoch);
    if (!key) throw new AccessDeniedError(`this node holds no key of epoch ${epoch} of ${doc}`);
    return key;
  }

  /** Runs work that adds blocks to private-document logs; if it fails, forgets every log, so none keeps blocks the store does not hold. */
  private async forgettingLogsOnFailure(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.c.privateDocs.forget();
      throw err;
    }
  }

  private async existsError(col: CollectionInfo, doc: DocId): Promise<DocumentExistsError> {
    const rec = (await this.c.records.knownDocIds()).has(doc) ? await this.c.records.record(doc) : undefined;
    const how = rec?.state.deleted ? 'was created and deleted before' : 'already exists';
    return new DocumentExistsError(`a ${col.name} document with this content ${how} (${doc})`);
  }

  /** Signs the creating blocks, commits them with their records in one transaction, and announces them. */
  private async createRecords(items: ReadonlyArray<{ col: CollectionInfo; set: Fields; doc: DocId }>, pack = false): Promise<DocRecord[]> {
    const blocks = await Promise.all(
      items.map((p) => createBlockAsync({ collection: p.col.id, doc: p.doc, parents: [], clock: this.c.clock.tick(), set: p.set }, this.c.identity)),
    );
    const records = blocks.map((enc): DocRecord => ({ id: enc.block.doc, collection: enc.block.collection, heads: [enc.cid], state: applyBlock(EMPTY_STATE, enc.cid, enc.block) }));
    await this.commit(records, blocks, pack);
    return records;
  }

  private async liveRecord(col: CollectionInfo, id: DocId): Promise<DocRecord> {
    const rec = await this.c.records.record(id);
    if (!rec || rec.collection !== col.id || rec.state.deleted) {
      throw new DocumentNotFoundError(`no ${col.name} document ${id}${rec?.state.deleted ? ' (it was deleted)' : ''}`);
    }
    return rec;
  }

  /** Live records of these documents (each once, in the order asked); DocumentNotFoundError naming the first that is not. */
  private async liveRecords(col: CollectionInfo, ids: readonly DocId[]): Promise<DocRecord[]> {
    const out: DocRecord[] = [];
    for (const id of new Set(ids)) out.push(await this.liveRecord(col, id));
    return out;
  }

  /** A clock reading above everything the document has seen. */
  private tick(state: DocState): Clock {
    const seen: Clock[] = Object.values(state.fields).map((r) => r.clock);
    if (state.created) seen.push(state.created.clock);
    if (state.deleted) seen.push(state.deleted.clock);
    return this.c.clock.tick(seen);
  }

  /**
   * Hands the blocks over for publishing, then commits them, then announces the change. Publishing does not
   * wait for the commit: a block is signed and immutable, so peers may hold it before this node does; if this
   * node fails before the commit lands (a crash, a full disk), its peers still hold the block and catch-up
   * brings it back (docs/decisions.md).
   */
  private async commit(records: DocRecord[], blocks: EncodedBlock[], pack = false): Promise<void> {
    const byCollection = groupBy(blocks, (e) => e.block.collection);
    for (const [collection, list] of byCollection) this.c.outgoing(collection, list.map(({ cid, bytes }) => ({ cid, bytes })));
    await this.c.records.commit(records, blocks.map(toStored), [], pack ? { pack: 'together' } : {});
    for (const [collection, list] of byCollection) {
      this.c.changed(collection, list.map((e) => e.block.doc), list.map(({ cid, bytes }) => ({ cid, bytes })));
    }
  }
}

