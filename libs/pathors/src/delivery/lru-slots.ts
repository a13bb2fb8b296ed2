/**
 * A per-slot typed array widened to hold at least `length` slots: doubled, at least 1,024, at most `max`; the values
 * are kept. Shared by the slots' own column and the in-memory store's.
 */
export function widenedColumn<T extends Uint8Array | Int32Array | Float64Array>(
  column: T,
  length: number,
  max: number,
): T {
  const widened = new (column.constructor as new (size: number) => T)(
    Math.min(max, Math.max(length, 1024, column.length * 2)),
  );
  widened.set(column);
  return widened;
}

const EMPTY = 0;
const MIN_CELLS = 16;

/**
 * At most `max` string keys, each holding a slot number (0 to `max` - 1) that indexes the caller's own columns of
 * values; when full, the least recently used key is forgotten first and its slot reused. Finding a key makes it the
 * most recently used. Every operation is O(1) and allocates nothing once the slots exist. Internal to the in-memory
 * idempotency store.
 *
 * Keys are found through an open-addressing index of their 32-bit hashes (linear probing, at most half full,
 * deletions shift entries back): with up to 100,000 keys the index is far larger than the CPU caches, and a `Map`
 * lookup reads its bucket, then every key of the chain to compare it. Here a lookup reads one index cell and the
 * slot's stored hash, and compares a key only when the hashes match. The hash is seeded per instance.
 */
export class LruSlots {
  private readonly keys: string[] = [];
  /** Per slot, the hash of its key. */
  private hashes = new Int32Array(0);
  /** Per slot, the next slot toward the most recently used end (-1 at that end). */
  private readonly newer: number[] = [];
  /** Per slot, the next slot toward the least recently used end (-1 at that end). */
  private readonly older: number[] = [];
  private readonly freeSlots: number[] = [];
  /** The index: per cell, a slot + 1, or {@link EMPTY}. */
  private cells = new Int32Array(MIN_CELLS);
  private mask = MIN_CELLS - 1;
  private count = 0;
  private newest = -1;
  private oldest = -1;
  private readonly seed = (Math.random() * 2 ** 32) | 0;
  /** The key the last {@link find} did not find, and its hash, which {@link insert} then needs again. */
  private missedKey: string | undefined;
  private missedHash = 0;

  /** `hash` replaces the seeded hash (tests use a colliding one, so that keys are told apart by their contents). */
  constructor(
    private readonly max: number,
    hash?: (key: string) => number,
  ) {
    if (hash) this.hashOf = hash;
  }

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** The slot of `key` (now the most recently used), or -1. */
  find(key: string): number {
    // The key just inserted or found is the one most often asked for next (a claim, then its completion).
    if (this.newest !== -1 && this.keys[this.newest] === key) return this.newest;
    const hash = this.hashOf(key);
    for (let cell = hash & this.mask; ; cell = (cell + 1) & this.mask) {
      const entry = this.cells[cell]!;
      if (entry === EMPTY) break;
      const slot = entry - 1;
      if (this.hashes[slot] === hash && this.keys[slot] === key) {
        this.touch(slot);
        return slot;
      }
    }
    this.missedKey = key;
    this.missedHash = hash;
    return -1;
  }

  /**
   * Adds `key`, which the caller knows is absent (it just looked for it), as the most recently used, and returns its
   * slot: a fresh one, or when full the least recently used key's, which is forgotten. The caller overwrites the
   * slot's values.
   */
  insert(key: string): number {
    const hash = key === this.missedKey ? this.missedHash : this.hashOf(key);
    this.missedKey = undefined;
    let slot: number;
    if (this.count >= this.max) {
      slot = this.oldest;
      this.unindex(slot);
      this.unlink(slot);
    } else {
      slot = this.freeSlots.pop() ?? this.keys.length;
      if (slot >= this.hashes.length) this.hashes = widenedColumn(this.hashes, slot + 1, this.max);
      this.count++;
      if (this.count * 2 > this.cells.length) this.reindex(this.cells.length * 2);
    }
    this.keys[slot] = key;
    this.hashes[slot] = hash;
    this.index(slot, hash);
    this.linkNewest(slot);
    return slot;
  }

  /** Forgets the key of `slot`, a slot {@link find} or {@link insert} just returned. */
  remove(slot: number): void {
    this.unindex(slot);
    this.unlink(slot);
    this.keys[slot] = '';
    this.freeSlots.push(slot);
    this.count--;
  }

  /** FNV-1a over the UTF-16 code units from the instance's seed, then MurmurHash3's finaliser for the low bits. */
  private hashOf(key: string): number {
    let hash = this.seed ^ 0x811c9dc5;
    for (let index = 0; index < key.length; index++)
      hash = Math.imul(hash ^ key.charCodeAt(index), 0x01000193);
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    return hash ^ (hash >>> 16);
  }

  private index(slot: number, hash: number): void {
    let cell = hash & this.mask;
    while (this.cells[cell] !== EMPTY) cell = (cell + 1) & this.mask;
    this.cells[cell] = slot + 1;
  }

  /** Takes `slot` out of the index, shifting back the entries after it that probed past it. */
  private unindex(slot: number): void {
    const { cells, mask } = this;
    let hole = this.hashes[slot]! & mask;
    while (cells[hole] !== slot + 1) hole = (hole + 1) & mask;
    for (let next = (hole + 1) & mask; cells[next] !== EMPTY; next = (next + 1) & mask) {
      const home = this.hashes[cells[next]! - 1]! & mask;
      // The entry at `next` may move back into the hole unless its home lies after the hole (cyclically).
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        cells[hole] = cells[next]!;
        hole = next;
      }
    }
    cells[hole] = EMPTY;
  }

  private reindex(cellCount: number): void {
    this.cells = new Int32Array(cellCount);
    this.mask = cellCount - 1;
    for (let slot = this.newest; slot !== -1; slot = this.older[slot]!) this.index(slot, this.hashes[slot]!);
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
