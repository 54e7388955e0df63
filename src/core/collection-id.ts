/** Content-derived collection IDs: same definition, same ID, on every node. */
import type { CollectionDef } from './schema.js';
import type { CollectionId } from './ids.js';
import { encodeWithCid } from './hash.js';

/** The canonical description a collection ID is the hash of: name and fields sorted by name. */
export function canonicalCollection(def: CollectionDef): unknown {
  const fields = [...def.fields]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => [f.name, f.kind, f.list, f.required, f.itemRequired]);
  return { name: def.name, fields };
}

/** The collection ID of a definition (base32 CIDv1 string); also its pubsub topic name. */
export function collectionIdOf(def: CollectionDef): CollectionId {
  return encodeWithCid(canonicalCollection(def)).cid.toString() as CollectionId;
}
