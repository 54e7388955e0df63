/**
 * Runs GraphQL requests against a node: queries and mutations once, subscriptions live (the query runs
 * again whenever a document of a collection it reads changes, locally or from a peer, and the new result
 * is sent when it differs). The schema is generated from the collections and rebuilt when one is added.
 */
import {
  GraphQLError, Kind, Lexer, OverlappingFieldsCanBeMergedRule, Source, TokenKind, ValuesOfCorrectTypeRule, execute, getOperationAST, parse, validate,
  type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import type { Client } from '../api/client.js';
import { DbError } from '../core/errors.js';
import { buildSchema } from './schema.js';

/** Variables of a request. */
export type Variables = Readonly<Record<string, unknown>>;

/** A GraphQL result as JSON: `data`, and `errors` each with `message`, `locations` and `path`. */
export interface QueryResult {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: ReadonlyArray<{ message: string; locations?: ReadonlyArray<{ line: number; column: number }>; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
}

/** A running live query. */
export interface LiveQuery {
  /** Stops sending results. */
  stop(): void;
}

function toResult(r: ExecutionResult): QueryResult {
  const out: { data?: Record<string, unknown> | null; errors?: QueryResult['errors'] } = {};
  if (r.data !== undefined) out.data = r.data as Record<string, unknown> | null;
  if (r.errors?.length) {
    out.errors = r.errors.map((e) => {
      const code = e.originalError instanceof DbError ? e.originalError.name : undefined;
      return {
        message: e.message,
        ...(e.locations ? { locations: e.locations.map(({ line, column }) => ({ line, column })) } : {}),
        ...(e.path ? { path: [...e.path] } : {}),
        ...(code ? { extensions: { code } } : {}),
      };
    });
  }
  return out;
}

const failure = (errors: readonly GraphQLError[]): QueryResult => toResult({ errors });

/**
 * A request with its literal values blanked out: requests of the same shape pass or fail every validation
 * rule alike, except those that look at literal values (their types, and whether two selections of the same
 * name have the same arguments), which run on every request.
 */
function shapeOf(source: string): string | null {
  try {
    const lexer = new Lexer(new Source(source));
    const parts: string[] = [];
    for (let t = lexer.advance(); t.kind !== TokenKind.EOF; t = lexer.advance()) {
      const literal = t.kind === TokenKind.STRING || t.kind === TokenKind.BLOCK_STRING || t.kind === TokenKind.INT || t.kind === TokenKind.FLOAT;
      parts.push(literal ? '?' : t.value ?? t.kind);
    }
    return parts.join(' ');
  } catch {
    return null; // the parser reports it
  }
}

const VALUE_RULES = [ValuesOfCorrectTypeRule, OverlappingFieldsCanBeMergedRule];

/** How many valid request shapes are remembered per schema. */
const SHAPES = 500;

/** The GraphQL engine of one node. */
export class GraphQLEngine {
  private cached: { key: string; schema: GraphQLSchema } | null = null;
  /** Shapes of requests that passed validation against the current schema (most recent last). */
  private readonly validShapes = new Set<string>();

  constructor(private readonly client: Client) {}

  /** The schema of the current collections (rebuilt when they change). */
  schema(): GraphQLSchema {
    const collections = this.client.collections();
    const key = collections.map((c) => c.id).join(',');
    if (this.cached?.key !== key) {
      this.cached = { key, schema: buildSchema(this.client, collections) };
      this.validShapes.clear();
    }
    return this.cached.schema;
  }

  /** Parses and validates a request; a list of errors when it cannot run. */
  private prepare(source: string, operationName?: string): { doc: DocumentNode; op: OperationDefinitionNode; schema: GraphQLSchema } | QueryResult {
    let doc: DocumentNode;
    let schema: GraphQLSchema;
    try {
      schema = this.schema();
      doc = parse(source);
    } catch (err) {
      return failure([err instanceof GraphQLError ? err : new GraphQLError((err as Error).message)]);
    }
    // A shape that validated before needs only its literal values checked (validation is most of the cost
    // of a small mutation); errors are never reused, so their locations always point into this request.
    const shape = shapeOf(source);
    const known = shape !== null && this.validShapes.has(shape);
    const errors = validate(schema, doc, known ? VALUE_RULES : undefined);
    if (errors.length) return failure(errors);
    if (shape !== null && !known) {
      this.validShapes.add(shape);
      if (this.validShapes.size > SHAPES) this.validShapes.delete(this.validShapes.values().next().value!);
    }
    const op = getOperationAST(doc, operationName);
    if (!op) return failure([new GraphQLError(operationName ? `no operation named ${operationName}` : 'the request holds several operations: name the one to run')]);
    return { doc, op, schema };
  }

  /** Runs a query or mutation. Never throws: every problem is an entry of `errors` with its location. */
  async query(source: string, variables: Variables = {}, operationName?: string): Promise<QueryResult> {
    const p = this.prepare(source, operationName);
    if (!('doc' in p)) return p;
    if (p.op.operation === 'subscription') return failure([new GraphQLError('a subscription sends results over time: run it with liveQuery', { nodes: p.op })]);
    return this.execute(p.schema, p.doc, variables, operationName);
  }

  /** Executes a request already parsed and validated. */
  private async execute(schema: GraphQLSchema, document: DocumentNode, variables: Variables, operationName?: string): Promise<QueryResult> {
    return toResult(await execute({ schema, document, variableValues: { ...variables }, contextValue: { variables }, ...(operationName ? { operationName } : {}) }));
  }

  /**
   * Runs a request and calls `onResult` with its result; for a subscription, again whenever the documents
   * it reads change and the result differs (at most one run at a time; changes during a run cause one more).
   */
  live(source: string, variables: Variables, onResult: (r: QueryResult) => void, operationName?: string): LiveQuery {
    const p = this.prepare(source, operationName);
    if (!('doc' in p)) {
      onResult(p);
      return { stop: () => undefined };
    }
    if (p.op.operation !== 'subscription') {
      let stopped = false;
      void this.execute(p.schema, p.doc, variables, operationName).then((r) => { if (!stopped) onResult(r); });
      return { stop: () => { stopped = true; } };
    }
    // Run the subscription's selection as a query over the same fields.
    const asQuery: DocumentNode = { ...p.doc, definitions: [{ ...p.op, operation: 'query' as OperationDefinitionNode['operation'] }] };
    const watched = new Set(p.op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])));
    let stopped = false;
    let running = false;
    let again = false;
    let last = '';
    const run = async (): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const r = await this.execute(this.schema(), asQuery, variables);
          const json = JSON.stringify(r);
          if (!stopped && json !== last) {
            last = json;
            onResult(r);
          }
        } while (again && !stopped);
      } finally {
        running = false;
      }
    };
    const off = this.client.on('change', (e) => { if (!stopped && watched.has(e.collection)) void run(); });
    void run();
    return { stop: () => { stopped = true; off(); } };
  }
}
