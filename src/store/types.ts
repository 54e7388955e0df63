/** The storage interface: record-level, no domain logic, no IndexedDB types. */
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import type { Clock } from '../core/hlc.js';
import type { CollectionDef } from '../core/schema.js';
import type { DocState } from '../core/merge.js';
import type { StoreError } from '../core/errors.js';

/** A stored block: its bytes plus the decoded fields needed to walk the DAG without decoding. */
export interface StoredBlock {
  readonly cid: BlockCid;
  readonly collection: CollectionId;
  readonly doc: DocId;
  readonly clock: Clock;
  readonly parents: readonly BlockCid[];
  readonly bytes: Uint8Array;
}

/** A materialised document: merged state and current heads (CIDs no known block points to). */
export interface DocRecord {
  readonly id: DocId;
  readonly collection: CollectionId;
  readonly state: DocState;
  readonly heads: readonly BlockCid[];
}

/** A collection this node knows. */
export interface CollectionRecord {
  readonly id: CollectionId;
  readonly name: string;
  readonly def: CollectionDef;
  /** Milliseconds since the epoch when it was added here. */
  readonly addedAt: number;
}

/** Everything one change (or one batch of foreign blocks) writes; committed in one transaction. */
export interface CommitBatch {
  readonly blocks: readonly StoredBlock[];
  readonly docs: readonly DocRecord[];
  readonly meta?: ReadonlyArray<readonly [string, unknown]>;
  /** Collections added with the change (all collections of one SDL text commit together). */
  readonly collections?: readonly CollectionRecord[];
  /**
   * DocIDs of `docs` that this batch creates (the writer knows none is stored yet): a store may then write
   * them without reading first. A batch naming a document that is already stored is refused whole.
   */
  readonly created?: readonly DocId[];
  /**
   * The created documents came together (a ranged pull; or createMany, creates fired at once or a gossip batch
   * when they are many: `mayPack` in src/db/records.ts): a store may keep them together (IndexedDB packs them,
   * docs/decisions.md). Reads are the same either way.
   */
  readonly pack?: boolean;
}

/** A node's persistent storage. Implementations: IndexedDB and memory, both passing one conformance suite. */
export interface Store {
  getMeta<T = unknown>(key: string): Promise<T | undefined>;
  putMeta(key: string, value: unknown): Promise<void>;

  listCollections(): Promise<CollectionRecord[]>;
  putCollection(record: CollectionRecord): Promise<void>;

  getDoc(id: DocId): Promise<DocRecord | undefined>;
  getDocs(ids: readonly DocId[]): Promise<Array<DocRecord | undefined>>;
  listDocs(collection: CollectionId): Promise<DocRecord[]>;
  /** The IDs of every stored document (of all collections). */
  docIds(): Promise<DocId[]>;
  /**
   * Documents of a collection in DocID order, after `after` (exclusive; null: from the start) up to `upto`
   * (inclusive; null: to the end), at most `limit` of them: what catch-up pages through.
   */
  docsInRange(collection: CollectionId, after: DocId | null, upto: DocId | null, limit: number): Promise<DocRecord[]>;

  getBlock(cid: BlockCid): Promise<StoredBlock | undefined>;
  /** Several blocks in one read, in the order asked (undefined where missing). */
  getBlocks(cids: readonly BlockCid[]): Promise<Array<StoredBlock | undefined>>;
  /** For each CID, whether the block is stored. */
  hasBlocks(cids: readonly BlockCid[]): Promise<boolean[]>;
  /** All blocks of one document. */
  blocksOfDoc(doc: DocId): Promise<StoredBlock[]>;
  /** All blocks of several documents, in one read. */
  blocksOfDocs(docs: readonly DocId[]): Promise<StoredBlock[]>;
  /** All blocks of the documents whose DocIDs lie in [from, to] (both inclusive), in one read. */
  blocksOfDocRange(from: DocId, to: DocId): Promise<StoredBlock[]>;
  /** The CIDs of all blocks of one collection. */
  blockCidsOf(collection: CollectionId): Promise<BlockCid[]>;

  /** Writes blocks, documents and meta atomically: all or nothing. */
  commit(batch: CommitBatch): Promise<void>;

  /** Releases the store; later calls reject with StoreError. */
  close(): Promise<void>;

  /**
   * Listens for the store being closed from outside (another tab upgrading or deleting the IndexedDB
   * database, or the browser closing it); returns a function that removes the listener. Stores that
   * cannot be closed from outside need not implement it.
   */
  onClosedElsewhere?(listener: (error: StoreError) => void): () => void;
}
