/** A bounded least-recently-used cache of document records (write-through: the engine is the only writer). */
import type { DocId } from '../core/ids.js';
import type { DocRecord } from '../store/types.js';

/** LRU map of DocId to record. */
export class RecordCache {
  private readonly map = new Map<DocId, DocRecord>();
  constructor(private readonly capacity = 2000) {}

  /** The cached record, refreshed as most recently used. */
  get(id: DocId): DocRecord | undefined {
    const rec = this.map.get(id);
    if (rec) {
      this.map.delete(id);
      this.map.set(id, rec);
    }
    return rec;
  }

  /** Caches records (after they are committed or read). */
  set(records: readonly DocRecord[]): void {
    for (const r of records) {
      this.map.delete(r.id);
      this.map.set(r.id, r);
    }
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
}
