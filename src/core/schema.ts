/** GraphQL SDL to collection definitions (pure). */
import { GraphQLError, Kind, parse, type FieldDefinitionNode, type Location as AstLocation, type TypeNode } from 'graphql';
import { SchemaParseError } from './errors.js';

/** The scalar types a field may have. */
export const SCALARS = ['String', 'Int', 'Float', 'Boolean', 'DateTime', 'JSON', 'ID'] as const;
/** One of SCALARS. */
export type ScalarName = (typeof SCALARS)[number];

/** One field of a collection. */
export interface FieldDef {
  readonly name: string;
  readonly kind: ScalarName;
  /** `[Kind]`: a list of that scalar. */
  readonly list: boolean;
  /** `!` on the field itself. */
  readonly required: boolean;
  /** `[Kind!]`: list items may not be null. */
  readonly itemRequired: boolean;
}

/** A collection as declared in SDL, fields in declaration order. */
export interface CollectionDef {
  readonly name: string;
  readonly fields: readonly FieldDef[];
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Parses SDL text holding one or more `type` definitions. Throws SchemaParseError with line and column. */
export function parseSdl(sdl: string): CollectionDef[] {
  if (typeof sdl !== 'string' || sdl.trim() === '') throw new SchemaParseError('schema is empty: write a type, e.g. type User { name: String }');
  let doc;
  try {
    doc = parse(sdl, { noLocation: false });
  } catch (err) {
    if (err instanceof GraphQLError) {
      const loc = err.locations?.[0];
      throw new SchemaParseError(err.message, loc?.line, loc?.column);
    }
    throw err;
  }
  const typeNames = new Set<string>();
  for (const def of doc.definitions) {
    if (def.kind === Kind.OBJECT_TYPE_DEFINITION) typeNames.add(def.name.value);
  }
  const out: CollectionDef[] = [];
  const seen = new Set<string>();
  for (const def of doc.definitions) {
    const at = def.loc ? lineCol(def.loc) : undefined;
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION) {
      throw new SchemaParseError(`only "type" definitions are supported, found ${describeKind(def.kind)}`, at?.line, at?.column);
    }
    const name = def.name.value;
    if (!NAME_RE.test(name)) throw new SchemaParseError(`type name ${name} must start with a letter`, at?.line, at?.column);
    if (seen.has(name)) throw new SchemaParseError(`type ${name} is defined twice`, at?.line, at?.column);
    seen.add(name);
    if (def.interfaces?.length) throw new SchemaParseError(`type ${name}: interfaces are not supported`, at?.line, at?.column);
    const fields = (def.fields ?? []).map((f) => fieldDef(name, f, typeNames));
    if (fields.length === 0) throw new SchemaParseError(`type ${name} has no fields`, at?.line, at?.column);
    const names = new Set<string>();
    for (const f of fields) {
      if (names.has(f.name)) throw new SchemaParseError(`type ${name}: field ${f.name} is defined twice`, at?.line, at?.column);
      names.add(f.name);
    }
    out.push({ name, fields });
  }
  return out;
}

function fieldDef(typeName: string, node: FieldDefinitionNode, typeNames: Set<string>): FieldDef {
  const at = node.loc ? lineCol(node.loc) : undefined;
  const name = node.name.value;
  const fail = (msg: string): never => {
    throw new SchemaParseError(`${typeName}.${name}: ${msg}`, at?.line, at?.column);
  };
  if (!NAME_RE.test(name)) fail('field names must start with a letter (names starting with _ are reserved)');
  if (node.arguments?.length) fail('field arguments are not supported');
  let t: TypeNode = node.type;
  let required = false;
  let list = false;
  let itemRequired = false;
  if (t.kind === Kind.NON_NULL_TYPE) { required = true; t = t.type; }
  if (t.kind === Kind.LIST_TYPE) {
    list = true;
    t = t.type;
    if (t.kind === Kind.NON_NULL_TYPE) { itemRequired = true; t = t.type; }
    if (t.kind === Kind.LIST_TYPE) fail('lists of lists are not supported');
  }
  if (t.kind !== Kind.NAMED_TYPE) return fail('unsupported type');
  const kind = t.name.value;
  if (!(SCALARS as readonly string[]).includes(kind)) {
    if (typeNames.has(kind)) fail(`relations to other collections (${kind}) are not supported yet; use a scalar type: ${SCALARS.join(', ')}`);
    fail(`unknown type ${kind}; supported types are ${SCALARS.join(', ')}`);
  }
  return { name, kind: kind as ScalarName, list, required, itemRequired };
}

function describeKind(kind: string): string {
  return kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().replace(/_/g, ' ');
}

/** Where a node starts: the lexer already counted lines and columns (rescanning the text made parsing quadratic). */
function lineCol(loc: AstLocation): { line: number; column: number } {
  return { line: loc.startToken.line, column: loc.startToken.column };
}

/** Renders a field's type the way SDL writes it, e.g. `[Int!]!`. */
export function formatFieldType(f: FieldDef): string {
  const inner = f.kind + (f.list && f.itemRequired ? '!' : '');
  return (f.list ? `[${inner}]` : inner) + (f.required ? '!' : '');
}

/** Renders a definition back to SDL, fields in declaration order. */
export function formatSdl(def: CollectionDef): string {
  return `type ${def.name} {\n${def.fields.map((f) => `  ${f.name}: ${formatFieldType(f)}`).join('\n')}\n}`;
}

/** Human-readable differences between two definitions of the same name; empty when they are equal. */
export function diffDefs(existing: CollectionDef, incoming: CollectionDef): string[] {
  const diffs: string[] = [];
  const a = new Map(existing.fields.map((f) => [f.name, f]));
  const b = new Map(incoming.fields.map((f) => [f.name, f]));
  for (const [name, fa] of a) {
    const fb = b.get(name);
    if (!fb) diffs.push(`${name} is only in the existing schema`);
    else if (formatFieldType(fa) !== formatFieldType(fb)) diffs.push(`${name} is ${formatFieldType(fa)} in the existing schema, ${formatFieldType(fb)} in the new one`);
  }
  for (const name of b.keys()) if (!a.has(name)) diffs.push(`${name} is only in the new schema`);
  return diffs;
}
