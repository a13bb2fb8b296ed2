import { LruSlots, widenedColumn } from './lru-slots.js';
import {
  NO_COMPLETED_HANDLERS,
  PathorsIdempotencyStore,
  type PathorsClaim,
} from './pathors-idempotency.store.js';

/** Options of {@link MemoryIdempotencyStore}. */
export interface MemoryIdempotencyStoreOptions {
  /**
   * Most events remembered; the least recently used is forgotten first (a forgotten event would run again if
   * redelivered).
   * @default 100000
   */
  maxEvents?: number;
  /**
   * How long a record is kept, in milliseconds. Pathors' platform dialect retries for up to 24 h.
   * @default 86400000 (24 h)
   */
  ttlMs?: number;
}

const CLAIM_DONE: PathorsClaim = { status: 'done' };
const CLAIM_IN_PROGRESS: PathorsClaim = { status: 'in-progress' };
const CLAIMED_FIRST: PathorsClaim = { status: 'claimed', completedHandlers: NO_COMPLETED_HANDLERS };

/** Default number of events {@link MemoryIdempotencyStore} remembers. */
export const DEFAULT_MEMORY_STORE_MAX_EVENTS = 100_000;
/** Default time an idempotency record is kept: 24 h. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The default {@link PathorsIdempotencyStore}: bounded, with a TTL, in this process only. Right for a single
 * instance; with several replicas (or when a restart must not forget), use `RedisIdempotencyStore`.
 *
 * At `maxEvents` the least recently used record is forgotten first; a record past its TTL is dropped when looked up.
 * O(1) per operation. Records are kept in columns (typed arrays for the flags and times), not as an object per event.
 *
 * @example
 * ```ts
 * PathorsModule.forRoot({ delivery: { store: new MemoryIdempotencyStore({ maxEvents: 10_000 }) } })
 * ```
 */
export class MemoryIdempotencyStore extends PathorsIdempotencyStore {
  private readonly slots: LruSlots;
  private readonly maxEvents: number;
  private readonly ttlMs: number;
  // One record per slot of `slots`, in columns: the numbers in typed arrays, which hold no object for the garbage
  // collector to copy or trace, and a token or handler set only while an event is in progress or partly handled.
  private done = new Uint8Array(0);
  private leaseUntil = new Float64Array(0);
  private expiresAt = new Float64Array(0);
  private readonly tokens: Array<string | undefined> = [];
  private readonly handlers: Array<Set<string> | undefined> = [];

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    super();
    this.maxEvents = options.maxEvents ?? DEFAULT_MEMORY_STORE_MAX_EVENTS;
    this.ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    if (!(Number.isInteger(this.maxEvents) && this.maxEvents > 0)) {
      throw new RangeError(
        `MemoryIdempotencyStore: maxEvents must be a positive integer, got ${this.maxEvents}`,
      );
    }
    if (!(this.ttlMs > 0)) {
      throw new RangeError(`MemoryIdempotencyStore: ttlMs must be a positive number, got ${this.ttlMs}`);
    }
    this.slots = new LruSlots(this.maxEvents);
  }

  override async claim(key: string, token: string, leaseMs: number): Promise<PathorsClaim> {
    const now = Date.now();
    let slot = this.live(key, now);
    if (slot === -1) {
      slot = this.insert(key, now);
      this.tokens[slot] = token;
      this.leaseUntil[slot] = now + leaseMs;
      return CLAIMED_FIRST;
    }
    if (this.done[slot] === 1) return CLAIM_DONE;
    if (this.tokens[slot] !== undefined && this.leaseUntil[slot]! > now) return CLAIM_IN_PROGRESS;
    this.tokens[slot] = token;
    this.leaseUntil[slot] = now + leaseMs;
    return { status: 'claimed', completedHandlers: this.handlers[slot] ?? NO_COMPLETED_HANDLERS };
  }

  override async renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const slot = this.live(key, now);
    if (slot === -1 || this.tokens[slot] !== token) return false;
    this.leaseUntil[slot] = now + leaseMs;
    return true;
  }

  override async recordHandler(key: string, handlerId: string): Promise<void> {
    const now = Date.now();
    let slot = this.live(key, now);
    if (slot === -1) slot = this.insert(key, now);
    (this.handlers[slot] ??= new Set()).add(handlerId);
  }

  override async complete(key: string): Promise<void> {
    const now = Date.now();
    let slot = this.live(key, now);
    if (slot === -1) slot = this.insert(key, now);
    this.done[slot] = 1;
    this.tokens[slot] = undefined;
    this.leaseUntil[slot] = 0;
    this.handlers[slot] = undefined;
    // Completion restarts the TTL.
    this.expiresAt[slot] = now + this.ttlMs;
  }

  override async release(key: string, token: string): Promise<void> {
    const slot = this.live(key, Date.now());
    if (slot === -1 || this.tokens[slot] !== token) return;
    this.tokens[slot] = undefined;
    this.leaseUntil[slot] = 0;
  }

  override async areDone(keys: readonly string[]): Promise<boolean[]> {
    const now = Date.now();
    return keys.map((key) => {
      const slot = this.live(key, now);
      return slot !== -1 && this.done[slot] === 1;
    });
  }

  /** The slot of `key`'s record (now the most recently used), unless it expired: then it is dropped. -1 if none. */
  private live(key: string, now: number): number {
    const slot = this.slots.find(key);
    if (slot === -1 || this.expiresAt[slot]! > now) return slot;
    this.slots.remove(slot);
    this.clear(slot);
    return -1;
  }

  /** A new record for `key`, just found absent (or expired): not done, not claimed, with a fresh TTL. */
  private insert(key: string, now: number): number {
    const slot = this.slots.insert(key);
    if (slot >= this.expiresAt.length) {
      this.done = widenedColumn(this.done, slot + 1, this.maxEvents);
      this.leaseUntil = widenedColumn(this.leaseUntil, slot + 1, this.maxEvents);
      this.expiresAt = widenedColumn(this.expiresAt, slot + 1, this.maxEvents);
    }
    this.clear(slot);
    this.expiresAt[slot] = now + this.ttlMs;
    return slot;
  }

  private clear(slot: number): void {
    this.done[slot] = 0;
    this.tokens[slot] = undefined;
    this.leaseUntil[slot] = 0;
    this.handlers[slot] = undefined;
    this.expiresAt[slot] = 0;
  }
}
