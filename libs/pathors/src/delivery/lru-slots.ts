/**
 * At most `max` string keys, each holding a slot number (0 to `max` - 1) that indexes the caller's own columns of
 * values; when full, the least recently used key is forgotten first and its slot reused. A `Map` from key to slot,
 * and the recency of the slots in a doubly linked list kept in plain arrays of small integers: every operation is
 * O(1) and allocates nothing once the slots exist. Finding a key makes it the most recently used. Internal to the
 * in-memory idempotency store.
 */
export class LruSlots {
  private readonly slots = new Map<string, number>();
  private readonly keys: string[] = [];
  /** Per slot, the next slot toward the most recently used end (-1 at that end). */
  private readonly newer: number[] = [];
  /** Per slot, the next slot toward the least recently used end (-1 at that end). */
  private readonly older: number[] = [];
  private readonly freeSlots: number[] = [];
  private newest = -1;
  private oldest = -1;

  constructor(private readonly max: number) {}

  /** Number of keys. */
  get size(): number {
    return this.slots.size;
  }

  /** The slot of `key` (now the most recently used), or -1. */
  find(key: string): number {
    // The key just inserted or found is the one most often asked for next (a claim, then its completion).
    if (this.newest !== -1 && this.keys[this.newest] === key) return this.newest;
    const slot = this.slots.get(key);
    if (slot === undefined) return -1;
    this.touch(slot);
    return slot;
  }

  /**
   * Adds `key`, which the caller knows is absent (it just looked for it), as the most recently used, and returns its
   * slot: a fresh one, or when full the least recently used key's, which is forgotten. The caller overwrites the
   * slot's values.
   */
  insert(key: string): number {
    let slot: number;
    if (this.slots.size >= this.max) {
      slot = this.oldest;
      this.slots.delete(this.keys[slot]!);
      this.unlink(slot);
    } else {
      slot = this.freeSlots.pop() ?? this.keys.length;
    }
    this.keys[slot] = key;
    this.slots.set(key, slot);
    this.linkNewest(slot);
    return slot;
  }

  /** Forgets the key of `slot`, a slot {@link find} or {@link insert} just returned. */
  remove(slot: number): void {
    this.slots.delete(this.keys[slot]!);
    this.unlink(slot);
    this.keys[slot] = '';
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
