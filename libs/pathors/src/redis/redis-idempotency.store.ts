import type { Cluster, Redis } from 'ioredis';
import { DEFAULT_IDEMPOTENCY_TTL_MS } from '../delivery/memory-idempotency.store.js';
import { withCommandTimeout } from '../delivery/race-timeout.util.js';
import {
  NO_COMPLETED_HANDLERS,
  PathorsIdempotencyStore,
  type PathorsClaim,
} from '../delivery/pathors-idempotency.store.js';

/** Options of {@link RedisIdempotencyStore}. */
export interface RedisIdempotencyStoreOptions {
  /**
   * Prefix of every key the store writes. Give each app (and each test run) its own.
   * @default 'pathors:idempotency:'
   * @example 'billing-api:pathors:'
   */
  keyPrefix?: string;
  /**
   * How long the record of a done event (and the handler records of an unfinished one) is kept, in milliseconds.
   * At least 24 h: Pathors' platform dialect retries a delivery for up to 24 h.
   * @default 86400000 (24 h)
   */
  ttlMs?: number;
  /**
   * Longest wait for one Redis command, in milliseconds. A command that does not answer in time (Redis unreachable,
   * paused or blocked by a slow command) rejects, and the webhook answers 503 with `Retry-After` instead of holding
   * the request: keep it well below `delivery.answerBudgetMs`.
   * @default 1000
   */
  commandTimeoutMs?: number;
}

/** Default key prefix of {@link RedisIdempotencyStore}. */
export const DEFAULT_REDIS_IDEMPOTENCY_PREFIX = 'pathors:idempotency:';
const MIN_TTL_MS = 24 * 60 * 60 * 1000;
/** Default {@link RedisIdempotencyStoreOptions.commandTimeoutMs}. */
const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

const CLAIM_DONE: PathorsClaim = { status: 'done' };
const CLAIM_IN_PROGRESS: PathorsClaim = { status: 'in-progress' };

/**
 * The store's Lua scripts, as ioredis custom commands (`defineCommand`: EVALSHA, loading the script again after a
 * NOSCRIPT). The state key holds `c:<token>` while claimed (expiring with the lease) and `done` when done; the
 * handlers key is the set of the handler ids that succeeded. Both keys of an event share a hash tag.
 */
const COMMANDS = {
  /** KEYS: state, handlers. ARGV: holder, lease ms. Replies `done`, `busy`, or `claimed` then the handler ids. */
  pathorsIdempotencyClaim: {
    numberOfKeys: 2,
    lua: `local s = redis.call('GET', KEYS[1])
if s == 'done' then return {'done'} end
if s then return {'busy'} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local r = redis.call('SMEMBERS', KEYS[2])
table.insert(r, 1, 'claimed')
return r`,
  },
  /** KEYS: state. ARGV: holder, lease ms. Replies 1 when the holder still held the claim. */
  pathorsIdempotencyRenew: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
  },
  /** KEYS: handlers. ARGV: handler id, TTL ms. */
  pathorsIdempotencyRecordHandler: {
    numberOfKeys: 1,
    lua: `redis.call('SADD', KEYS[1], ARGV[1])
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`,
  },
  /** KEYS: state, handlers. ARGV: TTL ms. */
  pathorsIdempotencyComplete: {
    numberOfKeys: 2,
    lua: `redis.call('SET', KEYS[1], 'done', 'PX', ARGV[1])
return redis.call('DEL', KEYS[2])`,
  },
  /** KEYS: state. ARGV: holder. */
  pathorsIdempotencyRelease: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
} as const;

/** A client with {@link COMMANDS} defined on it. */
interface IdempotencyCommands {
  pathorsIdempotencyClaim(
    stateKey: string,
    handlersKey: string,
    holder: string,
    leaseMs: number,
  ): Promise<string[]>;
  pathorsIdempotencyRenew(stateKey: string, holder: string, leaseMs: number): Promise<number>;
  pathorsIdempotencyRecordHandler(handlersKey: string, handlerId: string, ttlMs: number): Promise<number>;
  pathorsIdempotencyComplete(stateKey: string, handlersKey: string, ttlMs: number): Promise<number>;
  pathorsIdempotencyRelease(stateKey: string, holder: string): Promise<number>;
}

/**
 * Defines {@link COMMANDS} on `redis` unless they already are: several stores (or several apps) may share one client,
 * and each command is defined on it once.
 */
function withIdempotencyCommands(redis: Redis | Cluster): (Redis | Cluster) & IdempotencyCommands {
  for (const [name, definition] of Object.entries(COMMANDS)) {
    if (typeof (redis as unknown as Record<string, unknown>)[name] !== 'function') {
      redis.defineCommand(name, definition);
    }
  }
  return redis as (Redis | Cluster) & IdempotencyCommands;
}

/**
 * A {@link PathorsIdempotencyStore} in Redis, shared by every replica: a claim is one atomic Lua script, so two
 * copies of an event arriving at two instances at once never both run. Takes an `ioredis` client (or cluster) that
 * you own and close; the store never closes it. Keys of one event share a hash tag, so Redis Cluster works.
 *
 * The scripts become commands of the client (`pathorsIdempotencyClaim` and the like, through ioredis'
 * `defineCommand`), defined once however many stores share it.
 *
 * Every command is bounded by `commandTimeoutMs`, whatever the client's own options: ioredis' `commandTimeout` is an
 * option of the whole client, which you own and may use for other work, so the store races each of its commands
 * against a timer instead. A command that timed out may still run once Redis answers again (from the client's
 * offline queue); each is safe to run late: a late claim is released at once, a late completion or handler record
 * is true, and a late release or renewal only acts on the claim it was made for. The client's `'error'` events
 * (one per failed reconnection) are yours to listen to: a client without an `'error'` listener logs them to the
 * console.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisIdempotencyStore } from 'nestjs-pathors/redis';
 *
 * PathorsModule.forRootAsync({
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({
 *     webhook: { secret: config.getOrThrow('PATHORS_WEBHOOK_SECRET') },
 *     delivery: { store: new RedisIdempotencyStore(new Redis(config.getOrThrow('REDIS_URL'))) },
 *   }),
 * })
 * ```
 */
export class RedisIdempotencyStore extends PathorsIdempotencyStore {
  private readonly redis: (Redis | Cluster) & IdempotencyCommands;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly commandTimeoutMs: number;

  constructor(redis: Redis | Cluster, options: RedisIdempotencyStoreOptions = {}) {
    super();
    this.prefix = options.keyPrefix ?? DEFAULT_REDIS_IDEMPOTENCY_PREFIX;
    const ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    if (!Number.isInteger(ttlMs) || ttlMs < MIN_TTL_MS) {
      throw new RangeError(
        `RedisIdempotencyStore option "ttlMs" must be an integer of at least ${MIN_TTL_MS} (24 h), got ${ttlMs}: ` +
          'Pathors retries a delivery for up to 24 h. Leave it unset for the default.',
      );
    }
    this.ttlMs = ttlMs;
    const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    if (!Number.isInteger(commandTimeoutMs) || commandTimeoutMs <= 0) {
      throw new RangeError(
        `RedisIdempotencyStore option "commandTimeoutMs" must be a positive integer, got ${commandTimeoutMs}. ` +
          `Leave it unset for the default (${DEFAULT_COMMAND_TIMEOUT_MS}).`,
      );
    }
    this.commandTimeoutMs = commandTimeoutMs;
    this.redis = withIdempotencyCommands(redis);
  }

  override async claim(key: string, token: string, leaseMs: number): Promise<PathorsClaim> {
    const claiming = this.redis.pathorsIdempotencyClaim(
      this.stateKey(key),
      this.handlersKey(key),
      holderOf(token),
      leaseMs,
    );
    let reply: string[];
    try {
      reply = await this.bounded('claim', claiming);
    } catch (error) {
      // Nobody runs a claim made after its caller gave up: give it back rather than leave it to expire.
      claiming
        .then(async ([late]) => {
          if (late === 'claimed') await this.release(key, token);
        })
        .catch(() => undefined);
      throw error;
    }
    const [status, ...handlers] = reply;
    if (status === 'done') return CLAIM_DONE;
    if (status === 'busy') return CLAIM_IN_PROGRESS;
    return {
      status: 'claimed',
      completedHandlers: handlers.length > 0 ? new Set(handlers) : NO_COMPLETED_HANDLERS,
    };
  }

  override async renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    const renewing = this.redis.pathorsIdempotencyRenew(this.stateKey(key), holderOf(token), leaseMs);
    return (await this.bounded('renew', renewing)) === 1;
  }

  override async recordHandler(key: string, handlerId: string): Promise<void> {
    await this.bounded(
      'recordHandler',
      this.redis.pathorsIdempotencyRecordHandler(this.handlersKey(key), handlerId, this.ttlMs),
    );
  }

  override async complete(key: string): Promise<void> {
    await this.bounded(
      'complete',
      this.redis.pathorsIdempotencyComplete(this.stateKey(key), this.handlersKey(key), this.ttlMs),
    );
  }

  override async release(key: string, token: string): Promise<void> {
    await this.bounded('release', this.redis.pathorsIdempotencyRelease(this.stateKey(key), holderOf(token)));
  }

  override async areDone(keys: readonly string[]): Promise<boolean[]> {
    // One GET per key rather than MGET: the keys of different events may live on different cluster slots.
    const states = await this.bounded(
      'areDone',
      Promise.all(keys.map((key) => this.redis.get(this.stateKey(key)))),
    );
    return states.map((state) => state === 'done');
  }

  /** Resolves once Redis answers a `PING` within `commandTimeoutMs`; rejects otherwise (health checks). */
  override async ping(): Promise<void> {
    await this.bounded('ping', this.redis.ping());
  }

  private bounded<T>(name: string, command: Promise<T>): Promise<T> {
    return withCommandTimeout(command, name, this.commandTimeoutMs);
  }

  private stateKey(key: string): string {
    return `${this.prefix}{${key}}:state`;
  }

  private handlersKey(key: string): string {
    return `${this.prefix}{${key}}:handlers`;
  }
}

/** What the state key holds while `token` holds the claim. */
const holderOf = (token: string): string => `c:${token}`;
