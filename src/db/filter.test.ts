import { describe, expect, it } from 'vitest';
import { parseSdl } from '../core/schema.js';
import type { Document } from './document.js';
import { compileFilter, likeToRegExp, operatorsFor } from './filter.js';
import { runQuery } from './query.js';

const def = parseSdl('type User { name: String age: Int verified: Boolean points: Float born: DateTime tags: [String] meta: JSON }')[0]!;

let n = 0;
function doc(fields: Record<string, unknown>): Document {
  n++;
  const id = `bae-00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
  return { id, collection: 'c', fields, deleted: false, createdAt: n, created: { clock: [n, 0], cid: `b${n}` }, updatedAt: n, heads: [] } as unknown as Document;
}

const docs = [
  doc({ name: 'Alice', age: 30, verified: true, points: 1.5, born: '1994-05-01T00:00:00.000Z', tags: ['a', 'b'], meta: { k: 1 } }),
  doc({ name: 'alfred', age: 41, verified: false, points: -2 }),
  doc({ name: 'Bob', age: 25, points: 10 }),
  doc({ name: '100% sure', age: 30 }),
  doc({}),
];
const names = (filter: unknown) => docs.filter(compileFilter(def, filter)).map((d) => d.fields.name ?? '(unset)');

describe('compileFilter', () => {
  it('compares with _eq _ne _gt _ge _lt _le, unset values never order', () => {
    expect(names({ age: { _eq: 30 } })).toEqual(['Alice', '100% sure']);
    expect(names({ age: { _ne: 30 } })).toEqual(['alfred', 'Bob', '(unset)']);
    expect(names({ age: { _gt: 30 } })).toEqual(['alfred']);
    expect(names({ age: { _ge: 30 } })).toEqual(['Alice', 'alfred', '100% sure']);
    expect(names({ age: { _lt: 30 } })).toEqual(['Bob']);
    expect(names({ age: { _le: 30 } })).toEqual(['Alice', 'Bob', '100% sure']);
    expect(names({ age: { _gt: 20, _lt: 35 } })).toEqual(['Alice', 'Bob', '100% sure']);
    expect(names({ points: { _lt: 0 } })).toEqual(['alfred']);
    expect(names({ name: { _gt: 'B' } })).toEqual(['alfred', 'Bob']); // code-unit order
  });

  it('matches null with _eq: null (unset fields) and _ne: null', () => {
    expect(names({ verified: { _eq: null } })).toEqual(['Bob', '100% sure', '(unset)']);
    expect(names({ verified: { _ne: null } })).toEqual(['Alice', 'alfred']);
    expect(names({ verified: { _eq: false } })).toEqual(['alfred']);
  });

  it('tests membership with _in and _nin', () => {
    expect(names({ age: { _in: [25, 41] } })).toEqual(['alfred', 'Bob']);
    expect(names({ age: { _nin: [25, 41] } })).toEqual(['Alice', '100% sure', '(unset)']);
    expect(names({ name: { _in: ['Bob', null] } })).toEqual(['Bob', '(unset)']);
  });

  it('matches patterns with _like _nlike _ilike _nilike (% any run, _ one character, the rest literal)', () => {
    expect(names({ name: { _like: 'Al%' } })).toEqual(['Alice']);
    expect(names({ name: { _ilike: 'al%' } })).toEqual(['Alice', 'alfred']);
    expect(names({ name: { _like: '%o%' } })).toEqual(['Bob']);
    expect(names({ name: { _like: 'B_b' } })).toEqual(['Bob']);
    expect(names({ name: { _like: '100% sure' } })).toEqual(['100% sure']);
    expect(names({ name: { _nlike: '%e' } })).toEqual(['alfred', 'Bob', '(unset)']);
    expect(names({ name: { _nilike: 'A%' } })).toEqual(['Bob', '100% sure', '(unset)']);
    expect(likeToRegExp('a.b(c)*', false).test('a.b(c)*')).toBe(true);
    expect(likeToRegExp('a.b', false).test('axb')).toBe(false);
    // Every other character is literal, also those a unicode pattern may not escape (a hyphen was once "Invalid escape").
    for (const text of ['bae-1234', '2024-05-01', 'a/b', 'x{2}', '[a-z]', 'a|b', '^$', 'back\\slash', 'a,b:c=d!e@f#g&h~i`j\'k"l<m>n']) {
      expect(likeToRegExp(text, false).test(text), text).toBe(true);
      expect(likeToRegExp(text, true).test(text.toUpperCase()), text).toBe(true);
    }
    expect(likeToRegExp('bae-%', false).test('bae-0f')).toBe(true);
    expect(likeToRegExp('a-c', false).test('abc')).toBe(false);
  });

  it('combines with _and, _or, _not and several keys', () => {
    expect(names({ _or: [{ age: { _lt: 26 } }, { verified: { _eq: true } }] })).toEqual(['Alice', 'Bob']);
    expect(names({ _and: [{ age: { _ge: 25 } }, { age: { _le: 30 } }] })).toEqual(['Alice', 'Bob', '100% sure']);
    expect(names({ _not: { age: { _eq: 30 } } })).toEqual(['alfred', 'Bob', '(unset)']);
    expect(names({ age: { _eq: 30 }, name: { _like: 'A%' } })).toEqual(['Alice']);
    expect(names({})).toHaveLength(docs.length);
  });

  it('compares DateTime by instant, lists and JSON by value, and filters by _docID', () => {
    expect(names({ born: { _lt: '2000-01-01T00:00:00Z' } })).toEqual(['Alice']);
    expect(names({ born: { _eq: '1994-05-01T00:00:00Z' } })).toEqual(['Alice']);
    expect(names({ tags: { _eq: ['a', 'b'] } })).toEqual(['Alice']);
    expect(names({ meta: { _eq: { k: 1 } } })).toEqual(['Alice']);
    expect(names({ _docID: { _eq: docs[2]!.id } })).toEqual(['Bob']);
    expect(names({ _docID: { _in: [docs[0]!.id, docs[2]!.id] } })).toEqual(['Alice', 'Bob']);
  });

  it('refuses unknown fields, unknown or inapplicable operators and operands of the wrong type, naming where', () => {
    const bad = (f: unknown) => () => compileFilter(def, f);
    expect(bad({ nam: { _eq: 'x' } })).toThrow('filter: User has no field nam');
    expect(bad({ age: { _between: 1 } })).toThrow(/filter\.age: unknown operator _between/);
    expect(bad({ verified: { _gt: true } })).toThrow('filter.verified: operator _gt does not apply to Boolean');
    expect(bad({ age: { _like: '3%' } })).toThrow('filter.age: operator _like does not apply to Int');
    expect(bad({ tags: { _gt: 'a' } })).toThrow('filter.tags: operator _gt does not apply to [String]');
    expect(bad({ age: { _eq: 'thirty' } })).toThrow('filter.age._eq: expected Int or null, got "thirty"');
    expect(bad({ age: { _in: 3 } })).toThrow('filter.age._in: expected a list of values, got 3');
    expect(bad({ age: { _gt: null } })).toThrow('filter.age._gt: expected a Int to compare with, got null');
    expect(bad({ name: { _like: 3 } })).toThrow('filter.name._like: expected a text pattern');
    expect(bad({ _or: { age: { _eq: 1 } } })).toThrow('filter._or: expected a list of filters');
    expect(bad({ _or: [{ nope: { _eq: 1 } }] })).toThrow('filter._or[0]: User has no field nope');
    expect(bad({ age: 30 })).toThrow('filter.age: expected an object of operators');
    expect(bad('age > 3')).toThrow('filter: expected a filter object');
    let deep: unknown = { age: { _eq: 1 } };
    for (let i = 0; i < 40; i++) deep = { _not: deep };
    expect(bad(deep)).toThrow(/nested deeper than 32/);
    try {
      compileFilter(def, { nam: {} });
    } catch (err) {
      expect((err as Error).name).toBe('FilterError');
    }
  });

  it('lists which operators each kind of field takes', () => {
    expect(operatorsFor({ kind: 'Boolean', list: false })).toEqual(['_eq', '_ne', '_in', '_nin']);
    expect(operatorsFor({ kind: 'String', list: false })).toContain('_ilike');
    expect(operatorsFor({ kind: 'Float', list: false })).toContain('_le');
    expect(operatorsFor({ kind: 'Int', list: true })).toEqual(['_eq', '_ne', '_in', '_nin']);
  });
});

describe('runQuery order', () => {
  it('orders by several fields, each breaking the ties of the one before, unset last', () => {
    const sorted = runQuery(def, docs, { sort: [{ field: 'age', order: 'desc' }, { field: 'name', order: 'asc' }] });
    expect(sorted.map((d) => d.fields.name ?? '(unset)')).toEqual(['alfred', '100% sure', 'Alice', 'Bob', '(unset)']);
    const byId = runQuery(def, docs, { sort: { field: '_docID', order: 'desc' } });
    expect(byId[0]!.id).toBe(docs.at(-1)!.id);
  });

  it('refuses ordering by an unknown field', () => {
    expect(() => runQuery(def, docs, { sort: { field: 'nope' } })).toThrow('order: User has no field nope');
  });
});
