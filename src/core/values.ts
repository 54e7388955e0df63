/** Field values: validation against a collection definition, and coercion of form text. */
import type { CollectionDef, FieldDef, ScalarName } from './schema.js';
import { formatFieldType } from './schema.js';
import { ValidationError } from './errors.js';

/** A JSON-compatible value as stored in a field. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A stored field value (null means unset). */
export type FieldValue = JsonValue;
/** Field name to value. */
export type Fields = Record<string, FieldValue>;

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;
const INT_MIN = Number.MIN_SAFE_INTEGER;
const INT_MAX = Number.MAX_SAFE_INTEGER;

/** Describes a given value for an error message: strings quoted, others by JSON or kind. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : String(v);
  if (typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

/** Matches an unpaired UTF-16 surrogate (with the `u` flag a valid pair is one code point and does not match). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** U+FEFF, the byte order mark. */
const BOM = '\uFEFF';

/**
 * True when a string survives the block encoding unchanged. A lone surrogate cannot be encoded as UTF-8: the
 * writer would keep it while every other node decodes U+FFFD from the block, and they would never notice they
 * differ. A string beginning with a byte order mark (U+FEFF) loses it when decoded (the platform's UTF-8
 * decoder drops a leading one), so the writer's block would not even re-encode to its own bytes on other nodes.
 */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s) && !s.startsWith(BOM);
}

function checkJson(v: unknown, depth: number): boolean {
  if (depth > 32) return false;
  if (v === null || typeof v === 'boolean') return true;
  if (typeof v === 'string') return isWellFormedText(v);
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => checkJson(x, depth + 1));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.entries(v as object).every(([k, x]) => isWellFormedText(k) && checkJson(x, depth + 1));
  }
  return false;
}

/** The same JSON value with -0 as 0 (CBOR stores both as 0; the writer must keep what readers decode). */
function normaliseJson(v: JsonValue): JsonValue {
  if (typeof v === 'number') return v + 0;
  if (Array.isArray(v)) return v.map(normaliseJson);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normaliseJson(x)]));
  return v;
}

function unpaired(field: string, kind: string, v: string): ValidationError {
  if (v.startsWith(BOM)) return new ValidationError(field, `${kind} that does not begin with a byte order mark (U+FEFF)`, 'text beginning with U+FEFF, which decoding drops');
  const at = v.search(LONE_SURROGATE);
  const code = v.charCodeAt(at).toString(16).toUpperCase();
  return new ValidationError(field, `${kind} of valid Unicode text`, `text with an unpaired surrogate \\u${code} at position ${at}`);
}

/** Validates one scalar; returns the normalised value or throws ValidationError. */
function scalar(field: string, kind: ScalarName, v: unknown): FieldValue {
  switch (kind) {
    case 'String':
    case 'ID':
      if (typeof v === 'string') {
        if (!isWellFormedText(v)) throw unpaired(field, kind, v);
        return v;
      }
      break;
    case 'Int':
      if (typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX) return v + 0;
      break;
    case 'Float':
      if (typeof v === 'number' && Number.isFinite(v)) return v + 0; // -0 becomes 0, as the encoding stores it
      break;
    case 'Boolean':
      if (typeof v === 'boolean') return v;
      break;
    case 'DateTime':
      if (typeof v === 'string' && DATETIME_RE.test(v) && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
      break;
    case 'JSON':
      if (checkJson(v, 0)) return normaliseJson(v as JsonValue);
      break;
  }
  const expected = kind === 'DateTime' ? 'DateTime (ISO 8601, e.g. 2024-05-01T12:00:00Z)' : kind === 'Int' ? 'Int' : kind;
  throw new ValidationError(field, expected, describeValue(v));
}

/** Validates one field's value (null allowed unless required); returns the normalised value. */
export function validateFieldValue(f: FieldDef, v: unknown): FieldValue {
  if (v === null || v === undefined) {
    if (f.required) throw new ValidationError(f.name, `${formatFieldType(f)} (required)`, describeValue(v));
    return null;
  }
  if (!f.list) return scalar(f.name, f.kind, v);
  if (!Array.isArray(v)) throw new ValidationError(f.name, formatFieldType(f), describeValue(v));
  return v.map((item, i) => {
    if (item === null || item === undefined) {
      if (f.itemRequired) throw new ValidationError(`${f.name}[${i}]`, f.kind, describeValue(item));
      return null;
    }
    return scalar(`${f.name}[${i}]`, f.kind, item);
  });
}

/**
 * Validates a set of field values against a definition and returns them normalised.
 * `create` requires every required field; `update` checks only the fields given.
 * Unknown fields are rejected. Unset (null) values are dropped on create.
 */
export function validateFields(def: CollectionDef, input: unknown, mode: 'create' | 'update'): Fields {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError('document', 'an object of field values', describeValue(input));
  }
  const byName = new Map(def.fields.map((f) => [f.name, f]));
  const out: Fields = {};
  for (const [name, v] of Object.entries(input as Record<string, unknown>)) {
    if (v === undefined) continue;
    const f = byName.get(name);
    if (!f) throw new ValidationError(name, `one of the fields of ${def.name} (${def.fields.map((x) => x.name).join(', ')})`, 'an unknown field');
    const value = validateFieldValue(f, v);
    if (mode === 'create' && value === null) continue;
    out[name] = value;
  }
  if (mode === 'create') {
    for (const f of def.fields) if (f.required && !(f.name in out)) validateFieldValue(f, undefined);
  }
  return out;
}

/**
 * Turns the text of a form input into a value for the field, so the UI can hand it to validation.
 * Text that does not convert is returned as-is, so validation can name what was given.
 * Empty text means unset (null).
 */
export function coerceFormText(f: FieldDef, text: string): unknown {
  if (f.kind === 'Boolean' && !f.list) return text === 'true' ? true : text === 'false' ? false : text;
  if (text.trim() === '') return null;
  if (f.list) {
    const t = text.trim();
    if (t.startsWith('[')) {
      try { return JSON.parse(t); } catch { return text; }
    }
    return t.split(',').map((part) => coerceScalarText(f.kind, part.trim()));
  }
  return coerceScalarText(f.kind, text);
}

function coerceScalarText(kind: ScalarName, text: string): unknown {
  switch (kind) {
    case 'Int':
    case 'Float':
      // Any finite number converts (so "1.5" for an Int reads as 1.5); other text stays for validation to name.
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    case 'Boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'JSON':
      try { return JSON.parse(text); } catch { return text; }
    default:
      return text;
  }
}

/** Renders a stored value as text for a form input (the inverse of coerceFormText for valid values). */
export function formatFormText(f: FieldDef, v: FieldValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (f.kind === 'JSON' || f.list) return JSON.stringify(v);
  return String(v);
}
