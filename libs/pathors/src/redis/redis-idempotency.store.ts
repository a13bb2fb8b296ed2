import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { DEFAULT_IDEMPOTENCY_TTL_MS } from '../delivery/memory-idempotency.store.js';
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
}

/** Default key prefix of {@link RedisIdempotencyStore}. */
export const DEFAULT_REDIS_IDEMPOTENCY_PREFIX = 'pathors:idempotency:';
const MIN_TTL_MS = 24 * 60 * 60 * 1000;

// KEYS[1] state ("c:<token>" while claimed, "done" when done), KEYS[2] set of succeeded handler ids.
const CLAIM = `local s = redis.call('GET', KEYS[1])
if s == 'done' then return {'done'} end
if s then return {'busy'} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local r = redis.call('SMEMBERS', KEYS[2])
table.insert(r, 1, 'claimed')
return r`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RECORD_HANDLER = `redis.call('SADD', KEYS[1], ARGV[1])
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`;
const COMPLETE = `redis.call('SET', KEYS[1], 'done', 'PX', ARGV[1])
return redis.call('DEL', KEYS[2])`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const CLAIM_DONE: PathorsClaim = { status: 'done' };
const CLAIM_IN_PROGRESS: PathorsClaim = { status: 'in-progress' };

interface Script {
  readonly source: string;
  readonly sha: string;
}
const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });
const SCRIPTS = {
  claim: script(CLAIM),
  renew: script(RENEW),
  recordHandler: script(RECORD_HANDLER),
  complete: script(COMPLETE),
  release: script(RELEASE),
} as const;

/**
 * A {@link PathorsIdempotencyStore} in Redis, shared by every replica: a claim is one atomic Lua script, so two
 * copies of an event arriving at two instances at once never both run. Takes an `ioredis` client (or cluster) that
 * you own and close; the store never closes it. Keys of one event share a hash tag, so Redis Cluster works.
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
  private readonly prefix: string;
  private readonly ttl: string;

  constructor(
    private readonly redis: Redis | Cluster,
    options: RedisIdempotencyStoreOptions = {},
  ) {
    super();
    this.prefix = options.keyPrefix ?? DEFAULT_REDIS_IDEMPOTENCY_PREFIX;
    const ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    if (!Number.isInteger(ttlMs) || ttlMs < MIN_TTL_MS) {
      throw new RangeError(
        `RedisIdempotencyStore option "ttlMs" must be an integer of at least ${MIN_TTL_MS} (24 h), got ${ttlMs}: ` +
          'Pathors retries a delivery for up to 24 h. Leave it unset for the default.',
      );
    }
    this.ttl = String(ttlMs);
  }

  override async claim(key: string, token: string, leaseMs: number): Promise<PathorsClaim> {
    const reply = (await this.run(
      SCRIPTS.claim,
      this.stateKey(key),
      this.handlersKey(key),
      `c:${token}`,
      leaseMs,
    )) as string[] | undefined;
    if (reply?.[0] === 'done') return CLAIM_DONE;
    if (reply?.[0] === 'busy') return CLAIM_IN_PROGRESS;
    return {
      status: 'claimed',
      completedHandlers: reply && reply.length > 1 ? new Set(reply.slice(1)) : NO_COMPLETED_HANDLERS,
    };
  }

  override async renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    return (
      (await this.run(SCRIPTS.renew, this.stateKey(key), this.handlersKey(key), `c:${token}`, leaseMs)) === 1
    );
  }

  override async recordHandler(key: string, handlerId: string): Promise<void> {
    await this.run(SCRIPTS.recordHandler, this.handlersKey(key), this.stateKey(key), handlerId, this.ttl);
  }

  override async complete(key: string): Promise<void> {
    await this.run(SCRIPTS.complete, this.stateKey(key), this.handlersKey(key), this.ttl, '');
  }

  override async release(key: string, token: string): Promise<void> {
    await this.run(SCRIPTS.release, this.stateKey(key), this.handlersKey(key), `c:${token}`, '');
  }

  override async areDone(keys: readonly string[]): Promise<boolean[]> {
    // One GET per key rather than MGET: the keys of different events may live on different cluster slots.
    const states = await Promise.all(keys.map((key) => this.redis.get(this.stateKey(key))));
    return states.map((state) => state === 'done');
  }

  private stateKey(key: string): string {
    return `${this.prefix}{${key}}:state`;
  }

  private handlersKey(key: string): string {
    return `${this.prefix}{${key}}:handlers`;
  }

  /** EVALSHA, loading the script on the first NOSCRIPT (after a Redis restart or on a new cluster node). */
  private async run(
    { sha, source }: Script,
    key1: string,
    key2: string,
    arg1: string | number,
    arg2: string | number,
  ): Promise<unknown> {
    try {
      return await this.redis.evalsha(sha, 2, key1, key2, arg1, arg2);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(source, 2, key1, key2, arg1, arg2);
    }
  }
}
