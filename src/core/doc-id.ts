/** DocIDs derived from the collection and the initial content, DefraDB style (`bae-` + a v5-shaped UUID). */
import * as dagCbor from '@ipld/dag-cbor';
import type { CollectionId, DocId } from './ids.js';
import type { Fields } from './values.js';
import { sha256Bytes } from './hash.js';

/** The DocID of a document created in `collection` with `fields` (already validated and normalised). */
export function deriveDocId(collection: CollectionId, fields: Fields): DocId {
  const h = sha256Bytes(dagCbor.encode({ c: collection, f: fields }));
  const b = h.slice(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `bae-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` as DocId;
}

/** A fresh random DocID for a private document (`bae-` + a v4-shaped UUID): it says nothing of the content. */
export function randomDocId(): DocId {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `bae-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` as DocId;
}

/** True for the DocID layout of private documents (random, v4-shaped). */
export function isRandomDocId(id: string): boolean {
  return /^bae-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id);
}
