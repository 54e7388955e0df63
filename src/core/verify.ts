/** The one gate every received block passes: size, decoding, CID, signature, collection and schema. */
import { cidTextOfBytes, encodeCbor } from './hash.js';
import type { BlockCid, CollectionId } from './ids.js';
import type { CollectionDef } from './schema.js';
import type { EncodedBlock } from './block.js';
import { MAX_BLOCK_BYTES, canonicalBytes, decodeBlock, signingBytes } from './block.js';
import type { SignatureVerifier } from './identity.js';
import { validateFields } from './values.js';
import { deriveDocId, isRandomDocId } from './doc-id.js';
import { aheadBy, MAX_CLOCK_DRIFT_MS } from './hlc.js';
import { BlockCidMismatchError, BlockDecodeError, ClockDriftError, InvalidBlockError, InvalidSignatureError, UnknownCollectionError, ValidationError } from './errors.js';

/** What verification needs to know about this node. */
export interface VerifyContext {
  /** The local definition for a collection ID, if this node has it. */
  collection(id: CollectionId): CollectionDef | undefined;
  readonly verifier: SignatureVerifier;
  /** This node's wall clock (ms); blocks stamped more than `maxDriftMs` ahead of it are refused. */
  readonly now?: () => number;
  /** Allowed drift in ms (default MAX_CLOCK_DRIFT_MS). */
  readonly maxDriftMs?: number;
}

/**
 * Decodes and verifies block bytes. When `expectedCid` is given, the bytes must hash to it.
 * Throws a named error: BlockTooLargeError, BlockDecodeError, BlockCidMismatchError,
 * ClockDriftError, InvalidSignatureError, UnknownCollectionError, ValidationError or InvalidBlockError.
 */
export async function verifyBlock(bytes: Uint8Array, ctx: VerifyContext, expectedCid?: string): Promise<EncodedBlock> {
  let hashed: BlockCid | undefined;
  if (expectedCid !== undefined && bytes instanceof Uint8Array && bytes.byteLength <= MAX_BLOCK_BYTES) {
    hashed = cidTextOfBytes(bytes) as BlockCid;
    if (hashed !== expectedCid) throw new BlockCidMismatchError(`block bytes hash to ${shortCid(hashed)}, not to ${shortCid(expectedCid)}`);
  }
  return verifyDecoded(decodeBlock(bytes, hashed), ctx);
}

/**
 * The checks of `verifyBlock` after decoding, for a block already decoded (and so hashed) by `decodeBlock`:
 * a received block is decoded and hashed once. Throws the same named errors.
 */
export async function verifyDecoded(enc: EncodedBlock, ctx: VerifyContext): Promise<EncodedBlock> {
  const { block, bytes } = enc;
  const drift = ctx.maxDriftMs ?? MAX_CLOCK_DRIFT_MS;
  const ahead = aheadBy(block.clock, (ctx.now ?? Date.now)());
  if (ahead > drift) {
    throw new ClockDriftError(`block ${shortCid(enc.cid)} is stamped ${formatSeconds(ahead)} ahead of this node's clock (the limit is ${formatSeconds(drift)}); it is held back`, ahead);
  }
  // One content, one CID: bytes that decode to a block but are not its canonical encoding (invalid UTF-8
  // that decodes as U+FFFD, say) are refused, so a block cannot be re-wrapped under another CID.
  if (!bytesEqual(canonicalBytes(block), bytes)) throw new BlockDecodeError(`block ${shortCid(enc.cid)} is not in canonical dag-cbor form (e.g. text that is not valid UTF-8)`);
  const def = ctx.collection(block.collection);
  if (!def) throw new UnknownCollectionError(`block ${shortCid(enc.cid)} is for unknown collection ${block.collection}`);
  const ok = await ctx.verifier.verify(block.signature, signingBytes(block), block.author);
  if (!ok) throw new InvalidSignatureError(`block ${shortCid(enc.cid)} has a signature that does not match its author`);
  if (block.set !== undefined) {
    const isRoot = block.parents.length === 0;
    let normal;
    try {
      normal = validateFields(def, block.set, isRoot ? 'create' : 'update');
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(`${def.name}.${err.field}`, err.expected, err.got);
      throw err;
    }
    if (!bytesEqual(encodeCbor(normal), encodeCbor(block.set))) {
      throw new InvalidBlockError(`block ${shortCid(enc.cid)} carries values in a non-canonical form`);
    }
    if (isRoot && deriveDocId(block.collection, normal) !== block.doc) {
      throw new InvalidBlockError(`block ${shortCid(enc.cid)} creates ${block.doc}, but its content derives another DocID`);
    }
  }
  if (block.private && !isRandomDocId(block.doc)) {
    throw new InvalidBlockError(`block ${shortCid(enc.cid)} creates a private document under a DocID that is not random`);
  }
  return enc;
}

/** Shortened CID for messages. */
export function shortCid(cid: BlockCid | string): string {
  return cid.length > 16 ? `${cid.slice(0, 8)}…${cid.slice(-6)}` : cid;
}

/** "42 s", "3 min 5 s", "12 days": a readable duration for messages. */
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  const days = Math.round(s / 86_400);
  return days < 730 ? `${days} days` : `${Math.round(days / 365)} years`;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
