/**
 * In-memory collections with a stated bound: the bot keeps nothing in memory that grows with the number
 * of users, conversations or requests it has ever seen.
 */

/** A set of at most `max` keys; adding one more forgets the least recently added or touched. */
export class BoundedSet<K> {
  private readonly keys = new Map<K, true>();

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError('BoundedSet needs room for at least one key');
  }

  get size(): number {
    return this.keys.size;
  }

  has(key: K): boolean {
    return this.keys.has(key);
  }

  /** True when the key was not there (it is now, as the newest). */
  add(key: K): boolean {
    const fresh = !this.keys.delete(key);
    this.keys.set(key, true);
    if (this.keys.size > this.max) this.keys.delete(this.keys.keys().next().value as K);
    return fresh;
  }
}

/** A map of at most `max` entries; setting one more forgets the least recently set. */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError('BoundedMap needs room for at least one entry');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** Removes every entry `stale` says is stale; oldest first. */
  prune(stale: (value: V, key: K) => boolean): void {
    for (const [key, value] of this.entries) if (stale(value, key)) this.entries.delete(key);
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }
}
