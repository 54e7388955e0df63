/** The block format: one signed dag-cbor block per change to one document. */
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import type { BlockCid, CollectionId, DocId } from './ids.js';
import type { Clock } from './hlc.js';
import { compareClock, isClock } from './hlc.js';
import type { Fields } from './values.js';
import type { Identity, SyncIdentity } from './identity.js';
import { cidOfBytes, encodeCbor } from './hash.js';
import { BlockDecodeError, BlockTooLargeError } from './errors.js';

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
  /** Ed25519 public key of the author. */
  readonly author: Uint8Array;
}

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
  return { cid: cidOfBytes(bytes).toString() as BlockCid, bytes, block };
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
  const allowed = new Set(['v', 'c', 'd', 'p', 't', 's', 'x', 'a', 'g']);
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
  if (raw.x && raw.s !== undefined) throw new BlockDecodeError('block both sets fields and deletes');
  if (!raw.x && raw.s === undefined) throw new BlockDecodeError('block neither sets fields nor deletes');
  const parents = (raw.p as CID[]).map((p) => CID.asCID(p)!.toString() as BlockCid);
  for (let i = 1; i < parents.length; i++) {
    if (parents[i - 1]! >= parents[i]!) throw new BlockDecodeError('block parents are not sorted and unique');
  }
  if (parents.length === 0 && raw.x) throw new BlockDecodeError('a creating block cannot be a delete');
  const block: Block = {
    collection: raw.c as CollectionId,
    doc: raw.d as DocId,
    parents,
    clock: raw.t as Clock,
    ...(raw.s !== undefined ? { set: raw.s as Fields } : {}),
    ...(raw.x ? { delete: true as const } : {}),
    author: raw.a,
    signature: raw.g,
  };
  return { cid: cid ?? (cidOfBytes(bytes).toString() as BlockCid), bytes, block };
}

/** Orders blocks so every parent precedes its children: a child's clock is always above its parents'. */
export function compareBlocks(a: { cid: BlockCid; block: { clock: Clock } }, b: { cid: BlockCid; block: { clock: Clock } }): number {
  return compareClock(a.block.clock, b.block.clock) || (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0);
}
