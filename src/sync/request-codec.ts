/** The request/response protocol between two peers (hello and pull). Pure encode/decode. */
import { encodeCbor } from '../core/hash.js';
import { parseBlockCid, parseCollectionId, parseDocId, type BlockCid, type CollectionId, type DocId } from '../core/ids.js';
import { SCALARS, type CollectionDef, type FieldDef, type ScalarName } from '../core/schema.js';
import type { SetDigest } from '../core/digest.js';
import { FP_BYTES, type DocFingerprint, type RangeSummary } from './range-fingerprints.js';
import { MAX_FRAME_BYTES } from './frames.js';
import { decodeWireMap, expect, isWireMap, parseOr, type WireMap } from './decode-util.js';

/** Most collections a hello may describe. */
export const MAX_HELLO_COLLECTIONS = 1000;
/** Most blocks in one response frame. */
export const MAX_FRAME_BLOCKS = 5000;

/** What a peer tells another on connect: its collections, its subscriptions and a digest per collection. */
export interface Hello {
  readonly collections: readonly CollectionDef[];
  readonly subscribed: readonly CollectionId[];
  readonly digests: ReadonlyArray<{ readonly collection: CollectionId; readonly digest: SetDigest }>;
  /** The sender's wall clock (ms) when it wrote the hello, so a node can tell that its own clock is off. */
  readonly now?: number;
  /** The sender's node name (`?node=`), shown to its peers before its PeerID. */
  readonly name?: string;
  /** The sender's own sync peers, with their names when known: what network maps draw one hop further. */
  readonly peers?: ReadonlyArray<{ readonly id: string; readonly name?: string }>;
  /**
   * True when `collections` may leave out definitions the receiver already holds: the sender's collections are
   * then those defined plus those it gives a digest for (it gives one for each). A node that says so in its own
   * hello is sent such partial hellos.
   */
  readonly partial?: boolean;
  /**
   * Encoding only (never decoded back): the receiver takes partial hellos, so subscriptions are written as a
   * flag on their digests instead of a second list of IDs (about 60 bytes each).
   */
  readonly compact?: boolean;
}

/** Longest node name a hello may carry. */
export const MAX_NODE_NAME = 64;
/** Most peers a hello may list. */
export const MAX_HELLO_PEERS = 64;
/** PeerIDs are only shown (never dialled from a hello), so any short token passes. */
const PEER_ID_RE = /^[A-Za-z0-9._-]{1,128}$/;
const isNodeName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_NODE_NAME && !/[\u0000-\u001f\u007f]/.test(v);

/**
 * "Here are my heads; send what I lack": for the documents of a collection whose DocIDs lie in a range
 * (`range`: after `after`, exclusive, up to `upto`, inclusive; null means open), or only for the listed ones
 * (`docs`). The heads are those of the requester's documents in that range, so a request never grows with
 * the collection: the requester pages through its documents, and the answer ends with a `more` frame when
 * the responder stopped early.
 */
export interface PullRequest {
  readonly kind: 'pull';
  readonly collection: CollectionId;
  readonly scope: 'range' | 'docs';
  readonly heads: ReadonlyMap<DocId, readonly BlockCid[]>;
  readonly after?: DocId | null;
  readonly upto?: DocId | null;
}

/**
 * "Here is how my documents in these ranges sum up": the responder compares each range with its own, and
 * answers the ranges that differ, split further or (when it holds few documents there) document by document.
 */
export interface ReconRequest {
  readonly kind: 'recon';
  readonly collection: CollectionId;
  readonly ranges: readonly RangeSummary[];
}

/** Most ranges one reconciliation request may carry. */
export const MAX_RECON_RANGES = 64;
/** Most ranges a responder splits one range into. */
export const RECON_SPLIT = 16;
/** A responder lists a differing range document by document when it holds at most this many there. */
export const RECON_LEAF_DOCS = 16;

/** A request to one peer. */
export type SyncRequest = { readonly kind: 'hello'; readonly hello: Hello } | PullRequest | ReconRequest;

/** A differing range the responder split: its parts' upper bounds (each starts where the previous ended). */
export interface ReconSplit {
  /** Index of the range in the request. */
  readonly range: number;
  readonly parts: ReadonlyArray<{ readonly hi: string | null; readonly count: number; readonly fp: Uint8Array }>;
}

/** A differing range the responder listed document by document, with their fingerprints. */
export interface ReconLeaf {
  readonly range: number;
  readonly docs: readonly DocFingerprint[];
}

/** One frame of a response: the peer's hello, a chunk of blocks (the first carries the total), or an error. */
export type SyncResponse =
  | { readonly kind: 'hello'; readonly hello: Hello }
  | { readonly kind: 'blocks'; readonly total?: number; readonly blocks: readonly Uint8Array[] }
  | { readonly kind: 'error'; readonly message: string }
  /** The answer stopped early: ask again for the range after `after`. */
  | { readonly kind: 'more'; readonly after: DocId }
  /** The answer to a reconciliation request: differing ranges split further, and ranges listed doc by doc. */
  | { readonly kind: 'recon'; readonly splits: readonly ReconSplit[]; readonly leaves: readonly ReconLeaf[] };

/** The answer to a reconciliation request. */
export type ReconAnswer = Extract<SyncResponse, { readonly kind: 'recon' }>;

function helloToWire(h: Hello): WireMap {
  return {
    c: h.collections.map((d) => ({ n: d.name, f: d.fields.map((f) => [f.name, f.kind, f.list, f.required, f.itemRequired]) })),
    ...subscriptionsAndDigests(h),
    ...(h.now !== undefined ? { w: h.now } : {}),
    ...(h.name !== undefined ? { n: h.name } : {}),
    ...(h.peers !== undefined ? { p: h.peers.map((x) => (x.name !== undefined ? [x.id, x.name] : [x.id])) } : {}),
    ...(h.partial ? { q: 1 } : {}),
  };
}

/**
 * `s` and `d`; when compact, a subscription with a digest is a fourth element (1) of that digest instead of an
 * entry of `s`.
 */
function subscriptionsAndDigests(h: Hello): WireMap {
  const flagged = new Set(h.compact ? h.digests.map((x) => x.collection).filter((id) => h.subscribed.includes(id)) : []);
  return {
    s: h.subscribed.filter((id) => !flagged.has(id)),
    d: h.digests.map((x) => [x.collection, x.digest.count, x.digest.xor, ...(flagged.has(x.collection) ? [1] : [])]),
  };
}

function helloFromWire(raw: unknown): Hello {
  expect(isWireMap(raw), 'hello is not a map');
  const { c, s, d } = raw;
  expect(Array.isArray(c) && c.length <= MAX_HELLO_COLLECTIONS, 'hello collections are malformed');
  expect(Array.isArray(s) && s.length <= MAX_HELLO_COLLECTIONS, 'hello subscriptions are malformed');
  expect(Array.isArray(d) && d.length <= MAX_HELLO_COLLECTIONS, 'hello digests are malformed');
  const collections = c.map(defFromWire);
  const subscribed = s.map((x) => parseOr(parseCollectionId, x, 'hello subscription'));
  const digests = d.map((x) => {
    expect(Array.isArray(x) && (x.length === 3 || (x.length === 4 && x[3] === 1)), 'hello digest is malformed');
    const [id, count, xor, sub] = x as unknown[];
    expect(Number.isSafeInteger(count) && (count as number) >= 0, 'hello digest count is malformed');
    expect(xor instanceof Uint8Array && xor.byteLength === 32, 'hello digest hash is malformed');
    const collection = parseOr(parseCollectionId, id, 'hello digest collection');
    if (sub === 1 && !subscribed.includes(collection)) subscribed.push(collection);
    return { collection, digest: { count: count as number, xor: xor as Uint8Array } };
  });
  const w = raw.w;
  expect(w === undefined || (Number.isSafeInteger(w) && (w as number) >= 0), 'hello clock is malformed');
  const n = raw.n;
  expect(n === undefined || isNodeName(n), `hello node name is malformed (at most ${MAX_NODE_NAME} printable characters)`);
  const p = raw.p;
  expect(p === undefined || (Array.isArray(p) && p.length <= MAX_HELLO_PEERS), `hello peers are malformed (at most ${MAX_HELLO_PEERS})`);
  const peers = (p as unknown[] | undefined)?.map((x) => {
    expect(Array.isArray(x) && (x.length === 1 || x.length === 2) && typeof x[0] === 'string' && PEER_ID_RE.test(x[0]), 'hello peer is malformed');
    const [id, name] = x as [string, unknown];
    expect(name === undefined || isNodeName(name), 'hello peer name is malformed');
    return name === undefined ? { id } : { id, name: name as string };
  });
  expect(raw.q === undefined || raw.q === 1, 'hello partial flag is malformed');
  return {
    collections, subscribed, digests,
    ...(w !== undefined ? { now: w as number } : {}),
    ...(n !== undefined ? { name: n as string } : {}),
    ...(peers ? { peers } : {}),
    ...(raw.q === 1 ? { partial: true } : {}),
  };
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;

function defFromWire(raw: unknown): CollectionDef {
  expect(isWireMap(raw) && typeof raw.n === 'string' && NAME_RE.test(raw.n), 'hello collection name is malformed');
  const f = raw.f;
  expect(Array.isArray(f) && f.length > 0 && f.length <= 1000, `hello collection ${raw.n} has malformed fields`);
  const fields = f.map((x): FieldDef => {
    expect(Array.isArray(x) && x.length === 5, `hello collection ${raw.n as string} has a malformed field`);
    const [name, kind, list, required, itemRequired] = x as unknown[];
    expect(typeof name === 'string' && NAME_RE.test(name), `hello collection ${raw.n as string} has a malformed field name`);
    expect((SCALARS as readonly unknown[]).includes(kind), `hello field ${name} has unknown type ${String(kind)}`);
    expect(typeof list === 'boolean' && typeof required === 'boolean' && typeof itemRequired === 'boolean', `hello field ${name} has malformed flags`);
    return { name, kind: kind as ScalarName, list, required, itemRequired };
  });
  return { name: raw.n, fields };
}

const rangeToWire = (r: RangeSummary): unknown[] => [r.lo, r.hi, r.count, r.fp];

/** A range bound: a DocID or a prefix of one (printable ASCII, 1 to 64 characters), or null (open). */
const BOUND_RE = /^[\x21-\x7e]{1,64}$/;
function boundFromWire(v: unknown, what: string): string | null {
  expect(v === null || (typeof v === 'string' && BOUND_RE.test(v)), `${what} is malformed`);
  return v as string | null;
}
const countFromWire = (n: unknown, what: string): number => {
  expect(Number.isSafeInteger(n) && (n as number) >= 0, `${what} count is malformed`);
  return n as number;
};
const fpFromWire = (f: unknown, what: string): Uint8Array => {
  expect(f instanceof Uint8Array && f.byteLength === FP_BYTES, `${what} fingerprint is malformed`);
  return f as Uint8Array;
};

/** A range [lo, hi) from the wire. */
function rangeFromWire(raw: unknown, what: string): RangeSummary {
  expect(Array.isArray(raw) && raw.length === 4, `${what} is malformed`);
  const [l, h, n, f] = raw as unknown[];
  const lo = boundFromWire(l, `${what} start`);
  const hi = boundFromWire(h, `${what} end`);
  expect(lo === null || hi === null || lo < hi, `${what} is empty or reversed`);
  return { lo, hi, count: countFromWire(n, what), fp: fpFromWire(f, what) };
}

/** Encodes a request. */
export function encodeRequest(req: SyncRequest): Uint8Array {
  if (req.kind === 'hello') return encodeCbor({ v: 1, k: 'hello', h: helloToWire(req.hello) });
  if (req.kind === 'recon') return encodeCbor({ v: 1, k: 'recon', c: req.collection, r: req.ranges.map(rangeToWire) });
  return encodeCbor({
    v: 1, k: 'pull', c: req.collection, s: req.scope, h: [...req.heads].map(([doc, cids]) => [doc, [...cids]]),
    ...(req.scope === 'range' ? { a: req.after ?? null, u: req.upto ?? null } : {}),
  });
}

/** Decodes a request; throws ProtocolDecodeError (or MessageTooLargeError) on bad bytes. */
export function decodeRequest(bytes: Uint8Array): SyncRequest {
  const raw = decodeWireMap(bytes, MAX_FRAME_BYTES, 'request');
  expect(raw.v === 1, `request has unsupported version ${String(raw.v)}`);
  if (raw.k === 'hello') return { kind: 'hello', hello: helloFromWire(raw.h) };
  if (raw.k === 'recon') {
    const collection = parseOr(parseCollectionId, raw.c, 'recon collection');
    expect(Array.isArray(raw.r) && raw.r.length > 0 && raw.r.length <= MAX_RECON_RANGES, `recon ranges are malformed (1 to ${MAX_RECON_RANGES})`);
    return { kind: 'recon', collection, ranges: raw.r.map((x) => rangeFromWire(x, 'recon range')) };
  }
  expect(raw.k === 'pull', `unknown request kind ${JSON.stringify(String(raw.k)).slice(0, 40)}`);
  expect(raw.s === 'range' || raw.s === 'docs', 'pull scope is malformed');
  const collection = parseOr(parseCollectionId, raw.c, 'pull collection');
  expect(Array.isArray(raw.h), 'pull heads are malformed');
  const heads = new Map<DocId, BlockCid[]>();
  for (const entry of raw.h) {
    expect(Array.isArray(entry) && entry.length === 2 && Array.isArray(entry[1]), 'pull heads entry is malformed');
    const doc = parseOr(parseDocId, entry[0], 'pull DocID');
    heads.set(doc, (entry[1] as unknown[]).map((c) => parseOr(parseBlockCid, c, 'pull head CID')));
  }
  if (raw.s === 'docs') return { kind: 'pull', collection, scope: 'docs', heads };
  const bound = (v: unknown, what: string): DocId | null => (v === null || v === undefined ? null : parseOr(parseDocId, v, what));
  const after = bound(raw.a, 'pull range start');
  const upto = bound(raw.u, 'pull range end');
  expect(after === null || upto === null || after < upto, 'pull range is empty or reversed');
  for (const doc of heads.keys()) expect((after === null || doc > after) && (upto === null || doc <= upto), 'pull heads name a document outside the range');
  return { kind: 'pull', collection, scope: 'range', heads, after, upto };
}

/** Encodes one response frame. */
export function encodeResponse(res: SyncResponse): Uint8Array {
  switch (res.kind) {
    case 'hello': return encodeCbor({ k: 'hello', h: helloToWire(res.hello) });
    case 'error': return encodeCbor({ k: 'error', e: res.message });
    case 'blocks': return encodeCbor(res.total !== undefined ? { k: 'blocks', n: res.total, b: [...res.blocks] } : { k: 'blocks', b: [...res.blocks] });
    case 'more': return encodeCbor({ k: 'more', a: res.after });
    case 'recon': return encodeCbor({
      k: 'recon',
      s: res.splits.map((x) => [x.range, x.parts.map((p) => [p.hi, p.count, p.fp])]),
      l: res.leaves.map((x) => [x.range, x.docs.map(([d, f]) => [d, f])]),
    });
  }
}

/** Decodes one response frame; throws ProtocolDecodeError (or MessageTooLargeError) on bad bytes. */
export function decodeResponse(bytes: Uint8Array): SyncResponse {
  const raw = decodeWireMap(bytes, MAX_FRAME_BYTES, 'response');
  if (raw.k === 'hello') return { kind: 'hello', hello: helloFromWire(raw.h) };
  if (raw.k === 'error') {
    expect(typeof raw.e === 'string', 'error response has no message');
    return { kind: 'error', message: raw.e.slice(0, 500) };
  }
  if (raw.k === 'more') return { kind: 'more', after: parseOr(parseDocId, raw.a, 'more resume point') };
  if (raw.k === 'recon') return reconFromWire(raw);
  expect(raw.k === 'blocks', `unknown response kind ${JSON.stringify(String(raw.k)).slice(0, 40)}`);
  const b = raw.b;
  expect(Array.isArray(b) && b.length <= MAX_FRAME_BLOCKS && b.every((x) => x instanceof Uint8Array), 'response blocks are malformed');
  if (raw.n === undefined) return { kind: 'blocks', blocks: b as Uint8Array[] };
  expect(Number.isSafeInteger(raw.n) && (raw.n as number) >= 0, 'response total is malformed');
  return { kind: 'blocks', total: raw.n as number, blocks: b as Uint8Array[] };
}

/** A reconciliation answer: per range asked, its parts (at most RECON_SPLIT) or its documents (at most RECON_LEAF_DOCS). */
function reconFromWire(raw: WireMap): SyncResponse {
  const { s, l } = raw;
  expect(Array.isArray(s) && s.length <= MAX_RECON_RANGES, 'recon splits are malformed');
  expect(Array.isArray(l) && l.length <= MAX_RECON_RANGES, 'recon leaves are malformed');
  const index = (v: unknown): number => {
    expect(Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < MAX_RECON_RANGES, 'recon range index is malformed');
    return v as number;
  };
  const splits = s.map((x): ReconSplit => {
    expect(Array.isArray(x) && x.length === 2 && Array.isArray(x[1]) && x[1].length > 0 && x[1].length <= RECON_SPLIT, 'recon split is malformed');
    return {
      range: index(x[0]),
      parts: (x[1] as unknown[]).map((p) => {
        expect(Array.isArray(p) && p.length === 3, 'recon split part is malformed');
        return { hi: boundFromWire(p[0], 'recon split bound'), count: countFromWire(p[1], 'recon split'), fp: fpFromWire(p[2], 'recon split') };
      }),
    };
  });
  const leaves = l.map((x): ReconLeaf => {
    expect(Array.isArray(x) && x.length === 2 && Array.isArray(x[1]) && x[1].length <= RECON_LEAF_DOCS, 'recon leaf is malformed');
    return {
      range: index(x[0]),
      docs: (x[1] as unknown[]).map((e): DocFingerprint => {
        expect(Array.isArray(e) && e.length === 2, 'recon leaf entry is malformed');
        return [parseOr(parseDocId, e[0], 'recon leaf DocID'), fpFromWire(e[1], 'recon leaf entry')];
      }),
    };
  });
  return { kind: 'recon', splits, leaves };
}
