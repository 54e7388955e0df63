/**
 * The engine's private documents: each one's block log (PrivateDocLog) built from the store on first use and
 * kept while it is used, this node's keys, and schema checks of opened content. Runs on the single-writer
 * queue with the rest of the engine.
 */
import { decodeBlock, compareBlocks, type EncodedBlock } from '../core/block.js';
import { didKeyOf } from '../core/did.js';
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import { PrivateDocLog } from '../core/private-doc.js';
import { ownerContentKey, unwrapKey } from '../core/sealing.js';
import type { CollectionDef } from '../core/schema.js';
import { validateFields } from '../core/values.js';
import type { Store } from '../store/types.js';
import { LruMap } from '../core/lru.js';

/** What the private documents need from the engine. */
export interface PrivateDocsComponents {
  readonly store: Store;
  /** This node's Ed25519 public key, and its secret key when it can open keys (absent: it reads nothing private). */
  readonly publicKey: Uint8Array;
  readonly secretKey?: Uint8Array;
  collection(id: CollectionId): CollectionDef | undefined;
  /** Told about content that is kept but cannot be used (does not open, or breaks the schema). */
  ignored?(collection: CollectionId, doc: DocId, cid: BlockCid, reason: string): void;
}

/** The logs of private documents, loaded on demand. */
export class PrivateDocs {
  readonly me: string;
  private readonly logs = new LruMap<DocId, PrivateDocLog>(500);
  /** Logs being read from the store: concurrent callers share one (so no block is added to a copy that is then dropped). */
  private readonly loading = new Map<DocId, Promise<PrivateDocLog>>();

  constructor(private readonly c: PrivateDocsComponents) {
    this.me = didKeyOf(c.publicKey);
  }

  /** A fresh log for a document being created here or arriving for the first time. */
  fresh(doc: DocId, collection: CollectionId): PrivateDocLog {
    const log = new PrivateDocLog(doc, {
      me: this.me,
      unwrap: (_epoch, wrapped) => {
        if (!this.c.secretKey) return undefined;
        try {
          return unwrapKey(wrapped, this.c.secretKey);
        } catch {
          return undefined;
        }
      },
      ownKey: (d) => (this.c.secretKey ? ownerContentKey(this.c.secretKey, d) : undefined),
      validate: (fields, creating) => {
        const def = this.c.collection(collection);
        if (!def) throw new Error(`unknown collection ${collection}`);
        return validateFields(def, fields, creating ? 'create' : 'update');
      },
      ignored: (cid, reason) => this.c.ignored?.(collection, doc, cid, reason),
    });
    this.logs.set(doc, log);
    return log;
  }

  /** The log of a stored private document (its blocks read and checked once, then kept). */
  async log(doc: DocId, collection: CollectionId): Promise<PrivateDocLog> {
    const cached = this.logs.get(doc);
    if (cached) return cached;
    let pending = this.loading.get(doc);
    if (!pending) {
      pending = this.load(doc, collection).finally(() => this.loading.delete(doc));
      this.loading.set(doc, pending);
    }
    return pending;
  }

  private async load(doc: DocId, collection: CollectionId): Promise<PrivateDocLog> {
    const blocks: EncodedBlock[] = (await this.c.store.blocksOfDoc(doc)).map((b) => decodeBlock(b.bytes, b.cid));
    blocks.sort(compareBlocks);
    const log = this.fresh(doc, collection);
    // Stored blocks passed these checks when they were applied; a block that no longer does is skipped.
    for (const b of blocks) {
      try {
        log.add(b.cid, b.block);
      } catch {
        /* cannot happen for blocks this engine stored; skipped rather than failing the document */
      }
    }
    return log;
  }

  /** How this node seals a new document's first change: its derived key, or (no secret key) a random key wrapped to itself. */
  creationKey(doc: DocId): { derived: Uint8Array } | { owner: Uint8Array } {
    return this.c.secretKey ? { derived: ownerContentKey(this.c.secretKey, doc) } : { owner: this.c.publicKey };
  }

  /** Forgets every log (after a failed commit, so no log holds blocks the store does not). */
  forget(): void {
    this.logs.clear();
    this.loading.clear();
  }
}
