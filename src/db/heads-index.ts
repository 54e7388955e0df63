/**
 * The heads of every document of one collection, in memory: what catch-up compares (a pull names this node's
 * heads; an answer finds which of its documents differ from the asker's) without reading document records,
 * whose states cost far more to read than the heads. Built from one read, then kept up to date by commits.
 */
import type { BlockCid, DocId } from '../core/ids.js';

export class HeadsIndex {
  private readonly byDoc = new Map<DocId, readonly BlockCid[]>();
  /** The DocIDs in order; null after a document was added, until the next ordered read. */
  private sorted: DocId[] | null = [];

  /** Records a document's current heads (a new document, or new heads of a known one). */
  set(doc: DocId, heads: readonly BlockCid[]): void {
    if (!this.byDoc.has(doc)) this.sorted = null;
    this.byDoc.set(doc, heads);
  }

  get(doc: DocId): readonly BlockCid[] | undefined {
    return this.byDoc.get(doc);
  }

  get size(): number {
    return this.byDoc.size;
  }

  /** Every document's heads, in DocID order (a copy: later commits do not change it). */
  entries(): Map<DocId, BlockCid[]> {
    return new Map(this.ids().map((id) => [id, [...this.byDoc.get(id)!]]));
  }

  /** DocIDs in (after, upto] in order (null: open end), at most `limit`. */
  range(after: DocId | null, upto: DocId | null, limit: number): DocId[] {
    const ids = this.ids();
    const start = after === null ? 0 : firstAbove(ids, after);
    const out: DocId[] = [];
    for (let i = start; i < ids.length && out.length < limit; i++) {
      const id = ids[i]!;
      if (upto !== null && id > upto) break;
      out.push(id);
    }
    return out;
  }

  private ids(): DocId[] {
    this.sorted ??= [...this.byDoc.keys()].sort();
    return this.sorted;
  }
}

/** The index of the first element strictly greater than `key` in sorted `ids`. */
function firstAbove(ids: readonly DocId[], key: DocId): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
