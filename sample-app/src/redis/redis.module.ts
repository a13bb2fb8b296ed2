import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { Redis } from 'ioredis';
import { sampleConfig } from '../config/sample.config.js';

/** Injection token of the app's Redis client: an ioredis `Redis`, or `undefined` when `REDIS_URL` is unset. */
export const SAMPLE_REDIS = Symbol('SAMPLE_REDIS');

/** Connects to `REDIS_URL` at boot (so a wrong URL stops the boot), or resolves `undefined` without one. */
async function connectRedis(config: ConfigType<typeof sampleConfig>): Promise<Redis | undefined> {
  if (!config.redisUrl) return undefined;
  const redis = new Redis(config.redisUrl, { lazyConnect: true });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `Could not connect to Redis at REDIS_URL (${(error as Error).message}). Start Redis, fix REDIS_URL, or unset ` +
        'it to keep the idempotency records in memory.',
      { cause: error },
    );
  }
  new Logger('Redis').log(`Idempotency records are kept in Redis (prefix "${config.redisKeyPrefix}")`);
  return redis;
}

/** Provides the app's Redis client ({@link SAMPLE_REDIS}) everywhere, and closes it when the app shuts down. */
@Global()
@Module({
  imports: [ConfigModule.forFeature(sampleConfig)],
  providers: [{ provide: SAMPLE_REDIS, useFactory: connectRedis, inject: [sampleConfig.KEY] }],
  exports: [SAMPLE_REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(SAMPLE_REDIS) private readonly redis: Redis | undefined) {}

  /** Runs after `PathorsModule` drained its handlers, the store's last user. */
  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit();
  }
}
