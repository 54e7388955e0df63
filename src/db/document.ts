/** The document as the API and UI see it. */
import type { BlockCid, CollectionId, DocId } from '../core/ids.js';
import type { FieldValue } from '../core/values.js';
import { stateValues } from '../core/merge.js';
import type { DocRecord } from '../store/types.js';

/** A document's current values. */
export interface Document {
  readonly id: DocId;
  readonly collection: CollectionId;
  /** Set fields only; unset fields are absent. */
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly deleted: boolean;
  /** Wall-clock ms of the creating block. */
  readonly createdAt: number;
  /** Wall-clock ms of the newest write that shows. */
  readonly updatedAt: number;
  readonly heads: readonly BlockCid[];
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
    updatedAt,
    heads: rec.heads,
  };
}
