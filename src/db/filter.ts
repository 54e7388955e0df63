/**
 * DefraDB-style filters over documents (pure): `{ age: { _gt: 30 }, _or: [{ name: { _like: "A%" } }, …] }`.
 * A filter is compiled once (field names, operators and operands checked against the collection) into a
 * predicate; the GraphQL engine and `Client.list({ filter })` share it.
 */
import { FilterError } from '../core/errors.js';
import type { CollectionDef, FieldDef } from '../core/schema.js';
import { validateFieldValue, type FieldValue } from '../core/values.js';
import type { Document } from './document.js';

/** Comparison operators, as DefraDB names them. */
export const OPERATORS = ['_eq', '_ne', '_gt', '_ge', '_lt', '_le', '_in', '_nin', '_like', '_nlike', '_ilike', '_nilike'] as const;
export type Operator = (typeof OPERATORS)[number];

/** Operators on one field: `{ _gt: 3, _lt: 9 }` (all must hold). */
export type OperatorBlock = { readonly [op in Operator]?: unknown };

/** A filter: field conditions, combined with `_and`, `_or` and `_not`; all keys must hold. */
export interface Filter {
  readonly _and?: readonly Filter[];
  readonly _or?: readonly Filter[];
  readonly _not?: Filter;
  readonly [field: string]: OperatorBlock | readonly Filter[] | Filter | undefined;
}

/** A compiled filter. */
export type DocPredicate = (doc: Document) => boolean;

/** The pseudo-field holding the DocID. */
export const DOC_ID_FIELD = '_docID';

const ORDERED_KINDS = new Set(['Int', 'Float', 'String', 'ID', 'DateTime']);
const TEXT_KINDS = new Set(['String', 'ID']);
const MAX_DEPTH = 32;

/** The operators a field accepts (lists and JSON: equality and membership only). */
export function operatorsFor(f: Pick<FieldDef, 'kind' | 'list'>): Operator[] {
  const ops: Operator[] = ['_eq', '_ne', '_in', '_nin'];
  if (f.list) return ops;
  if (ORDERED_KINDS.has(f.kind)) ops.push('_gt', '_ge', '_lt', '_le');
  if (TEXT_KINDS.has(f.kind)) ops.push('_like', '_nlike', '_ilike', '_nilike');
  return ops;
}

const canonical = (v: unknown): string => JSON.stringify(v ?? null);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** SQL LIKE: `%` any run of characters, `_` exactly one; everything else literal. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'); // only these may be escaped in a unicode (u) pattern
  }
  return new RegExp(`^${re}$`, caseInsensitive ? 'iu' : 'u');
}

function compare(a: FieldValue, b: FieldValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Compiles a filter for a collection; throws FilterError naming the bad field, operator or operand. */
export function compileFilter(def: CollectionDef, filter: unknown): DocPredicate {
  const fields = new Map<string, FieldDef>(def.fields.map((f) => [f.name, f]));
  fields.set(DOC_ID_FIELD, { name: DOC_ID_FIELD, kind: 'ID', list: false, required: false, itemRequired: false });
  const value = (doc: Document, f: FieldDef): FieldValue => (f.name === DOC_ID_FIELD ? doc.id : doc.fields[f.name] ?? null);

  const operand = (f: FieldDef, op: Operator, v: unknown, path: string): FieldValue => {
    try {
      return validateFieldValue({ ...f, required: false }, v);
    } catch {
      throw new FilterError(`${path}.${op}: expected ${f.list ? `[${f.kind}]` : f.kind} or null, got ${canonical(v)}`);
    }
  };

  const field = (f: FieldDef, block: unknown, path: string): DocPredicate => {
    if (!isObject(block)) throw new FilterError(`${path}: expected an object of operators such as { _eq: … }, got ${canonical(block)}`);
    const allowed = operatorsFor(f);
    const tests: DocPredicate[] = [];
    for (const [op, raw] of Object.entries(block)) {
      if (raw === undefined) continue;
      if (!(OPERATORS as readonly string[]).includes(op)) throw new FilterError(`${path}: unknown operator ${op} (operators: ${allowed.join(' ')})`);
      if (!allowed.includes(op as Operator)) throw new FilterError(`${path}: operator ${op} does not apply to ${f.list ? `[${f.kind}]` : f.kind} (operators: ${allowed.join(' ')})`);
      tests.push(test(f, op as Operator, raw, path));
    }
    return (doc) => tests.every((t) => t(doc));
  };

  const test = (f: FieldDef, op: Operator, raw: unknown, path: string): DocPredicate => {
    switch (op) {
      case '_eq':
      case '_ne': {
        const want = canonical(operand(f, op, raw, path));
        return op === '_eq' ? (d) => canonical(value(d, f)) === want : (d) => canonical(value(d, f)) !== want;
      }
      case '_in':
      case '_nin': {
        if (!Array.isArray(raw)) throw new FilterError(`${path}.${op}: expected a list of values, got ${canonical(raw)}`);
        const set = new Set(raw.map((v) => canonical(operand(f, op, v, path))));
        return op === '_in' ? (d) => set.has(canonical(value(d, f))) : (d) => !set.has(canonical(value(d, f)));
      }
      case '_gt':
      case '_ge':
      case '_lt':
      case '_le': {
        const want = operand(f, op, raw, path);
        if (want === null) throw new FilterError(`${path}.${op}: expected a ${f.kind} to compare with, got null`);
        const holds = { _gt: (c: number) => c > 0, _ge: (c: number) => c >= 0, _lt: (c: number) => c < 0, _le: (c: number) => c <= 0 }[op];
        return (d) => {
          const v = value(d, f);
          return v !== null && holds(compare(v, want));
        };
      }
      case '_like':
      case '_nlike':
      case '_ilike':
      case '_nilike': {
        if (typeof raw !== 'string') throw new FilterError(`${path}.${op}: expected a text pattern (with % and _), got ${canonical(raw)}`);
        const re = likeToRegExp(raw, op === '_ilike' || op === '_nilike');
        const negate = op === '_nlike' || op === '_nilike';
        return (d) => {
          const v = value(d, f);
          if (typeof v !== 'string') return negate;
          return re.test(v) !== negate;
        };
      }
    }
  };

  const list = (raw: unknown, path: string, depth: number): DocPredicate[] => {
    if (!Array.isArray(raw)) throw new FilterError(`${path}: expected a list of filters, got ${canonical(raw)}`);
    return raw.map((x, i) => node(x, `${path}[${i}]`, depth + 1));
  };

  const node = (raw: unknown, path: string, depth: number): DocPredicate => {
    if (depth > MAX_DEPTH) throw new FilterError(`${path}: filter nested deeper than ${MAX_DEPTH} levels`);
    if (!isObject(raw)) throw new FilterError(`${path}: expected a filter object, got ${canonical(raw)}`);
    const parts: DocPredicate[] = [];
    for (const [key, v] of Object.entries(raw)) {
      if (v === undefined) continue;
      if (key === '_and') {
        const all = list(v, `${path}._and`, depth);
        parts.push((d) => all.every((p) => p(d)));
      } else if (key === '_or') {
        const any = list(v, `${path}._or`, depth);
        parts.push((d) => any.some((p) => p(d)));
      } else if (key === '_not') {
        const inner = node(v, `${path}._not`, depth + 1);
        parts.push((d) => !inner(d));
      } else {
        const f = fields.get(key);
        if (!f) throw new FilterError(`${path}: ${def.name} has no field ${key}`);
        parts.push(field(f, v, `${path}.${key}`));
      }
    }
    return (d) => parts.every((p) => p(d));
  };

  return node(filter, 'filter', 0);
}
