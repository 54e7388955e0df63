/** Each collection's range fingerprints, built on first use from its documents' heads and dropped when it changes. */
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import { FingerprintIndex } from './range-fingerprints.js';

export class FingerprintCache {
  private readonly built = new Map<CollectionId, Promise<FingerprintIndex>>();

  constructor(private readonly heads: (collection: CollectionId) => Promise<Map<DocId, BlockCid[]>>) {}

  /** The index as of now (built at most once between two changes of the collection). */
  get(collection: CollectionId): Promise<FingerprintIndex> {
    let index = this.built.get(collection);
    if (!index) {
      index = this.heads(collection).then((h) => FingerprintIndex.fromHeads(h));
      this.built.set(collection, index);
      index.catch(() => { if (this.built.get(collection) === index) this.built.delete(collection); });
    }
    return index;
  }

  /** The collection changed (after the commit): the next `get` builds again. */
  changed(collection: CollectionId): void {
    this.built.delete(collection);
  }

  clear(): void {
    this.built.clear();
  }
}
