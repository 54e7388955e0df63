import { describe, expect, it } from 'vitest';
import { collectionIdOf, diffDefs, parseSdl, formatSdl } from './index.js';

const USER = `type User {
  name: String
  age: Int
  verified: Boolean
  points: Float
}`;

function parseError(sdl: string): { name: string; message: string; line?: number; column?: number } {
  try {
    parseSdl(sdl);
  } catch (err) {
    return err as { name: string; message: string; line?: number; column?: number };
  }
  throw new Error('expected a parse error');
}

describe('parseSdl', () => {
  it('parses the seed User type', () => {
    const [user] = parseSdl(USER);
    expect(user!.name).toBe('User');
    expect(user!.fields.map((f) => [f.name, f.kind])).toEqual([
      ['name', 'String'], ['age', 'Int'], ['verified', 'Boolean'], ['points', 'Float'],
    ]);
  });

  it('parses several types, required fields, lists and every scalar', () => {
    const defs = parseSdl(`
      type Post { title: String! tags: [String!] scores: [Int] at: DateTime meta: JSON ref: ID }
      type Comment { body: String }`);
    expect(defs.map((d) => d.name)).toEqual(['Post', 'Comment']);
    const post = defs[0]!;
    expect(post.fields.find((f) => f.name === 'title')).toMatchObject({ kind: 'String', required: true, list: false });
    expect(post.fields.find((f) => f.name === 'tags')).toMatchObject({ kind: 'String', list: true, itemRequired: true, required: false });
    expect(post.fields.find((f) => f.name === 'scores')).toMatchObject({ kind: 'Int', list: true, itemRequired: false });
    expect(formatSdl(post)).toContain('tags: [String!]');
  });

  it('reports the line and column of an error deep in a long schema (500 types)', () => {
    const types = Array.from({ length: 500 }, (_, i) => `type T${i} { a: String }`);
    types[499] = 'type T499 { _bad: String }';
    const err = parseError(types.join('\n'));
    expect(err.line).toBe(500);
    expect(err.column).toBe(13);
    expect(parseSdl(types.slice(0, 499).join('\n'))).toHaveLength(499);
  });

  it('reports syntax errors with line and column', () => {
    const err = parseError('type User {\n  name: String\n  age Int\n}');
    expect(err.name).toBe('SchemaParseError');
    expect(err.line).toBe(3);
    expect(err.column).toBeGreaterThan(0);
    expect(err.message).toMatch(/line 3, column \d+/);
  });

  it('rejects unknown types, naming them and where they are', () => {
    const err = parseError('type User {\n  name: Strin\n}');
    expect(err.name).toBe('SchemaParseError');
    expect(err.message).toContain('unknown type Strin');
    expect(err.line).toBe(2);
  });

  it('rejects relations, non-type definitions, empty and duplicate things', () => {
    expect(parseError('type A { b: B } type B { x: Int }').message).toContain('relations');
    expect(parseError('enum Color { RED }').message).toContain('only "type" definitions');
    expect(parseError('   ').message).toContain('empty');
    expect(parseError('type A { x: Int x: String }').message).toContain('defined twice');
    expect(parseError('type A { x: Int } type A { y: Int }').message).toContain('defined twice');
    expect(parseError('type A { _id: Int }').message).toContain('reserved');
    expect(parseError('type A { x: [[Int]] }').message).toContain('lists of lists');
    expect(parseError('type A').message).toContain('no fields');
  });
});

describe('collection IDs', () => {
  it('are content-derived: same definition, same ID; field order does not matter', () => {
    const a = collectionIdOf(parseSdl(USER)[0]!);
    const b = collectionIdOf(parseSdl('type User { points: Float verified: Boolean age: Int name: String }')[0]!);
    expect(a).toBe(b);
    expect(a).toMatch(/^bafyrei[a-z2-7]+$/);
  });

  it('differ when a field differs', () => {
    const a = collectionIdOf(parseSdl(USER)[0]!);
    const b = collectionIdOf(parseSdl('type User { name: String age: String verified: Boolean points: Float }')[0]!);
    const c = collectionIdOf(parseSdl('type User { name: String! age: Int verified: Boolean points: Float }')[0]!);
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('diffDefs names the differing fields', () => {
    const a = parseSdl(USER)[0]!;
    const b = parseSdl('type User { name: String age: String email: String verified: Boolean }')[0]!;
    const d = diffDefs(a, b);
    expect(d).toContain('age is Int in the existing schema, String in the new one');
    expect(d).toContain('points is only in the existing schema');
    expect(d).toContain('email is only in the new schema');
    expect(diffDefs(a, a)).toEqual([]);
  });
});
