/** Filtering and sorting documents (pure). */
import type { FieldValue } from '../core/values.js';
import type { CollectionDef } from '../core/schema.js';
import { ValidationError } from '../core/errors.js';
import { compareCreated, type Document } from './document.js';

/** A list query: equality filters on fields, and a sort. */
export interface ListQuery {
  /** Field name to the value it must equal. */
  readonly where?: Readonly<Record<string, FieldValue>>;
  /** Sort by a field (or `_createdAt`, the default) ascending or descending. */
  readonly sort?: { readonly field: string; readonly order?: 'asc' | 'desc' };
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

/** Applies a query to documents; unknown field names are a ValidationError. */
export function runQuery(def: CollectionDef, docs: Document[], q: ListQuery = {}): Document[] {
  const names = new Set(def.fields.map((f) => f.name));
  const where = Object.entries(q.where ?? {});
  for (const [f] of where) if (!names.has(f)) throw new ValidationError(f, `a field of ${def.name}`, 'an unknown field');
  const sortField = q.sort?.field ?? '_createdAt';
  if (sortField !== '_createdAt' && !names.has(sortField)) throw new ValidationError(sortField, `a field of ${def.name} to sort by`, 'an unknown field');
  const dir = q.sort?.order === 'desc' ? -1 : 1;
  const out = docs.filter((d) => (q.includeDeleted || !d.deleted) && where.every(([f, v]) => key(d.fields[f]) === key(v)));
  out.sort((a, b) => {
    if (sortField === '_createdAt') return compareCreated(a, b) * dir;
    return compareValues(a.fields[sortField], b.fields[sortField]) * dir || compareCreated(a, b);
  });
  return out;
}
