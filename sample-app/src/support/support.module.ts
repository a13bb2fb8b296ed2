import { Module } from '@nestjs/common';
import { PathorsModule, type PathorsModuleOptions } from 'nestjs-pathors';
import type { Redis } from 'ioredis';
import { Public } from '../auth/public.decorator.js';
import { AgentWebhook, SUPPORT_AGENT, SUPPORT_WEBHOOK_PATH } from '../config/agents.js';
import { pathorsDelivery } from '../config/pathors-delivery.js';
import { sampleConfig, type SampleConfig } from '../config/sample.config.js';
import { supportPathorsConfig } from '../config/support-pathors.config.js';
import { SAMPLE_REDIS } from '../redis/redis.module.js';
import { SupportConversations } from './support-conversations.service.js';
import { SupportController } from './support.controller.js';
import { SupportTicketsHandler } from './support-tickets.handler.js';
import { SupportTicketsRepository } from './support-tickets.repository.js';

/**
 * The support agent: its own `PathorsModule` registration (named `support`, its own project, key and webhook secret,
 * its webhook at `/pathors/webhooks/support`), the handler that closes its tickets and the endpoints around them.
 * `bootstrap.ts` imports it on the embedded simulator, and in the cloud when `PATHORS_SUPPORT_API_KEY` and
 * `PATHORS_SUPPORT_PROJECT_ID` are set: without the registration, a handler limited to it would fail the boot.
 *
 * Its Redis keys (idempotency records, inbox queue) live under `<REDIS_KEY_PREFIX>support:`, so its inbox never
 * shares a queue with the follow-up agent's.
 */
@Module({
  imports: [
    PathorsModule.forRootAsync({
      name: SUPPORT_AGENT,
      ...supportPathorsConfig.asProvider(),
      webhook: { path: SUPPORT_WEBHOOK_PATH, decorators: [Public(), AgentWebhook(SUPPORT_AGENT)] },
      inject: [supportPathorsConfig.KEY, sampleConfig.KEY, SAMPLE_REDIS],
      useFactory: (pathors: PathorsModuleOptions, sample: SampleConfig, redis?: Redis) => ({
        ...pathors,
        delivery: pathorsDelivery(redis, {
          ...sample,
          redisKeyPrefix: `${sample.redisKeyPrefix}${SUPPORT_AGENT}:`,
        }),
      }),
    }),
  ],
  controllers: [SupportController],
  providers: [SupportTicketsRepository, SupportConversations, SupportTicketsHandler],
  exports: [SupportConversations],
})
export class SupportModule {}
