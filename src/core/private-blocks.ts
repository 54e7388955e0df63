/** Building the bodies of private-document blocks: sealed content, relation changes and wrapped keys. Pure but for randomness. */
import type { BlockBody, RelationChange, WrappedKeyEntry } from './block.js';
import type { CollectionId, DocId } from './ids.js';
import type { Clock } from './hlc.js';
import { didKeyOf, publicKeyOfDid } from './did.js';
import { revokes, type Policy } from './policy.js';
import { newContentKey, sealFields, wrapKey } from './sealing.js';
import type { Fields } from './values.js';

type Body = Omit<BlockBody, 'author'>;

/**
 * The creating block of a private document, sealed with `key` (epoch 0). The owner's key is derived from its
 * secret key (`ownerContentKey`), so it carries no wrapped copy; without a secret key at hand (`owner` given
 * instead), a random key wrapped to the owner is used.
 */
export function privateCreation(
  collection: CollectionId, doc: DocId, fields: Fields, clock: Clock, key: { derived: Uint8Array } | { owner: Uint8Array },
): { body: Body; key: Uint8Array } {
  const k = 'derived' in key ? key.derived : newContentKey();
  const s = sealFields(k, fields, doc, 0);
  return {
    key: k,
    body: {
      collection, doc, parents: [], clock, private: true,
      sealed: { epoch: 0, nonce: s.nonce, ciphertext: s.ciphertext },
      ...('owner' in key ? { keys: [[didKeyOf(key.owner), 0, wrapKey(k, key.owner)]] as WrappedKeyEntry[] } : {}),
    },
  };
}

/** A change to a private document's fields, sealed with the key of the policy's epoch. */
export function sealedChange(collection: CollectionId, doc: DocId, parents: readonly string[], clock: Clock, set: Fields, key: Uint8Array, epoch: number): Body {
  const s = sealFields(key, set, doc, epoch);
  return { collection, doc, parents: parents as Body['parents'], clock, sealed: { epoch, nonce: s.nonce, ciphertext: s.ciphertext } };
}

/**
 * A relation block: the changes, and the keys they need. A change that takes a right away starts the next
 * epoch with a fresh key wrapped for the owner and everyone who keeps access; a new member gets every
 * epoch's key (so it reads the history and the current state). `keyOf` gives the key of an earlier epoch.
 */
export function relationChange(
  collection: CollectionId, doc: DocId, parents: readonly string[], clock: Clock,
  policy: Policy, changes: readonly RelationChange[], keyOf: (epoch: number) => Uint8Array,
): { body: Body; rotated?: { epoch: number; key: Uint8Array } } {
  const keys: WrappedKeyEntry[] = [];
  const rotate = revokes(policy, changes);
  const epoch = rotate ? policy.epoch + 1 : policy.epoch;
  const fresh = rotate ? newContentKey() : undefined;
  const after = new Map(policy.members);
  for (const [did, rel] of changes) if (rel === 'none') after.delete(did); else after.set(did, rel);
  const keyAt = (e: number): Uint8Array => (fresh && e === epoch ? fresh : keyOf(e));
  for (const [did] of changes) {
    if (!after.has(did) || policy.members.has(did)) continue; // only new members need the old keys
    const pub = publicKeyOfDid(did);
    for (let e = 0; e <= epoch; e++) keys.push([did, e, wrapKey(keyAt(e), pub)]);
  }
  if (fresh) {
    for (const did of [policy.owner, ...after.keys()]) {
      if (keys.some(([d, e]) => d === did && e === epoch)) continue;
      keys.push([did, epoch, wrapKey(fresh, publicKeyOfDid(did))]);
    }
  }
  const body: Body = {
    collection, doc, parents: parents as Body['parents'], clock, relations: changes,
    ...(keys.length ? { keys } : {}),
    ...(rotate ? { epoch } : {}),
  };
  return fresh ? { body, rotated: { epoch, key: fresh } } : { body };
}
