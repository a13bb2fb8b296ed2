import { LruMap } from './lru-map.js';
import type { MaybePromise } from './steps.util.js';
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

interface EventRecord {
  done: boolean;
  token: string | undefined;
  leaseUntil: number;
  handlers: Set<string> | undefined;
  expiresAt: number;
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
 * O(1) per operation; every method answers at once, with no promise (a subclass may return promises).
 *
 * @example
 * ```ts
 * PathorsModule.forRoot({ delivery: { store: new MemoryIdempotencyStore({ maxEvents: 10_000 }) } })
 * ```
 */
export class MemoryIdempotencyStore extends PathorsIdempotencyStore {
  private readonly records: LruMap<EventRecord>;
  private readonly maxEvents: number;
  private readonly ttlMs: number;

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
    this.records = new LruMap(this.maxEvents);
  }

  override claim(key: string, token: string, leaseMs: number): MaybePromise<PathorsClaim> {
    const now = Date.now();
    const record = this.live(key, now);
    if (record === undefined) {
      this.insert(
        key,
        { done: false, token, leaseUntil: now + leaseMs, handlers: undefined, expiresAt: 0 },
        now,
      );
      return CLAIMED_FIRST;
    }
    if (record.done) return CLAIM_DONE;
    if (record.token !== undefined && record.leaseUntil > now) return CLAIM_IN_PROGRESS;
    record.token = token;
    record.leaseUntil = now + leaseMs;
    return { status: 'claimed', completedHandlers: record.handlers ?? NO_COMPLETED_HANDLERS };
  }

  override renew(key: string, token: string, leaseMs: number): MaybePromise<boolean> {
    const now = Date.now();
    const record = this.live(key, now);
    if (record?.token !== token) return false;
    record.leaseUntil = now + leaseMs;
    return true;
  }

  override recordHandler(key: string, handlerId: string): MaybePromise<void> {
    const now = Date.now();
    const record = this.live(key, now);
    if (record) (record.handlers ??= new Set()).add(handlerId);
    else {
      const handlers = new Set([handlerId]);
      this.insert(key, { done: false, token: undefined, leaseUntil: 0, handlers, expiresAt: 0 }, now);
    }
  }

  override complete(key: string): MaybePromise<void> {
    const now = Date.now();
    const record = this.live(key, now);
    if (!record) {
      this.insert(
        key,
        { done: true, token: undefined, leaseUntil: 0, handlers: undefined, expiresAt: 0 },
        now,
      );
      return;
    }
    // Completion restarts the TTL.
    record.done = true;
    record.token = undefined;
    record.leaseUntil = 0;
    record.handlers = undefined;
    record.expiresAt = now + this.ttlMs;
  }

  override release(key: string, token: string): MaybePromise<void> {
    const record = this.live(key, Date.now());
    if (record?.token !== token) return;
    record.token = undefined;
    record.leaseUntil = 0;
  }

  override areDone(keys: readonly string[]): MaybePromise<boolean[]> {
    const now = Date.now();
    return keys.map((key) => this.live(key, now)?.done === true);
  }

  /** The record of `key` (now the most recently used), unless it expired: then it is dropped. */
  private live(key: string, now: number): EventRecord | undefined {
    const record = this.records.get(key);
    if (record === undefined || record.expiresAt > now) return record;
    this.records.delete(key);
    return undefined;
  }

  /** Stores a new record for `key`, just found absent (or expired), with a fresh TTL, as the most recently used. */
  private insert(key: string, record: EventRecord, now: number): void {
    record.expiresAt = now + this.ttlMs;
    this.records.add(key, record);
  }
}
