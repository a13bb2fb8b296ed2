import { LRUCache } from 'lru-cache';
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

/** Default number of events {@link MemoryIdempotencyStore} remembers. */
export const DEFAULT_MEMORY_STORE_MAX_EVENTS = 100_000;
/** Default time an idempotency record is kept: 24 h. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** What the store remembers of one event. */
interface EventRecord {
  done: boolean;
  /** The token of the claim's holder, while claimed. */
  token?: string;
  /** When the claim's lease ends (`Date.now()` milliseconds); meaningful only while `token` is set. */
  leaseUntil: number;
  /** The handlers that succeeded while the event was not yet done. */
  handlers?: Set<string>;
}

const CLAIM_DONE: PathorsClaim = { status: 'done' };
const CLAIM_IN_PROGRESS: PathorsClaim = { status: 'in-progress' };
const CLAIMED_FIRST: PathorsClaim = { status: 'claimed', completedHandlers: NO_COMPLETED_HANDLERS };

/**
 * The default {@link PathorsIdempotencyStore}: bounded, with a TTL, in this process only. Right for a single
 * instance; with several replicas (or when a restart must not forget), use `RedisIdempotencyStore`.
 *
 * The records are kept in an `LRUCache` (from `lru-cache`): at `maxEvents` the least recently used record is
 * forgotten first, and a record past its TTL is dropped when looked up. A record's TTL starts when the event is first
 * seen and starts again when it is marked done.
 *
 * @example
 * ```ts
 * PathorsModule.forRoot({ delivery: { store: new MemoryIdempotencyStore({ maxEvents: 10_000 }) } })
 * ```
 */
export class MemoryIdempotencyStore extends PathorsIdempotencyStore {
  private readonly records: LRUCache<string, EventRecord>;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    super();
    const maxEvents = options.maxEvents ?? DEFAULT_MEMORY_STORE_MAX_EVENTS;
    const ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    if (!(Number.isInteger(maxEvents) && maxEvents > 0)) {
      throw new RangeError(`MemoryIdempotencyStore: maxEvents must be a positive integer, got ${maxEvents}`);
    }
    if (!(ttlMs > 0)) {
      throw new RangeError(`MemoryIdempotencyStore: ttlMs must be a positive number, got ${ttlMs}`);
    }
    // lru-cache takes a whole number of milliseconds, and 0 for "no TTL".
    this.records = new LRUCache({ max: maxEvents, ttl: Number.isFinite(ttlMs) ? Math.ceil(ttlMs) : 0 });
  }

  override async claim(key: string, token: string, leaseMs: number): Promise<PathorsClaim> {
    const now = Date.now();
    const record = this.records.get(key);
    if (!record) {
      this.records.set(key, { done: false, token, leaseUntil: now + leaseMs });
      return CLAIMED_FIRST;
    }
    if (record.done) return CLAIM_DONE;
    if (record.token !== undefined && record.leaseUntil > now) return CLAIM_IN_PROGRESS;
    record.token = token;
    record.leaseUntil = now + leaseMs;
    return { status: 'claimed', completedHandlers: record.handlers ?? NO_COMPLETED_HANDLERS };
  }

  override async renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    const record = this.records.get(key);
    if (record?.token !== token) return false;
    record.leaseUntil = Date.now() + leaseMs;
    return true;
  }

  override async recordHandler(key: string, handlerId: string): Promise<void> {
    let record = this.records.get(key);
    if (!record) {
      record = { done: false, leaseUntil: 0 };
      this.records.set(key, record);
    }
    (record.handlers ??= new Set()).add(handlerId);
  }

  override async complete(key: string): Promise<void> {
    // Replacing the record starts its TTL again.
    this.records.set(key, { done: true, leaseUntil: 0 });
  }

  override async release(key: string, token: string): Promise<void> {
    const record = this.records.get(key);
    if (record?.token !== token) return;
    record.token = undefined;
    record.leaseUntil = 0;
  }

  override async areDone(keys: readonly string[]): Promise<boolean[]> {
    return keys.map((key) => this.records.get(key)?.done === true);
  }
}
