/**
 * What {@link PathorsIdempotencyStore.claim} found for an event:
 * - `claimed`: this caller now runs the event; `completedHandlers` already succeeded on an earlier delivery.
 * - `in-progress`: another request or replica holds the claim (its lease has not expired).
 * - `done`: every handler succeeded on an earlier delivery.
 */
export type PathorsClaim =
  | { readonly status: 'claimed'; readonly completedHandlers: ReadonlySet<string> }
  | { readonly status: 'in-progress' }
  | { readonly status: 'done' };

/**
 * Where the module records which events (and which of their handlers) already succeeded, so that each handler
 * succeeds exactly once per event across redeliveries, concurrent duplicates and replicas.
 *
 * An event moves through: unclaimed → claimed (a lease held by one caller, identified by a token) → done. While
 * claimed, each handler that succeeds is recorded; if the run fails the claim is released and the next delivery
 * claims it again, skipping the recorded handlers. A claim whose holder died expires with its lease.
 *
 * Two implementations ship: {@link MemoryIdempotencyStore} (the default; one process) and `RedisIdempotencyStore`
 * from `nestjs-pathors/redis` (several replicas). Extend this class to keep the records elsewhere.
 *
 * Every method returns a promise, whether the records are kept in process memory or on a server: write them as
 * `async` methods.
 *
 * @example
 * ```ts
 * PathorsModule.forRoot({ delivery: { store: new RedisIdempotencyStore(redis, { keyPrefix: 'myapp:pathors:' }) } })
 * ```
 */
export abstract class PathorsIdempotencyStore {
  /**
   * Atomically claims `key` for `token` for `leaseMs`, unless it is done or validly claimed by another token.
   */
  abstract claim(key: string, token: string, leaseMs: number): Promise<PathorsClaim>;

  /** Extends the lease of a claim `token` still holds; returns `false` when the claim was lost. */
  abstract renew(key: string, token: string, leaseMs: number): Promise<boolean>;

  /** Records that `handlerId` succeeded for `key`, so a redelivery does not run it again. */
  abstract recordHandler(key: string, handlerId: string): Promise<void>;

  /** Marks `key` done: every handler succeeded. Later deliveries of the event are answered as duplicates. */
  abstract complete(key: string): Promise<void>;

  /** Gives up the claim `token` holds (a handler failed), keeping the handler records for the next delivery. */
  abstract release(key: string, token: string): Promise<void>;

  /** Whether each key is done, in order. */
  abstract areDone(keys: readonly string[]): Promise<boolean[]>;

  /**
   * Resolves when the store can be reached, rejects with the reason otherwise: what `PathorsHealthIndicator`'s
   * `isStoreHealthy()` reports. This default (a store in process memory) always resolves.
   */
  ping(): Promise<void> {
    return Promise.resolve();
  }
}

/** The `completedHandlers` of a first delivery; shared, never mutated. */
export const NO_COMPLETED_HANDLERS: ReadonlySet<string> = new Set<string>();
