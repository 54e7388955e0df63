/** The collections a node knows: looked up by name or ID, and planned from SDL. */
import type { CollectionId } from '../core/ids.js';
import type { CollectionDef } from '../core/schema.js';
import { diffDefs, parseSdl } from '../core/schema.js';
import { collectionIdOf } from '../core/collection-id.js';
import { SchemaConflictError, UnknownCollectionError } from '../core/errors.js';
import type { CollectionRecord } from '../store/types.js';

/** A collection as the API exposes it (not the storage record, though today they hold the same). */
export interface CollectionInfo {
  readonly id: CollectionId;
  readonly name: string;
  readonly def: CollectionDef;
  /** Milliseconds since the epoch when it was added on this node. */
  readonly addedAt: number;
}

/** What adding an SDL text would do. */
export interface SchemaPlan {
  /** Every collection the text describes (existing ones included). */
  readonly result: CollectionInfo[];
  /** The new ones, to store. */
  readonly added: CollectionRecord[];
}

const toInfo = (r: CollectionRecord): CollectionInfo => ({ id: r.id, name: r.name, def: r.def, addedAt: r.addedAt });

/** The known collections, in memory. */
export class CollectionRegistry {
  private readonly byId = new Map<CollectionId, CollectionInfo>();
  private readonly byName = new Map<string, CollectionInfo>();

  /** Adds stored or newly committed collections. */
  remember(records: Iterable<CollectionRecord>): void {
    for (const r of records) {
      const info = toInfo(r);
      this.byId.set(info.id, info);
      this.byName.set(info.name, info);
    }
  }

  /** The definition of a collection ID, if known (what block verification needs). */
  def(id: CollectionId): CollectionDef | undefined {
    return this.byId.get(id)?.def;
  }

  /** All collections, in the order they were added. */
  list(): CollectionInfo[] {
    return [...this.byId.values()].sort((a, b) => a.addedAt - b.addedAt || (a.name < b.name ? -1 : 1));
  }

  /** A collection by name or ID; throws UnknownCollectionError. */
  get(nameOrId: string): CollectionInfo {
    const c = this.byName.get(nameOrId) ?? this.byId.get(nameOrId as CollectionId);
    if (!c) throw new UnknownCollectionError(`unknown collection ${JSON.stringify(nameOrId)}; known: ${[...this.byName.keys()].join(', ') || 'none yet'}`);
    return c;
  }

  /**
   * Plans adding every type of an SDL text: identical types are kept, a different definition under an
   * existing name throws SchemaConflictError (and nothing is added). Throws SchemaParseError on bad SDL.
   */
  plan(sdl: string, now: number): SchemaPlan {
    const result: CollectionInfo[] = [];
    const added: CollectionRecord[] = [];
    for (const def of parseSdl(sdl)) {
      const id = collectionIdOf(def);
      const existing = this.byName.get(def.name);
      if (existing) {
        if (existing.id !== id) throw new SchemaConflictError(def.name, diffDefs(existing.def, def));
        result.push(existing);
        continue;
      }
      const rec: CollectionRecord = { id, name: def.name, def, addedAt: now };
      added.push(rec);
      result.push(toInfo(rec));
    }
    return { result, added };
  }
}
