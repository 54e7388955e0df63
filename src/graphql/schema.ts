/**
 * The GraphQL schema generated from the collections, with DefraDB's names and shapes: per collection
 * `User(filter, order, limit, offset, docID, docIDs)`, `_count(User: {filter})`, `create_User`, `update_User`,
 * `delete_User`, a live `subscription { User … }`, and `_commits(docID)` for a document's blocks.
 * Every resolver goes through the client, the same read and write path as the UI.
 */
import {
  GraphQLBoolean, GraphQLEnumType, GraphQLError, GraphQLFloat, GraphQLID, GraphQLInputObjectType, GraphQLList, GraphQLNonNull,
  GraphQLObjectType, GraphQLSchema, GraphQLString, Kind, type GraphQLFieldConfig, type GraphQLResolveInfo, type ValueNode, type GraphQLFieldConfigArgumentMap,
  type GraphQLInputFieldConfigMap, type GraphQLInputType, type GraphQLOutputType, type GraphQLScalarType,
} from 'graphql';
import type { Client } from '../api/client.js';
import type { CollectionInfo, Document, Filter, ListOrder } from '../api/types.js';
import type { FieldDef, ScalarName } from '../core/schema.js';
import { validateFields } from '../core/values.js';
import { operatorsFor, type Operator } from '../db/filter.js';
import type { Commit } from '../db/history.js';
import { DateTimeScalar, IntScalar, JSONScalar } from './scalars.js';

const SCALAR: Record<ScalarName, GraphQLScalarType> = {
  String: GraphQLString, Int: IntScalar, Float: GraphQLFloat, Boolean: GraphQLBoolean, DateTime: DateTimeScalar, JSON: JSONScalar, ID: GraphQLID,
};

/** Names the query language itself uses: a collection may not take them. */
export const RESERVED_TYPE_NAMES = new Set(['Query', 'Mutation', 'Subscription', 'Ordering', 'Commit', 'CommitLink', 'Clock', ...Object.keys(SCALAR)]);

const Ordering = new GraphQLEnumType({ name: 'Ordering', values: { ASC: { value: 'asc' }, DESC: { value: 'desc' } } });

const CommitLink = new GraphQLObjectType({ name: 'CommitLink', fields: { cid: { type: new GraphQLNonNull(GraphQLString) } } });
const Clock = new GraphQLObjectType({
  name: 'Clock',
  description: 'A hybrid logical clock: wall-clock milliseconds and a counter.',
  fields: {
    wall: { type: new GraphQLNonNull(GraphQLFloat) },
    counter: { type: new GraphQLNonNull(IntScalar) },
    time: { type: new GraphQLNonNull(DateTimeScalar), resolve: (c: { wall: number }) => new Date(c.wall).toISOString() },
  },
});
const CommitType = new GraphQLObjectType<Commit>({
  name: 'Commit',
  description: 'One block of a document: a signed change.',
  fields: {
    cid: { type: new GraphQLNonNull(GraphQLString) },
    docID: { type: new GraphQLNonNull(GraphQLID), resolve: (c) => c.docId },
    collectionID: { type: new GraphQLNonNull(GraphQLString), resolve: (c) => c.collection },
    height: { type: new GraphQLNonNull(IntScalar) },
    links: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(CommitLink))), resolve: (c) => c.parents.map((cid) => ({ cid })) },
    set: { type: JSONScalar, description: 'The fields this block set (null for a delete, or when not readable here).' },
    delete: { type: new GraphQLNonNull(GraphQLBoolean), resolve: (c) => c.deleted },
    author: { type: new GraphQLNonNull(GraphQLString), description: 'The signing identity (did:key).' },
    clock: { type: new GraphQLNonNull(Clock), resolve: (c) => ({ wall: c.clock[0], counter: c.clock[1] }) },
    readable: { type: new GraphQLNonNull(GraphQLBoolean), description: 'False when its fields are sealed and this node may not read them (set is then null).' },
    wins: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString))), description: 'Fields whose current value this block wrote.' },
    head: { type: new GraphQLNonNull(GraphQLBoolean), description: 'True when no block builds on it yet.' },
  },
});

/** Operator blocks, one per scalar (and per list of a scalar), shared by every collection. */
class OperatorBlocks {
  private readonly made = new Map<string, GraphQLInputObjectType>();
  of(f: Pick<FieldDef, 'kind' | 'list'>): GraphQLInputObjectType {
    const name = `${f.kind}${f.list ? 'List' : ''}OperatorBlock`;
    let t = this.made.get(name);
    if (!t) {
      const value: GraphQLInputType = f.list ? new GraphQLList(SCALAR[f.kind]) : SCALAR[f.kind];
      const fields: GraphQLInputFieldConfigMap = {};
      for (const op of operatorsFor(f)) fields[op] = { type: opType(op, value) };
      t = new GraphQLInputObjectType({ name, fields });
      this.made.set(name, t);
    }
    return t;
  }
}

function opType(op: Operator, value: GraphQLInputType): GraphQLInputType {
  if (op === '_in' || op === '_nin') return new GraphQLList(value);
  if (op.endsWith('like')) return GraphQLString;
  return value;
}

/** What a collection's document looks like to GraphQL. */
function toObject(d: Document): Record<string, unknown> {
  return { ...d.fields, _docID: d.id, _deleted: d.deleted };
}

/** What resolvers get besides their arguments: the request's variables as sent. */
export interface RequestContext {
  readonly variables: Readonly<Record<string, unknown>>;
}

/** A literal as plain JS, variables taken as sent (so objects keep the order their keys were written in). */
function plain(node: ValueNode, variables: Readonly<Record<string, unknown>>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE: return variables[node.name.value];
    case Kind.LIST: return node.values.map((v) => plain(v, variables));
    case Kind.OBJECT: return Object.fromEntries(node.fields.map((f) => [f.name.value, plain(f.value, variables)]));
    case Kind.NULL: return null;
    case Kind.INT:
    case Kind.FLOAT: return Number(node.value);
    default: return node.value;
  }
}

/**
 * `order: [{ age: DESC, name: ASC }, { points: ASC }]` as a list of keys in the order written. Read from the
 * request itself: argument coercion rebuilds input objects in the type's field order, which would lose it.
 */
function toOrder(info: GraphQLResolveInfo, ctx: RequestContext | undefined): ListOrder[] | undefined {
  const arg = info.fieldNodes[0]?.arguments?.find((a) => a.name.value === 'order');
  if (!arg) return undefined;
  const raw = plain(arg.value, ctx?.variables ?? {});
  if (raw == null) return undefined;
  const out: ListOrder[] = [];
  for (const o of Array.isArray(raw) ? raw : [raw]) {
    for (const [field, dir] of Object.entries((o ?? {}) as Record<string, unknown>)) {
      if (dir != null) out.push({ field, direction: dir === 'DESC' ? 'desc' : 'asc' });
    }
  }
  return out;
}

interface ListArgs {
  filter?: Filter;
  order?: ListOrder[];
  limit?: number;
  offset?: number;
  docID?: string;
  docIDs?: string[];
}

function ids(args: { docID?: string | null; docIDs?: string[] | null }): string[] | undefined {
  if (args.docID == null && args.docIDs == null) return undefined;
  return [...(args.docID != null ? [args.docID] : []), ...(args.docIDs ?? [])];
}

/** Builds the schema of these collections, resolved through `client`. */
export function buildSchema(client: Client, collections: readonly CollectionInfo[]): GraphQLSchema {
  const blocks = new OperatorBlocks();
  const query: Record<string, GraphQLFieldConfig<unknown, unknown>> = {};
  const mutation: Record<string, GraphQLFieldConfig<unknown, unknown>> = {};
  const subscription: Record<string, GraphQLFieldConfig<unknown, unknown>> = {};
  const countArgs: GraphQLFieldConfigArgumentMap = {};

  const list = async (name: string, args: ListArgs): Promise<Document[]> => {
    const { order } = args;
    const id = ids(args);
    const page = await client.list(name, {
      ...(args.filter ? { filter: args.filter } : {}),
      ...(order?.length ? { order } : {}),
      ...(id ? { ids: id } : {}),
      limit: args.limit ?? Number.MAX_SAFE_INTEGER,
      offset: args.offset ?? 0,
    });
    return [...page.docs];
  };

  for (const col of collections) {
    const { name, def } = col;
    if (RESERVED_TYPE_NAMES.has(name)) throw new GraphQLError(`collection ${name} has a name the query language reserves; rename it to query it with GraphQL`);
    const docFields = Object.fromEntries(def.fields.map((f) => {
      const t: GraphQLOutputType = f.list ? new GraphQLList(f.itemRequired ? new GraphQLNonNull(SCALAR[f.kind]) : SCALAR[f.kind]) : SCALAR[f.kind];
      return [f.name, { type: f.required ? new GraphQLNonNull(t) : t }];
    }));
    const DocType = new GraphQLObjectType({
      name,
      fields: { _docID: { type: new GraphQLNonNull(GraphQLID) }, _deleted: { type: new GraphQLNonNull(GraphQLBoolean) }, ...docFields },
    });
    const FilterArg: GraphQLInputObjectType = new GraphQLInputObjectType({
      name: `${name}FilterArg`,
      fields: () => ({
        _and: { type: new GraphQLList(new GraphQLNonNull(FilterArg)) },
        _or: { type: new GraphQLList(new GraphQLNonNull(FilterArg)) },
        _not: { type: FilterArg },
        _docID: { type: blocks.of({ kind: 'ID', list: false }) },
        ...Object.fromEntries(def.fields.map((f) => [f.name, { type: blocks.of(f) }])),
      }),
    });
    const OrderArg = new GraphQLInputObjectType({
      name: `${name}OrderArg`,
      fields: {
        _docID: { type: Ordering },
        _createdAt: { type: Ordering },
        ...Object.fromEntries(def.fields.filter((f) => !f.list && f.kind !== 'JSON').map((f) => [f.name, { type: Ordering }])),
      },
    });
    const InputArg = new GraphQLInputObjectType({
      name: `${name}MutationInputArg`,
      fields: Object.fromEntries(def.fields.map((f) => {
        const t: GraphQLInputType = f.list ? new GraphQLList(SCALAR[f.kind]) : SCALAR[f.kind];
        return [f.name, { type: t }];
      })),
    });
    const CountArg = new GraphQLInputObjectType({
      name: `${name}CountArg`,
      fields: { filter: { type: FilterArg }, docID: { type: GraphQLID }, docIDs: { type: new GraphQLList(new GraphQLNonNull(GraphQLID)) } },
    });
    const docList = new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(DocType)));
    const selectArgs: GraphQLFieldConfigArgumentMap = {
      filter: { type: FilterArg },
      order: { type: new GraphQLList(OrderArg), description: 'One or more keys; each breaks the ties of the one before.' },
      limit: { type: IntScalar },
      offset: { type: IntScalar },
      docID: { type: GraphQLID },
      docIDs: { type: new GraphQLList(new GraphQLNonNull(GraphQLID)) },
    };
    const select: GraphQLFieldConfig<unknown, RequestContext | undefined, ListArgs> = {
      type: docList,
      description: `${name} documents, filtered, ordered and paged (creation order by default).`,
      args: selectArgs,
      resolve: async (_src, args, ctx: RequestContext | undefined, info) => {
        const order = toOrder(info, ctx);
        return (await list(name, { ...args, ...(order ? { order } : {}) })).map(toObject);
      },
    };
    query[name] = select as GraphQLFieldConfig<unknown, unknown>;
    subscription[name] = { ...select, description: `${name} documents, sent again whenever they change.` } as GraphQLFieldConfig<unknown, unknown>;
    countArgs[name] = { type: CountArg };

    mutation[`create_${name}`] = {
      type: docList,
      description: `Creates one ${name} document, or several at once (all or none).`,
      args: {
        input: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(InputArg))) },
        private: { type: GraphQLBoolean, description: "true: private documents owned by this node's identity, readable only by those it shares them with." },
      },
      resolve: async (_src, args: { input: Array<Record<string, unknown>>; private?: boolean | null }) => {
        const input = args.input.map((x) => ({ ...x }));
        if (args.private) return (await client.createMany(name, input, { private: true })).map(toObject);
        const docs = input.length === 1 ? [await client.create(name, input[0]!)] : await client.createMany(name, input);
        return docs.map(toObject);
      },
    };
    const targets = async (verb: string, args: { docID?: string; docIDs?: string[]; filter?: Filter }): Promise<Document[]> => {
      if (args.docID == null && args.docIDs == null && args.filter == null) throw new GraphQLError(`${verb}_${name} needs docID, docIDs or filter`);
      return list(name, args);
    };
    const targetArgs: GraphQLFieldConfigArgumentMap = {
      docID: { type: GraphQLID },
      docIDs: { type: new GraphQLList(new GraphQLNonNull(GraphQLID)) },
      filter: { type: FilterArg },
    };
    mutation[`update_${name}`] = {
      type: docList,
      description: `Sets fields of the ${name} documents chosen by docID, docIDs or filter, all or none; returns them.`,
      args: { ...targetArgs, input: { type: new GraphQLNonNull(InputArg) } },
      resolve: async (_src, args: { docID?: string; docIDs?: string[]; filter?: Filter; input: Record<string, unknown> }) => {
        const patch = validateFields(def, { ...args.input }, 'update'); // checked once, before anything is written
        const docs = await targets('update', args);
        return (await client.updateMany(name, docs.map((d) => d.id), patch)).map(toObject);
      },
    };
    mutation[`delete_${name}`] = {
      type: docList,
      description: `Deletes the ${name} documents chosen by docID, docIDs or filter, all or none; returns them as they were.`,
      args: targetArgs,
      resolve: async (_src, args: { docID?: string; docIDs?: string[]; filter?: Filter }) => {
        const docs = await targets('delete', args);
        await client.deleteMany(name, docs.map((d) => d.id));
        return docs.map((d) => ({ ...toObject(d), _deleted: true }));
      },
    };
  }

  if (collections.length) {
    query._count = {
      type: new GraphQLNonNull(IntScalar),
      description: 'How many documents of one collection match: _count(User: {filter: {…}}).',
      args: countArgs,
      resolve: async (_src, args: Record<string, { filter?: Filter; docID?: string; docIDs?: string[] } | undefined>) => {
        const named = Object.entries(args).filter(([, v]) => v !== undefined);
        if (named.length !== 1) throw new GraphQLError(`_count takes exactly one collection, e.g. _count(${collections[0]!.name}: {})`);
        const [name, sel] = named[0]!;
        const id = ids(sel ?? {});
        return (await client.list(name, { ...(sel?.filter ? { filter: sel.filter } : {}), ...(id ? { ids: id } : {}), limit: 0 })).total;
      },
    };
  }
  query._commits = {
    type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(CommitType))),
    description: "A document's blocks, parents first (height 1 is the creating block).",
    args: { docID: { type: new GraphQLNonNull(GraphQLID) }, cid: { type: GraphQLString } },
    resolve: async (_src, args: { docID: string; cid?: string }) => {
      const commits = await client.commits(args.docID);
      return args.cid ? commits.filter((c) => c.cid === args.cid) : commits;
    },
  };

  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: query }),
    ...(Object.keys(mutation).length ? { mutation: new GraphQLObjectType({ name: 'Mutation', fields: mutation }) } : {}),
    ...(Object.keys(subscription).length ? { subscription: new GraphQLObjectType({ name: 'Subscription', fields: subscription }) } : {}),
  });
}
