/** The block format: one signed dag-cbor block per change to one document. */
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import type { BlockCid, CollectionId, DocId } from './ids.js';
import type { Clock } from './hlc.js';
import { compareClock, isClock } from './hlc.js';
import type { Fields } from './values.js';
import type { Identity, SyncIdentity } from './identity.js';
import { cidTextOfBytes, encodeCbor } from './hash.js';
import { BlockDecodeError, BlockTooLargeError } from './errors.js';
import { NONCE_BYTES, WRAPPED_KEY_BYTES } from './sealing.js';

/** Largest block accepted, in bytes. */
export const MAX_BLOCK_BYTES = 256 * 1024;

/** The signed content of a block. */
export interface BlockBody {
  readonly collection: CollectionId;
  readonly doc: DocId;
  /** CIDs of the document's heads when the change was made, sorted; empty for the creating block. */
  readonly parents: readonly BlockCid[];
  readonly clock: Clock;
  /** Fields set by this change (all initial fields for the creating block). */
  readonly set?: Fields;
  /** True for a delete. */
  readonly delete?: true;
  /** Creating block only: the document is private and its author owns it (see docs/privacy.md). */
  readonly private?: true;
  /** Private documents: the fields this change sets, sealed with the content key of `epoch`. */
  readonly sealed?: SealedContent;
  /** Private documents, owner only: relation changes, in order. */
  readonly relations?: readonly RelationChange[];
  /** Private documents (creating and relation blocks): content keys wrapped to identities. */
  readonly keys?: readonly WrappedKeyEntry[];
  /** Relation blocks that rotate the content key: the new key epoch. */
  readonly epoch?: number;
  /** Ed25519 public key of the author. */
  readonly author: Uint8Array;
}

/** A relation another identity holds on a private document; `none` removes it. */
export type Relation = 'reader' | 'writer';

/** One relation change: the identity (did:key) and its new relation. */
export type RelationChange = readonly [identity: string, relation: Relation | 'none'];

/** A content key of one epoch wrapped to one identity (did:key). */
export type WrappedKeyEntry = readonly [identity: string, epoch: number, wrapped: Uint8Array];

/** Sealed fields: key epoch, nonce and ciphertext (see core/sealing.ts). */
export interface SealedContent {
  readonly epoch: number;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Most relation changes or wrapped keys one block may carry. */
export const MAX_BLOCK_ENTRIES = 256;
/** Highest key epoch. */
export const MAX_EPOCH = 2 ** 31 - 1;

/** A block: its body and the author's signature over the body's encoding. */
export interface Block extends BlockBody {
  readonly signature: Uint8Array;
}

/** A block with its bytes and CID. */
export interface EncodedBlock {
  readonly cid: BlockCid;
  readonly bytes: Uint8Array;
  readonly block: Block;
}

interface WireBody {
  v: 1;
  c: string;
  d: string;
  p: CID[];
  t: [number, number];
  s?: Fields;
  x?: true;
  q?: true;
  z?: { e: number; n: Uint8Array; c: Uint8Array };
  r?: Array<[string, string]>;
  k?: Array<[string, number, Uint8Array]>;
  e?: number;
  a: Uint8Array;
}

function toWire(body: BlockBody): WireBody {
  const w: WireBody = {
    v: 1,
    c: body.collection,
    d: body.doc,
    p: [...body.parents].sort().map((p) => CID.parse(p)),
    t: [body.clock[0], body.clock[1]],
    a: body.author,
  };
  if (body.set !== undefined) w.s = body.set;
  if (body.delete) w.x = true;
  if (body.private) w.q = true;
  if (body.sealed) w.z = { e: body.sealed.epoch, n: body.sealed.nonce, c: body.sealed.ciphertext };
  if (body.relations) w.r = body.relations.map(([id, rel]) => [id, rel]);
  if (body.keys) w.k = body.keys.map(([id, epoch, wrapped]) => [id, epoch, wrapped]);
  if (body.epoch !== undefined) w.e = body.epoch;
  return w;
}

/** The bytes a signature covers. */
export function signingBytes(body: BlockBody): Uint8Array {
  return dagCbor.encode(toWire(body));
}

/** Signs a body and encodes it: the result's CID is over the signed bytes. */
export function createBlock(body: Omit<BlockBody, 'author'>, identity: SyncIdentity): EncodedBlock {
  const full: BlockBody = { ...body, parents: [...body.parents].sort(), author: identity.publicKey };
  return encodeBlock({ ...full, signature: identity.sign(signingBytes(full)) });
}

/** `createBlock` for any identity, native (async) signers included. */
export async function createBlockAsync(body: Omit<BlockBody, 'author'>, identity: Identity): Promise<EncodedBlock> {
  const full: BlockBody = { ...body, parents: [...body.parents].sort(), author: identity.publicKey };
  return encodeBlock({ ...full, signature: await identity.sign(signingBytes(full)) });
}

/** The canonical bytes of a signed block: what any honest encoder produces for it. */
export function canonicalBytes(block: Block): Uint8Array {
  return encodeCbor({ ...toWire(block), g: block.signature });
}

/** Encodes a (signed) block. */
export function encodeBlock(block: Block): EncodedBlock {
  const bytes = canonicalBytes(block);
  return { cid: cidTextOfBytes(bytes) as BlockCid, bytes, block };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof CID);

/**
 * Decodes block bytes defensively; throws BlockDecodeError or BlockTooLargeError. Does not verify.
 * `cid`, when the caller already hashed these bytes, saves hashing them again.
 */
export function decodeBlock(bytes: Uint8Array, cid?: BlockCid): EncodedBlock {
  if (!(bytes instanceof Uint8Array)) throw new BlockDecodeError('block is not bytes');
  if (bytes.byteLength > MAX_BLOCK_BYTES) throw new BlockTooLargeError(`block of ${bytes.byteLength} bytes exceeds the limit of ${MAX_BLOCK_BYTES}`);
  let raw: unknown;
  try {
    raw = dagCbor.decode(bytes);
  } catch (err) {
    throw new BlockDecodeError(`block is not valid dag-cbor: ${(err as Error).message}`);
  }
  if (!isPlainObject(raw)) throw new BlockDecodeError('block is not a map');
  const allowed = new Set(['v', 'c', 'd', 'p', 't', 's', 'x', 'q', 'z', 'r', 'k', 'e', 'a', 'g']);
  for (const k of Object.keys(raw)) if (!allowed.has(k)) throw new BlockDecodeError(`block has unknown key ${JSON.stringify(k)}`);
  if (raw.v !== 1) throw new BlockDecodeError(`unsupported block version ${String(raw.v)}`);
  if (typeof raw.c !== 'string') throw new BlockDecodeError('block has no collection');
  if (typeof raw.d !== 'string' || !raw.d.startsWith('bae-')) throw new BlockDecodeError('block has no DocID');
  if (!Array.isArray(raw.p) || !raw.p.every((p) => p instanceof CID || CID.asCID(p))) throw new BlockDecodeError('block parents are not CIDs');
  if (!isClock(raw.t)) throw new BlockDecodeError('block clock is malformed');
  if (!(raw.a instanceof Uint8Array) || raw.a.byteLength !== 32) throw new BlockDecodeError('block author is not a 32-byte key');
  if (!(raw.g instanceof Uint8Array) || raw.g.byteLength !== 64) throw new BlockDecodeError('block signature is not 64 bytes');
  if (raw.s !== undefined && !isPlainObject(raw.s)) throw new BlockDecodeError('block fields are not a map');
  if (raw.x !== undefined && raw.x !== true) throw new BlockDecodeError('block delete mark is malformed');
  const kinds = [raw.s !== undefined, raw.x !== undefined, raw.z !== undefined, raw.r !== undefined].filter(Boolean).length;
  if (kinds > 1) throw new BlockDecodeError('block does more than one of: set fields, seal fields, delete, change relations');
  if (kinds === 0) throw new BlockDecodeError('block neither sets fields nor deletes');
  const parents = (raw.p as CID[]).map((p) => CID.asCID(p)!.toString() as BlockCid);
  for (let i = 1; i < parents.length; i++) {
    if (parents[i - 1]! >= parents[i]!) throw new BlockDecodeError('block parents are not sorted and unique');
  }
  if (parents.length === 0 && raw.x) throw new BlockDecodeError('a creating block cannot be a delete');
  const priv = decodePrivateParts(raw, parents.length === 0);
  const block: Block = {
    collection: raw.c as CollectionId,
    doc: raw.d as DocId,
    parents,
    clock: raw.t as Clock,
    ...(raw.s !== undefined ? { set: raw.s as Fields } : {}),
    ...(raw.x ? { delete: true as const } : {}),
    ...priv,
    author: raw.a,
    signature: raw.g,
  };
  return { cid: cid ?? (cidTextOfBytes(bytes) as BlockCid), bytes, block };
}

const isEpoch = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_EPOCH;
const isDidText = (v: unknown): v is string => typeof v === 'string' && v.startsWith('did:key:z') && v.length <= 128;

/** The private-document keys of a raw block (q, z, r, k, e), checked for shape and placement. */
function decodePrivateParts(raw: Record<string, unknown>, creating: boolean): Pick<BlockBody, 'private' | 'sealed' | 'relations' | 'keys' | 'epoch'> {
  const out: { private?: true; sealed?: SealedContent; relations?: RelationChange[]; keys?: WrappedKeyEntry[]; epoch?: number } = {};
  if (raw.q !== undefined) {
    if (raw.q !== true) throw new BlockDecodeError('block private mark is malformed');
    if (!creating) throw new BlockDecodeError('only a creating block can mark a document private');
    if (raw.z === undefined) throw new BlockDecodeError('a private document must be created with sealed fields');
    out.private = true;
  }
  if (raw.z !== undefined) {
    const z = raw.z;
    if (!isPlainObject(z) || Object.keys(z).some((k) => k !== 'e' && k !== 'n' && k !== 'c')) throw new BlockDecodeError('block sealed fields are malformed');
    if (!isEpoch(z.e)) throw new BlockDecodeError('block sealed fields have a malformed key epoch');
    if (!(z.n instanceof Uint8Array) || z.n.byteLength !== NONCE_BYTES) throw new BlockDecodeError(`block sealed fields need a ${NONCE_BYTES}-byte nonce`);
    if (!(z.c instanceof Uint8Array) || z.c.byteLength < 16) throw new BlockDecodeError('block sealed fields have no ciphertext');
    if (creating && raw.q !== true) throw new BlockDecodeError('a creating block with sealed fields must mark the document private');
    out.sealed = { epoch: z.e, nonce: z.n, ciphertext: z.c };
  }
  if (raw.r !== undefined) {
    if (creating) throw new BlockDecodeError('a creating block cannot change relations');
    if (!Array.isArray(raw.r) || raw.r.length === 0 || raw.r.length > MAX_BLOCK_ENTRIES) throw new BlockDecodeError(`block relations must be a list of 1 to ${MAX_BLOCK_ENTRIES} changes`);
    const seen = new Set<string>();
    out.relations = raw.r.map((entry: unknown) => {
      if (!Array.isArray(entry) || entry.length !== 2 || !isDidText(entry[0]) || !['reader', 'writer', 'none'].includes(entry[1] as string)) {
        throw new BlockDecodeError('block relation change is malformed (expected [did:key, reader|writer|none])');
      }
      if (seen.has(entry[0])) throw new BlockDecodeError('block changes one identity\'s relation twice');
      seen.add(entry[0]);
      return [entry[0], entry[1]] as RelationChange;
    });
  }
  if (raw.k !== undefined) {
    if (!(raw.q === true || raw.r !== undefined)) throw new BlockDecodeError('only creating and relation blocks of private documents carry keys');
    if (!Array.isArray(raw.k) || raw.k.length > MAX_BLOCK_ENTRIES) throw new BlockDecodeError(`block keys must be a list of at most ${MAX_BLOCK_ENTRIES}`);
    out.keys = raw.k.map((entry: unknown) => {
      if (!Array.isArray(entry) || entry.length !== 3 || !isDidText(entry[0]) || !isEpoch(entry[1]) || !(entry[2] instanceof Uint8Array) || entry[2].byteLength !== WRAPPED_KEY_BYTES) {
        throw new BlockDecodeError(`block wrapped key is malformed (expected [did:key, epoch, ${WRAPPED_KEY_BYTES} bytes])`);
      }
      return [entry[0], entry[1], entry[2]] as WrappedKeyEntry;
    });
  }
  if (raw.e !== undefined) {
    if (raw.r === undefined) throw new BlockDecodeError('only a relation block can start a key epoch');
    if (!isEpoch(raw.e) || raw.e === 0) throw new BlockDecodeError('block key epoch is malformed');
    out.epoch = raw.e;
  }
  return out;
}

/** True for blocks that only a private document can hold (sealed fields or relation changes). */
export function isPrivateBlock(block: BlockBody): boolean {
  return block.private === true || block.sealed !== undefined || block.relations !== undefined;
}

/** Orders blocks so every parent precedes its children: a child's clock is always above its parents'. */
export function compareBlocks(a: { cid: BlockCid; block: { clock: Clock } }, b: { cid: BlockCid; block: { clock: Clock } }): number {
  return compareClock(a.block.clock, b.block.clock) || (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0);
}
