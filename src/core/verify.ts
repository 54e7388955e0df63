/** The one gate every received block passes: size, decoding, CID, signature, collection and schema. */
import { cidOfBytes, encodeCbor } from './hash.js';
import type { BlockCid, CollectionId } from './ids.js';
import type { CollectionDef } from './schema.js';
import type { EncodedBlock } from './block.js';
import { MAX_BLOCK_BYTES, decodeBlock, signingBytes } from './block.js';
import type { SignatureVerifier } from './identity.js';
import { validateFields } from './values.js';
import { deriveDocId } from './doc-id.js';
import { BlockCidMismatchError, InvalidBlockError, InvalidSignatureError, UnknownCollectionError, ValidationError } from './errors.js';

/** What verification needs to know about this node. */
export interface VerifyContext {
  /** The local definition for a collection ID, if this node has it. */
  collection(id: CollectionId): CollectionDef | undefined;
  readonly verifier: SignatureVerifier;
}

/**
 * Decodes and verifies block bytes. When `expectedCid` is given, the bytes must hash to it.
 * Throws a named error: BlockTooLargeError, BlockDecodeError, BlockCidMismatchError,
 * InvalidSignatureError, UnknownCollectionError, ValidationError or InvalidBlockError.
 */
export async function verifyBlock(bytes: Uint8Array, ctx: VerifyContext, expectedCid?: string): Promise<EncodedBlock> {
  let hashed: BlockCid | undefined;
  if (expectedCid !== undefined && bytes instanceof Uint8Array && bytes.byteLength <= MAX_BLOCK_BYTES) {
    hashed = cidOfBytes(bytes).toString() as BlockCid;
    if (hashed !== expectedCid) throw new BlockCidMismatchError(`block bytes hash to ${shortCid(hashed)}, not to ${shortCid(expectedCid)}`);
  }
  const enc = decodeBlock(bytes, hashed);
  const { block } = enc;
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
  return enc;
}

/** Shortened CID for messages. */
export function shortCid(cid: BlockCid | string): string {
  return cid.length > 16 ? `${cid.slice(0, 8)}…${cid.slice(-6)}` : cid;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
