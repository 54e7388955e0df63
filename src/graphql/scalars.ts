/** The GraphQL scalars of collections: Int as a safe integer (as stored), DateTime and JSON. */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

const INT_MAX = Number.MAX_SAFE_INTEGER;

function asInt(v: unknown, node?: ValueNode): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > INT_MAX) {
    throw new GraphQLError(`Int cannot represent ${JSON.stringify(v)}: expected a whole number within ±2^53−1`, node ? { nodes: node } : {});
  }
  return v;
}

/** Int: a whole number within ±(2^53−1), the range a document field holds (GraphQL's own Int stops at 2^31). */
export const IntScalar = new GraphQLScalarType({
  name: 'Int',
  description: 'A whole number within ±(2^53−1).',
  serialize: (v) => asInt(v),
  parseValue: (v) => asInt(v),
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT) throw new GraphQLError(`Int cannot represent a non-integer value: ${ast.kind === Kind.STRING ? JSON.stringify(ast.value) : ast.kind}`, { nodes: ast });
    return asInt(Number(ast.value), ast);
  },
});

function asDateTime(v: unknown, node?: ValueNode): string {
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) {
    throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(v)}: expected ISO 8601 text such as 2024-05-01T12:00:00Z`, node ? { nodes: node } : {});
  }
  return v;
}

/** DateTime: ISO 8601 text (stored normalised to UTC). */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An instant as ISO 8601 text, e.g. 2024-05-01T12:00:00Z.',
  serialize: (v) => v,
  parseValue: (v) => asDateTime(v),
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be written as text, e.g. "2024-05-01T12:00:00Z"', { nodes: ast });
    return asDateTime(ast.value, ast);
  },
});

function literal(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.NULL: return null;
    case Kind.INT:
    case Kind.FLOAT: return Number(ast.value);
    case Kind.STRING:
    case Kind.BOOLEAN: return ast.value;
    case Kind.ENUM: return ast.value;
    case Kind.LIST: return ast.values.map((v) => literal(v, variables));
    case Kind.OBJECT: return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, variables)]));
    case Kind.VARIABLE: return variables?.[ast.name.value] ?? null;
  }
}

/** JSON: any JSON value (checked against the field's rules when stored). */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: literal,
});
