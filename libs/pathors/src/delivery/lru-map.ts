/**
 * A map of at most `max` entries that forgets the least recently used one first: a `Map` from key to slot, and the
 * slots in a doubly linked list of recency kept in plain arrays, so every operation is O(1) and allocates nothing once
 * the slots exist. Reading an entry makes it the most recently used. Internal to the in-memory idempotency store.
 */
export class LruMap<V> {
  private readonly slots = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly values: Array<V | undefined> = [];
  /** Per slot, the next slot toward the most recently used end (-1 at that end). */
  private readonly newer: number[] = [];
  /** Per slot, the next slot toward the least recently used end (-1 at that end). */
  private readonly older: number[] = [];
  private readonly freeSlots: number[] = [];
  private newest = -1;
  private oldest = -1;

  constructor(private readonly max: number) {}

  /** Number of entries. */
  get size(): number {
    return this.slots.size;
  }

  /** The value of `key`, which becomes the most recently used entry. */
  get(key: string): V | undefined {
    // The entry just stored or read is the one most often asked for next (a claim, then its completion).
    if (this.newest !== -1 && this.keys[this.newest] === key) return this.values[this.newest];
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.touch(slot);
    return this.values[slot];
  }

  /** Sets `key` as the most recently used entry, forgetting the least recently used one when full. */
  set(key: string, value: V): void {
    const slot = this.slots.get(key);
    if (slot === undefined) {
      this.add(key, value);
      return;
    }
    this.values[slot] = value;
    this.touch(slot);
  }

  /** Adds `key`, which the caller knows is absent (it just looked it up), as the most recently used entry. */
  add(key: string, value: V): void {
    let slot: number;
    if (this.slots.size >= this.max) {
      slot = this.oldest;
      this.slots.delete(this.keys[slot]!);
      this.unlink(slot);
    } else {
      slot = this.freeSlots.pop() ?? this.keys.length;
    }
    this.keys[slot] = key;
    this.values[slot] = value;
    this.slots.set(key, slot);
    this.linkNewest(slot);
  }

  /** Forgets `key`. */
  delete(key: string): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    this.unlink(slot);
    this.keys[slot] = '';
    this.values[slot] = undefined;
    this.freeSlots.push(slot);
  }

  private touch(slot: number): void {
    if (slot === this.newest) return;
    this.unlink(slot);
    this.linkNewest(slot);
  }

  private unlink(slot: number): void {
    const older = this.older[slot]!;
    const newer = this.newer[slot]!;
    if (older === -1) this.oldest = newer;
    else this.newer[older] = newer;
    if (newer === -1) this.newest = older;
    else this.older[newer] = older;
  }

  private linkNewest(slot: number): void {
    this.older[slot] = this.newest;
    this.newer[slot] = -1;
    if (this.newest === -1) this.oldest = slot;
    else this.newer[this.newest] = slot;
    this.newest = slot;
  }
}
