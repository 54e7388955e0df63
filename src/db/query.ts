/** Filtering, ordering and paging documents (pure). */
import type { FieldValue } from '../core/values.js';
import type { CollectionDef } from '../core/schema.js';
import { FilterError, ValidationError } from '../core/errors.js';
import { compareCreated, type Document } from './document.js';
import { DOC_ID_FIELD, compileFilter, type Filter } from './filter.js';

/** Order by one field (or `_createdAt`, `_docID`). */
export interface SortSpec {
  readonly field: string;
  readonly order?: 'asc' | 'desc';
}

/** A list query: filters, and an order. */
export interface ListQuery {
  /** Field name to the value it must equal. */
  readonly where?: Readonly<Record<string, FieldValue>>;
  /** A DefraDB-style filter (`{ age: { _gt: 30 } }`), ANDed with `where`. */
  readonly filter?: Filter;
  /** Only these documents. */
  readonly ids?: readonly string[];
  /** Order by a field, or several (the next breaks ties of the one before); creation order by default. */
  readonly sort?: SortSpec | readonly SortSpec[];
  /** Include deleted documents (off by default). */
  readonly includeDeleted?: boolean;
}

const key = (v: unknown): string => JSON.stringify(v ?? null);

function compareValues(a: FieldValue | undefined, b: FieldValue | undefined): number {
  const an = a === undefined || a === null;
  const bn = b === undefined || b === null;
  if (an || bn) return an && bn ? 0 : an ? 1 : -1; // unset last
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = typeof a === 'string' ? a : key(a);
  const sb = typeof b === 'string' ? b : key(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** The sort specs of a query, as a list (empty: creation order). */
export function sortSpecs(q: ListQuery): readonly SortSpec[] {
  if (!q.sort) return [];
  return (Array.isArray(q.sort) ? q.sort : [q.sort]) as readonly SortSpec[];
}

/** True when the query needs the whole collection (it filters, or orders by something else than creation). */
export function readsAll(q: ListQuery): boolean {
  const specs = sortSpecs(q);
  return (q.where !== undefined && Object.keys(q.where).length > 0) || q.filter !== undefined
    || specs.some((s) => s.field !== '_createdAt') || specs.length > 1;
}

/** A comparator for a query's order; unknown fields are a FilterError. */
export function comparator(def: CollectionDef, q: ListQuery): (a: Document, b: Document) => number {
  const names = new Set(def.fields.map((f) => f.name));
  const specs = sortSpecs(q);
  for (const s of specs) {
    if (s.field !== '_createdAt' && s.field !== DOC_ID_FIELD && !names.has(s.field)) throw new FilterError(`order: ${def.name} has no field ${s.field}`);
  }
  if (!specs.length) return compareCreated;
  return (a, b) => {
    for (const s of specs) {
      const dir = s.order === 'desc' ? -1 : 1;
      if (s.field === '_createdAt' || s.field === DOC_ID_FIELD) {
        const c = s.field === '_createdAt' ? compareCreated(a, b) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
        if (c) return c * dir;
        continue;
      }
      const av = a.fields[s.field] ?? null;
      const bv = b.fields[s.field] ?? null;
      if (av === null || bv === null) {
        if (av !== bv) return av === null ? 1 : -1; // unset last, in either direction
        continue;
      }
      const c = compareValues(av, bv);
      if (c) return c * dir;
    }
    return compareCreated(a, b);
  };
}

/** Applies a query to documents; unknown field names are a ValidationError (where) or FilterError (filter, order). */
export function runQuery(def: CollectionDef, docs: Document[], q: ListQuery = {}): Document[] {
  const names = new Set(def.fields.map((f) => f.name));
  const where = Object.entries(q.where ?? {});
  for (const [f] of where) if (!names.has(f)) throw new ValidationError(f, `a field of ${def.name}`, 'an unknown field');
  const order = comparator(def, q);
  const matches = q.filter !== undefined ? compileFilter(def, q.filter) : () => true;
  const ids = q.ids ? new Set(q.ids) : null;
  const out = docs.filter((d) => (q.includeDeleted || !d.deleted) && (!ids || ids.has(d.id))
    && where.every(([f, v]) => key(d.fields[f]) === key(v)) && matches(d));
  out.sort(order);
  return out;
}
