/**
 * A Map that keeps at most `capacity` entries and, when full, forgets the one used least recently
 * (a `get` that finds a key or a `set` counts as a use). For the small in-process caches of one
 * instance; nothing in it is shared across instances.
 */
export class RecentMap<K, V> {
  private readonly entries = new Map<K, V>();
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    // Re-inserted, so the Map's insertion order stays least recently used first.
    if (value !== undefined) this.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
