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

interface EventRecord {
  done: boolean;
  token?: string;
  leaseUntil: number;
  handlers?: Set<string>;
}

const CLAIM_DONE: PathorsClaim = { status: 'done' };
const CLAIM_IN_PROGRESS: PathorsClaim = { status: 'in-progress' };

/** Default number of events {@link MemoryIdempotencyStore} remembers. */
export const DEFAULT_MEMORY_STORE_MAX_EVENTS = 100_000;
/** Default time an idempotency record is kept: 24 h. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The default {@link PathorsIdempotencyStore}: a bounded LRU with a TTL, in this process only. Right for a single
 * instance; with several replicas (or when a restart must not forget), use `RedisIdempotencyStore`.
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
    this.records = new LRUCache<string, EventRecord>({
      max: options.maxEvents ?? DEFAULT_MEMORY_STORE_MAX_EVENTS,
      ttl: options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS,
    });
  }

  override async claim(key: string, token: string, leaseMs: number): Promise<PathorsClaim> {
    const now = Date.now();
    const record = this.records.get(key);
    if (record?.done) return CLAIM_DONE;
    if (record?.token !== undefined && record.leaseUntil > now) return CLAIM_IN_PROGRESS;
    if (record) {
      record.token = token;
      record.leaseUntil = now + leaseMs;
      return { status: 'claimed', completedHandlers: record.handlers ?? NO_COMPLETED_HANDLERS };
    }
    this.records.set(key, { done: false, token, leaseUntil: now + leaseMs });
    return { status: 'claimed', completedHandlers: NO_COMPLETED_HANDLERS };
  }

  override async renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    const record = this.records.get(key);
    if (record?.token !== token) return false;
    record.leaseUntil = Date.now() + leaseMs;
    return true;
  }

  override async recordHandler(key: string, handlerId: string): Promise<void> {
    const record = this.records.get(key);
    if (!record) this.records.set(key, { done: false, leaseUntil: 0, handlers: new Set([handlerId]) });
    else (record.handlers ??= new Set()).add(handlerId);
  }

  override async complete(key: string): Promise<void> {
    // A fresh entry also restarts the TTL from completion.
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
