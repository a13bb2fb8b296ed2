/**
 * The newcomer's app, exactly as the README tells a user to write it, using only the published package. The consumer
 * test copies this file into fresh apps outside the monorepo (ESM on NestJS 12, CommonJS on NestJS 11), compiles it
 * there against the installed tarball, boots it and reads what it prints.
 */
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { CallEndedEvent, OnPathorsEvent, PathorsDelivery, PathorsModule } from 'nestjs-pathors';

@Injectable()
class CallEndedLogger {
  @OnPathorsEvent('call.ended')
  onCallEnded(event: CallEndedEvent, delivery: PathorsDelivery): void {
    const seen = {
      className: event.constructor.name,
      isCallEndedEvent: event instanceof CallEndedEvent,
      timestampIsDate: event.timestamp instanceof Date,
      sessionId: event.sessionId,
      callStatus: event.callStatus,
      dialect: delivery.dialect,
    };
    console.log(`RECEIVED ${JSON.stringify(seen)}`);
  }
}

@Module({
  imports: [
    EventEmitterModule.forRoot(),
    PathorsModule.forRoot({ webhook: { secret: process.env.PATHORS_WEBHOOK_SECRET } }),
  ],
  providers: [CallEndedLogger],
})
class AppModule {}

async function bootstrap(): Promise<void> {
  const logger = ['error', 'warn'] as const;
  const app =
    process.env.CONSUMER_ADAPTER === 'fastify'
      ? await NestFactory.create(AppModule, new FastifyAdapter(), { logger: [...logger] })
      : await NestFactory.create(AppModule, { logger: [...logger] });
  await app.listen(0, '127.0.0.1');
  console.log(`LISTENING ${await app.getUrl()}`);
}

bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
