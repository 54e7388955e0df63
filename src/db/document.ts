/** The document as the API and UI see it. */
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import type { FieldValue } from '../core/values.js';
import { compareStamp, stateValues, type Stamp } from '../core/merge.js';
import type { DocRecord } from '../store/types.js';
import type { AccessInfo } from '../core/policy.js';

/** A document's current values. */
export interface Document {
  readonly id: DocId;
  readonly collection: CollectionId;
  /** Set fields only; unset fields are absent. */
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly deleted: boolean;
  /** Wall-clock ms of the creating block. */
  readonly createdAt: number;
  /** The creating block's stamp, which orders documents by creation (clock, then CID). */
  readonly created: Stamp | null;
  /** Wall-clock ms of the newest write that shows. */
  readonly updatedAt: number;
  readonly heads: readonly BlockCid[];
  /** Private documents only: owner, members, key epoch, and whether this node can read it. */
  readonly access?: AccessInfo;
}

/** The API view of a stored record. */
export function toDocument(rec: DocRecord): Document {
  let updatedAt = rec.state.created?.clock[0] ?? 0;
  for (const reg of Object.values(rec.state.fields)) updatedAt = Math.max(updatedAt, reg.clock[0]);
  if (rec.state.deleted) updatedAt = Math.max(updatedAt, rec.state.deleted.clock[0]);
  return {
    id: rec.id,
    collection: rec.collection,
    fields: stateValues(rec.state),
    deleted: rec.state.deleted !== null,
    createdAt: rec.state.created?.clock[0] ?? 0,
    created: rec.state.created,
    updatedAt,
    heads: rec.heads,
    ...(rec.state.access ? { access: rec.state.access } : {}),
  };
}

/** Orders documents by creation: creating stamp (clock, then CID), then DocID. */
export function compareCreated(a: Document, b: Document): number {
  if (a.created && b.created) {
    const c = compareStamp(a.created, b.created);
    if (c) return c;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
