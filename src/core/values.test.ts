import { describe, expect, it } from 'vitest';
import { coerceFormText, formatFormText, parseSdl, validateFields, ValidationError } from './index.js';

const def = parseSdl(`type T {
  name: String!
  age: Int
  ok: Boolean
  pts: Float
  at: DateTime
  meta: JSON
  tags: [String!]
  ref: ID
}`)[0]!;

function fails(input: unknown, mode: 'create' | 'update' = 'create'): ValidationError {
  try {
    validateFields(def, input, mode);
  } catch (err) {
    expect((err as Error).name).toBe('ValidationError');
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('validateFields', () => {
  it('accepts and normalises valid values', () => {
    const v = validateFields(def, { name: 'a', age: 3, ok: false, pts: 1.5, at: '2024-05-01T12:00:00+02:00', meta: { x: [1, null] }, tags: ['a'], ref: 'r' }, 'create');
    expect(v).toEqual({ name: 'a', age: 3, ok: false, pts: 1.5, at: '2024-05-01T10:00:00.000Z', meta: { x: [1, null] }, tags: ['a'], ref: 'r' });
  });

  it('names the field, what was expected and what was given', () => {
    expect(fails({ name: 'a', age: 'abc' }).message).toBe('age: expected Int, got "abc"');
    expect(fails({ name: 'a', age: 1.5 }).message).toBe('age: expected Int, got 1.5');
    expect(fails({ name: 'a', ok: 'yes' }).message).toBe('ok: expected Boolean, got "yes"');
    expect(fails({ name: 'a', pts: 'x' }).message).toBe('pts: expected Float, got "x"');
    expect(fails({ name: 'a', at: 'tomorrow' }).field).toBe('at');
    expect(fails({ name: 'a', tags: ['x', null] }).message).toBe('tags[1]: expected String, got null');
    expect(fails({ name: 'a', tags: 'x' }).message).toBe('tags: expected [String!], got "x"');
  });

  it('rejects unknown fields and missing required ones', () => {
    expect(fails({ name: 'a', email: 'x' }).message).toContain('email: expected one of the fields of T');
    expect(fails({ age: 1 }).message).toBe('name: expected String! (required), got nothing');
    expect(fails({ name: null }, 'update').field).toBe('name');
    expect(fails([1, 2]).field).toBe('document');
  });

  it('update checks only the given fields; create drops nulls', () => {
    expect(validateFields(def, { age: null }, 'update')).toEqual({ age: null });
    expect(validateFields(def, { name: 'x', age: null }, 'create')).toEqual({ name: 'x' });
  });
});

describe('form text', () => {
  const field = (n: string) => def.fields.find((f) => f.name === n)!;
  it('coerces what converts and leaves the rest for validation to name', () => {
    expect(coerceFormText(field('age'), '42')).toBe(42);
    expect(coerceFormText(field('age'), 'abc')).toBe('abc');
    expect(coerceFormText(field('age'), '1.5')).toBe(1.5);
    expect(coerceFormText(field('pts'), '2.5')).toBe(2.5);
    expect(coerceFormText(field('ok'), 'true')).toBe(true);
    expect(coerceFormText(field('tags'), 'a, b')).toEqual(['a', 'b']);
    expect(coerceFormText(field('meta'), '{"a":1}')).toEqual({ a: 1 });
    expect(coerceFormText(field('age'), '')).toBeNull();
  });
  it('formats values back to text', () => {
    expect(formatFormText(field('tags'), ['a'])).toBe('["a"]');
    expect(formatFormText(field('age'), 5)).toBe('5');
    expect(formatFormText(field('age'), null)).toBe('');
  });
});
