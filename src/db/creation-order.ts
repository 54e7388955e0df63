/**
 * The live documents of one collection in creation order (creating stamp, then DocID), kept in memory as
 * IDs and stamps only, so a page of documents costs one read of that page instead of the whole collection.
 */
import type { DocId } from '../core/ids.js';
import { compareStamp, type Stamp } from '../core/merge.js';
import type { DocRecord } from '../store/types.js';

interface Entry {
  readonly id: DocId;
  readonly stamp: Stamp;
}

function compareEntries(a: Entry, b: Entry): number {
  return compareStamp(a.stamp, b.stamp) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** An ordered index of a collection's live documents. */
export class CreationOrder {
  private readonly entries: Entry[] = [];
  private readonly byId = new Map<DocId, Entry>();
  /** Live private documents carried but not readable here (not listed; counted for the UI). */
  private readonly unreadableIds = new Set<DocId>();

  /** Builds the index from records (of one collection). */
  static of(records: Iterable<DocRecord>): CreationOrder {
    const order = new CreationOrder();
    for (const r of records) {
      if (carriedUnread(r)) order.unreadableIds.add(r.id);
      if (!listed(r) || !r.state.created) continue;
      const e: Entry = { id: r.id, stamp: r.state.created };
      order.byId.set(r.id, e);
      order.entries.push(e);
    }
    order.entries.sort(compareEntries);
    return order;
  }

  /** Live documents in all. */
  get size(): number {
    return this.entries.length;
  }

  /** Live private documents this node carries but cannot read. */
  get unreadable(): number {
    return this.unreadableIds.size;
  }

  /** Follows a committed record: adds it, moves it (an earlier creating block arrived) or removes it (deleted). */
  note(r: DocRecord): void {
    if (carriedUnread(r)) this.unreadableIds.add(r.id);
    else this.unreadableIds.delete(r.id);
    const prev = this.byId.get(r.id);
    const live = listed(r);
    if (prev && (!live || compareStamp(prev.stamp, r.state.created!) !== 0)) {
      this.entries.splice(this.indexOf(prev), 1);
      this.byId.delete(r.id);
    } else if (prev) return;
    if (!live) return;
    const e: Entry = { id: r.id, stamp: r.state.created! };
    this.byId.set(r.id, e);
    const last = this.entries[this.entries.length - 1];
    if (!last || compareEntries(last, e) < 0) this.entries.push(e); // the usual case: a new document is the newest
    else this.entries.splice(this.insertionPoint(e), 0, e);
  }

  /** The DocIDs of a page, oldest first (`desc` for newest first). */
  slice(offset: number, limit: number, desc = false): DocId[] {
    const n = this.entries.length;
    if (!desc) return this.entries.slice(offset, offset + limit).map((e) => e.id);
    const end = Math.max(0, n - offset);
    return this.entries.slice(Math.max(0, end - limit), end).reverse().map((e) => e.id);
  }

  private indexOf(e: Entry): number {
    const i = this.insertionPoint(e);
    return this.entries[i] === e ? i : this.entries.indexOf(e);
  }

  /** The first position whose entry is not below `e` (binary search). */
  private insertionPoint(e: Entry): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries(this.entries[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Live private documents this node carries but cannot read. */
function carriedUnread(r: DocRecord): boolean {
  return !r.state.deleted && r.state.access?.readable === false;
}

/** Documents a listing shows: live, created, and readable here (a private document this node cannot read is not). */
function listed(r: DocRecord): boolean {
  return !r.state.deleted && r.state.created !== null && r.state.access?.readable !== false;
}
