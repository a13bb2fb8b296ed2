import type { Redis } from 'ioredis';
import type { PathorsDeliveryOptions } from 'nestjs-pathors';
import { BullMqInbox } from 'nestjs-pathors/inbox';
import { RedisIdempotencyStore } from 'nestjs-pathors/redis';
import type { SampleConfig } from './sample.config.js';

/**
 * The `delivery` options of `PathorsModule`: without Redis, the default in-memory idempotency store (right for one
 * instance); with `REDIS_URL`, the Redis store, shared by every replica and kept across restarts; with
 * `PATHORS_INBOX=bullmq` as well, the BullMQ inbox, which persists each delivery before answering 202 and retries
 * failed handlers on workers. Every Redis key starts with `REDIS_KEY_PREFIX`.
 */
export function pathorsDelivery(redis: Redis | undefined, sample: SampleConfig): PathorsDeliveryOptions {
  if (!redis) return {}; // one instance: the in-memory store
  return {
    store: new RedisIdempotencyStore(redis, { keyPrefix: `${sample.redisKeyPrefix}pathors:` }),
    inbox: sample.inbox ? durableInbox(sample) : undefined,
  };
}

/** The BullMQ inbox on the app's Redis, its keys under `<REDIS_KEY_PREFIX>bull`; the module closes it on shutdown. */
function durableInbox(sample: SampleConfig): BullMqInbox {
  const redisOptions = { url: sample.redisUrl }; // BullMQ opens its own connections, blocking ones too
  const prefix = `${sample.redisKeyPrefix}bull`;
  return new BullMqInbox({ connection: redisOptions, prefix, attempts: 8, backoffMs: 1000 });
}
