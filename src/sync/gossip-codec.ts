/** The pubsub message: the new blocks of one collection, inline. Pure encode/decode. */
import { encodeCbor } from '../core/hash.js';
import { parseCollectionId, type CollectionId } from '../core/ids.js';
import { decodeWireMap, expect, parseOr } from './decode-util.js';

/** Largest pubsub message accepted or sent: 512 KiB (a block is at most 256 KiB). */
export const MAX_GOSSIP_BYTES = 512 * 1024;
/** Most blocks one pubsub message may carry. */
export const MAX_GOSSIP_BLOCKS = 4096;
const OVERHEAD = 128;

/** A pubsub message: blocks (bytes) of one collection, parents first. */
export interface GossipMessage {
  readonly collection: CollectionId;
  readonly blocks: readonly Uint8Array[];
  /**
   * The PeerID of the node that published it, for the activity log only: gossip messages are not signed by
   * libp2p (every block is signed by its author), so this is the publisher's own claim.
   */
  readonly publisher?: string;
}


/** Encodes a pubsub message as dag-cbor `{ v: 1, c, b, p? }`. */
export function encodeGossip(msg: GossipMessage): Uint8Array {
  return encodeCbor({ v: 1, c: msg.collection, b: [...msg.blocks], ...(msg.publisher ? { p: msg.publisher } : {}) });
}

/** Decodes a pubsub message; throws ProtocolDecodeError (or MessageTooLargeError) on bad bytes. */
export function decodeGossip(bytes: Uint8Array): GossipMessage {
  const raw = decodeWireMap(bytes, MAX_GOSSIP_BYTES, 'pubsub message');
  expect(raw.v === 1, `pubsub message has unsupported version ${String(raw.v)}`);
  const collection = parseOr(parseCollectionId, raw.c, 'pubsub message collection');
  const b = raw.b;
  expect(Array.isArray(b) && b.length > 0 && b.length <= MAX_GOSSIP_BLOCKS, 'pubsub message has no block list');
  expect(b.every((x) => x instanceof Uint8Array), 'pubsub message blocks are not bytes');
  expect(raw.p === undefined || (typeof raw.p === 'string' && raw.p.length > 0 && raw.p.length <= 128), 'pubsub message publisher is malformed');
  return { collection, blocks: b as Uint8Array[], ...(typeof raw.p === 'string' ? { publisher: raw.p } : {}) };
}

/** Splits blocks into as few pubsub messages as fit the size bound, keeping their order. */
export function encodeGossipChunks(collection: CollectionId, blocks: readonly Uint8Array[], publisher?: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let chunk: Uint8Array[] = [];
  let size = OVERHEAD;
  for (const b of blocks) {
    const cost = b.byteLength + 8;
    if (chunk.length && (size + cost > MAX_GOSSIP_BYTES || chunk.length >= MAX_GOSSIP_BLOCKS)) {
      out.push(encodeGossip({ collection, blocks: chunk, ...(publisher ? { publisher } : {}) }));
      chunk = [];
      size = OVERHEAD;
    }
    chunk.push(b);
    size += cost;
  }
  if (chunk.length) out.push(encodeGossip({ collection, blocks: chunk, ...(publisher ? { publisher } : {}) }));
  return out;
}
