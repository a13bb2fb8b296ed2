export {
  RedisIdempotencyStore,
  DEFAULT_REDIS_IDEMPOTENCY_PREFIX,
  type RedisIdempotencyStoreOptions,
} from './redis-idempotency.store.js';
