/** A bounded least-recently-used map (write-through caches of the engine and the store, each its data's only writer). */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  /** The value, refreshed as most recently used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** True when cached (does not refresh). */
  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Forgets a key. */
  delete(key: K): void {
    this.map.delete(key);
  }

  /** Empties the map. */
  clear(): void {
    this.map.clear();
  }

  /** Caches a value, evicting the least recently used beyond capacity. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
}
