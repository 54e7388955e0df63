/** What sync needs from the node, as small ports: the replica (the engine's block-level API) and settings. */
import type { IgnoredContentEvent, OverwrittenEvent } from '../db/database.js';
import type { EncodedBlock } from '../core/block.js';
import type { SetDigest } from '../core/digest.js';
import type { BlockCid, CollectionId, DocId, Origin } from '../core/ids.js';
import type {
  ApplyOptions, ApplyResult, BlockBytes, ChangeEvent, CollectionInfo, IncomingBlock, OutgoingEvent, RangePart, RejectedBlock, VerifiedBlock,
} from '../db/database.js';
import type { Store } from '../store/types.js';

/** The replica side of the engine: collections, verified application of foreign blocks, and DAG queries. */
export interface ReplicaPort {
  collections(): CollectionInfo[];
  /** By name or ID; throws UnknownCollectionError. */
  collection(nameOrId: string): CollectionInfo;
  /** Committed changes, local (`origin: 'local'`) or foreign; returns a function that removes the listener. */
  on(type: 'change', listener: (e: ChangeEvent) => void): () => void;
  /** New local blocks just before their commit: what this node publishes. */
  on(type: 'outgoing', listener: (e: OutgoingEvent) => void): () => void;
  /** Content of a private document this node can open but must ignore (altered, or breaking the schema). */
  on(type: 'ignored', listener: (e: IgnoredContentEvent) => void): () => void;
  /** A change made here lost a field to a concurrent one from a peer. */
  on(type: 'overwritten', listener: (e: OverwrittenEvent) => void): () => void;
  verifyBlocks(items: ReadonlyArray<IncomingBlock | EncodedBlock>): Promise<{ verified: VerifiedBlock[]; rejected: RejectedBlock[] }>;
  /**
   * Decodes block bytes and runs ahead the checks that need nothing stored (off the main thread where it can);
   * each result is a block that passed (applying it skips those checks) or undefined. Never throws.
   */
  precheckBytes?(blocks: readonly Uint8Array[]): Promise<Array<EncodedBlock | undefined>>;
  applyVerifiedBlocks(blocks: readonly VerifiedBlock[], origin: Origin, rejected?: RejectedBlock[], opts?: ApplyOptions): Promise<ApplyResult>;
  /** `opts.pack`: how the documents the blocks create came together (a ranged pull's page: DocID-neighbours). */
  applyBlocks(items: ReadonlyArray<IncomingBlock | EncodedBlock>, origin: Origin, opts?: ApplyOptions): Promise<ApplyResult>;
  heads(doc: DocId): Promise<BlockCid[]>;
  collectionHeads(collection: CollectionId): Promise<Map<DocId, BlockCid[]>>;
  missingBlocks(doc: DocId, peerHeads: readonly BlockCid[]): Promise<BlockBytes[]>;
  /** What the peer lacks in a range of documents, as it is read: blocks a slice at a time, and where the next page starts once known. */
  missingInRangeParts(
    collection: CollectionId, after: DocId | null, upto: DocId | null, peerHeads: ReadonlyMap<DocId, readonly BlockCid[]>,
    opts?: { maxDocs?: number; maxBlocks?: number },
  ): AsyncIterable<RangePart>;
  digest(collection: CollectionId): Promise<SetDigest>;
}

/** Where sync keeps its own settings (the subscriptions), persisted with the node. */
export interface SettingsPort {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
}

/** Settings kept in a store's meta records (how a node persists its subscriptions). */
export function storeSettings(store: Pick<Store, 'getMeta' | 'putMeta'>): SettingsPort {
  return { get: (key) => store.getMeta(key), put: (key, value) => store.putMeta(key, value) };
}

/** Settings in memory (for tests and nodes that keep nothing). */
export function memorySettings(): SettingsPort {
  const map = new Map<string, unknown>();
  return {
    async get<T>(key: string) { return map.get(key) as T | undefined; },
    async put(key: string, value: unknown) { map.set(key, structuredClone(value)); },
  };
}
