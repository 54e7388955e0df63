/** Comparing a peer's collection definitions with ours. Pure. */
import { collectionIdOf } from '../core/collection-id.js';
import type { CollectionId } from '../core/ids.js';
import { diffDefs, formatFieldType, type CollectionDef } from '../core/schema.js';
import type { CollectionInfo } from '../db/database.js';

/** A same-name collection whose fields differ, and how. */
export interface Mismatch {
  readonly collection: string;
  readonly localId: CollectionId;
  readonly remoteId: CollectionId;
  readonly fields: string[];
  readonly differences: string[];
}

/** The names of the fields that differ between two definitions. */
export function differingFields(a: CollectionDef, b: CollectionDef): string[] {
  const fa = new Map(a.fields.map((f) => [f.name, formatFieldType(f)]));
  const fb = new Map(b.fields.map((f) => [f.name, formatFieldType(f)]));
  const names = new Set([...fa.keys(), ...fb.keys()]);
  return [...names].filter((n) => fa.get(n) !== fb.get(n)).sort();
}

/** The peer's collections that share a name with one of ours but have another ID (computed from the definition). */
export function findMismatches(local: readonly CollectionInfo[], remote: readonly CollectionDef[]): Mismatch[] {
  const byName = new Map(local.map((c) => [c.name, c]));
  const out: Mismatch[] = [];
  for (const def of remote) {
    const mine = byName.get(def.name);
    if (!mine) continue;
    const remoteId = collectionIdOf(def);
    if (remoteId === mine.id) continue;
    out.push({ collection: def.name, localId: mine.id, remoteId, fields: differingFields(mine.def, def), differences: diffDefs(mine.def, def) });
  }
  return out;
}
