/** The set of subscribed collections, resolved from user-given names and persisted through the settings port. */
import { UnknownCollectionError } from '../core/errors.js';
import type { CollectionId } from '../core/ids.js';
import type { CollectionInfo } from '../db/database.js';
import type { ReplicaPort, SettingsPort } from './ports.js';

const META_KEY = 'sync-subscriptions';

/** Splits `"User, Post"` or `['User', 'Post,Tag']` into unique trimmed names. */
export function parseCollectionNames(input: string | readonly string[]): string[] {
  const parts = (typeof input === 'string' ? [input] : [...input]).flatMap((s) => (typeof s === 'string' ? s.split(',') : []));
  return [...new Set(parts.map((s) => s.trim()).filter((s) => s !== ''))];
}

/** Subscribed collection IDs, kept in the store so they survive restarts. */
export class SubscriptionSet {
  private ids = new Set<CollectionId>();

  constructor(private readonly db: ReplicaPort, private readonly settings: SettingsPort) {}

  /** Loads the persisted subscriptions (dropping any collection no longer known). */
  async load(): Promise<CollectionInfo[]> {
    const saved = await this.settings.get<unknown>(META_KEY);
    this.ids.clear();
    const known = new Set(this.db.collections().map((c) => c.id));
    if (Array.isArray(saved)) for (const id of saved) if (known.has(id as CollectionId)) this.ids.add(id as CollectionId);
    return this.list();
  }

  /**
   * Resolves names (or IDs) to collections. Throws UnknownCollectionError naming every unknown one
   * (and an empty list), so a caller can refuse the whole request.
   */
  resolve(input: string | readonly string[]): CollectionInfo[] {
    const names = parseCollectionNames(input);
    if (names.length === 0) throw new UnknownCollectionError('no collection named: give one or more names, e.g. User or User,Post');
    const found: CollectionInfo[] = [];
    const unknown: string[] = [];
    for (const name of names) {
      try {
        found.push(this.db.collection(name));
      } catch (err) {
        if (!(err instanceof UnknownCollectionError)) throw err;
        unknown.push(name);
      }
    }
    if (unknown.length) {
      const known = this.db.collections().map((c) => c.name).join(', ') || 'none yet';
      throw new UnknownCollectionError(`unknown collection${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n)).join(', ')}; nothing was subscribed (known: ${known})`);
    }
    return [...new Map(found.map((c) => [c.id, c])).values()];
  }

  /** Adds collections; returns those that were not subscribed before. */
  async add(cols: readonly CollectionInfo[]): Promise<CollectionInfo[]> {
    const fresh = cols.filter((c) => !this.ids.has(c.id));
    if (!fresh.length) return [];
    await this.save(new Set([...this.ids, ...fresh.map((c) => c.id)]));
    return fresh;
  }

  /** Removes collections; returns those that were subscribed. */
  async remove(cols: readonly CollectionInfo[]): Promise<CollectionInfo[]> {
    const gone = cols.filter((c) => this.ids.has(c.id));
    if (!gone.length) return [];
    const drop = new Set(gone.map((c) => c.id));
    await this.save(new Set([...this.ids].filter((id) => !drop.has(id))));
    return gone;
  }

  /** True when the collection ID is subscribed. */
  has(id: string): boolean {
    return this.ids.has(id as CollectionId);
  }

  /** The subscribed collections, in the order the database lists them. */
  list(): CollectionInfo[] {
    return this.db.collections().filter((c) => this.ids.has(c.id));
  }

  /** Persists first, then takes the new set: a failed write changes nothing. */
  private async save(next: Set<CollectionId>): Promise<void> {
    await this.settings.put(META_KEY, [...next]);
    this.ids = next;
  }
}
