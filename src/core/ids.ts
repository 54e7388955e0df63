/** Branded identifiers: raw strings become these only through the parsers below. */
import { CID } from 'multiformats/cid';
import { InvalidIdError } from './errors.js';

declare const brand: unique symbol;
/** A nominal type: T that can only be produced by a parser or deriver. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Content ID of a collection definition (CIDv1, dag-cbor, sha2-256, base32). */
export type CollectionId = Brand<string, 'CollectionId'>;
/** DefraDB-style document ID: `bae-` followed by a UUID derived from content. */
export type DocId = Brand<string, 'DocId'>;
/** CID of one signed block (CIDv1, dag-cbor, sha2-256, base32). */
export type BlockCid = Brand<string, 'BlockCid'>;
/** A libp2p PeerID in its string form. */
export type PeerIdString = Brand<string, 'PeerIdString'>;

/** Where a change came from: this node, or the peer that sent it. */
export type Origin = 'local' | PeerIdString;

const DOC_ID_RE = /^bae-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Parses a DocID, throwing InvalidIdError when it is not of the `bae-<uuid>` form. */
export function parseDocId(text: string): DocId {
  if (typeof text !== 'string' || !DOC_ID_RE.test(text)) {
    throw new InvalidIdError(`not a DocID: ${JSON.stringify(text)} (expected bae-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
  }
  return text as DocId;
}

/** Parses a CID string into a BlockCid (normalised to base32 CIDv1). */
export function parseBlockCid(text: string): BlockCid {
  return parseCidString(text, 'block CID') as BlockCid;
}

/** Parses a CID string into a CollectionId (normalised to base32 CIDv1). */
export function parseCollectionId(text: string): CollectionId {
  return parseCidString(text, 'collection ID') as CollectionId;
}

/**
 * The canonical text of a CIDv1 dag-cbor sha2-256 CID (every block and collection ID this app makes): `b`, then
 * 36 bytes in 58 base32 characters. The first after `bafyrei` ends the 4-byte prefix (its top two bits are zero),
 * and the last one's two spare bits are zero. Such text parses to itself, so it is taken as it is; anything else
 * goes through the full parser (`ids.test.ts` checks that both agree).
 */
const CANONICAL_DAG_CBOR_CID = /^bafyrei[a-h][a-z2-7]{50}[aeimquy4]$/;

function parseCidString(text: string, what: string): string {
  if (typeof text === 'string' && CANONICAL_DAG_CBOR_CID.test(text)) return text;
  try {
    const cid = CID.parse(text);
    if (cid.version !== 1) throw new Error('not CIDv1');
    return cid.toString();
  } catch {
    throw new InvalidIdError(`not a ${what}: ${JSON.stringify(text)}`);
  }
}
