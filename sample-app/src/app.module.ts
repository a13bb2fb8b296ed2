import { Module, ValidationPipe } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { PathorsModule, type PathorsModuleOptions } from 'nestjs-pathors';
import type { Redis } from 'ioredis';
import { AuthModule } from './auth/auth.module.js';
import { Public } from './auth/public.decorator.js';
import { AgentWebhook, FOLLOW_UP_AGENT } from './config/agents.js';
import { pathorsDelivery } from './config/pathors-delivery.js';
import { WEBHOOK_PATH, pathorsConfig } from './config/pathors.config.js';
import { sampleConfig, type SampleConfig } from './config/sample.config.js';
import { DatabaseModule } from './database/database.module.js';
import { FollowUpsModule } from './follow-ups/follow-ups.module.js';
import { HealthModule } from './health/health.module.js';
import { InspectorModule } from './inspector/inspector.module.js';
import { OutcomesModule } from './outcomes/outcomes.module.js';
import { RedisModule, SAMPLE_REDIS } from './redis/redis.module.js';

/**
 * The sample app: follow-ups started through the Pathors API, outcomes recorded from its webhooks, an inspector page,
 * a health check. Idempotency records stay in memory unless `REDIS_URL` is set; `SAMPLE_API_KEY` protects the REST
 * endpoints, and each agent's webhook route is `@Public()` (its registration authenticates it with its own secret).
 * The same module runs against the cloud and the embedded simulator; `bootstrap.ts` adds the simulator when there are
 * no credentials, the support agent when it is configured, and the dead-letter endpoints when the durable inbox is on.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [sampleConfig] }),
    EventEmitterModule.forRoot(),
    RedisModule,
    PathorsModule.forRootAsync({
      ...pathorsConfig.asProvider(),
      webhook: { path: WEBHOOK_PATH, decorators: [Public(), AgentWebhook(FOLLOW_UP_AGENT)] },
      inject: [pathorsConfig.KEY, sampleConfig.KEY, SAMPLE_REDIS],
      useFactory: (pathors: PathorsModuleOptions, sample: SampleConfig, redis?: Redis) => ({
        ...pathors,
        delivery: pathorsDelivery(redis, sample),
      }),
      isGlobal: true,
    }),
    DatabaseModule,
    FollowUpsModule,
    OutcomesModule,
    InspectorModule,
    AuthModule,
    HealthModule,
  ],
  providers: [
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }) },
  ],
})
export class AppModule {}
