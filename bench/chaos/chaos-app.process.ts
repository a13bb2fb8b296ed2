// One replica of the chaos run, started (and killed with SIGKILL) by main.ts with its ReplicaSettings as JSON. A Nest
// app with PathorsModule on the run's own Redis: RedisIdempotencyStore, plus BullMqInbox in inbox mode. Its two
// handlers append every run to the ledger file and fail at random, as handlers with real effects do.
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { OnPathorsEvent, PathorsModule, type PathorsDelivery } from 'nestjs-pathors';
import { BullMqInbox } from 'nestjs-pathors/inbox';
import { RedisIdempotencyStore } from 'nestjs-pathors/redis';
import {
  CHAOS_HANDLERS,
  CHAOS_SECRET,
  TIMINGS,
  eventKey,
  type LedgerLine,
  type ReplicaReply,
  type ReplicaRequest,
  type ReplicaSettings,
} from './chaos-ipc.js';

const settings = JSON.parse(process.argv[2]) as ReplicaSettings;
const LIFECYCLE_EVENTS = ['session.ended', 'call.ended', 'session.finalized', 'recording.ready'] as const;
const reply = (message: ReplicaReply) => process.send!(message);

/** Two independent effects of every lifecycle event (a CRM update, a billing line), each with its ledger. */
@Injectable()
class ChaosHandlers {
  private readonly slowKeys = new Set(settings.slowKeys);

  @OnPathorsEvent(LIFECYCLE_EVENTS)
  async crm(_event: unknown, delivery: PathorsDelivery): Promise<void> {
    const key = eventKey(delivery.eventName, delivery.sessionId);
    if (this.slowKeys.has(key)) {
      reply({ type: 'slow-started', key });
      await sleep(TIMINGS.slowHandlerMs);
    }
    await this.run(CHAOS_HANDLERS[0], delivery);
  }

  @OnPathorsEvent(LIFECYCLE_EVENTS)
  billing(_event: unknown, delivery: PathorsDelivery): Promise<void> {
    return this.run(CHAOS_HANDLERS[1], delivery);
  }

  private async run(handler: string, delivery: PathorsDelivery): Promise<void> {
    await sleep(5 + Math.random() * 30);
    const ok = Math.random() >= TIMINGS.failureRate;
    const key = eventKey(delivery.eventName, delivery.sessionId);
    const line: LedgerLine = { key, handler, replica: settings.name, ok, at: Date.now() };
    // Synchronous, so that a run that returned is in the file even if the process is killed right after.
    appendFileSync(settings.ledger, `${JSON.stringify(line)}\n`);
    if (!ok) throw new Error(`${handler} failed on purpose`);
  }
}

function pathorsModule(redis: Redis): DynamicModule {
  const connection = { host: '127.0.0.1', port: settings.redisPort };
  return PathorsModule.forRoot({
    webhook: { secret: CHAOS_SECRET },
    delivery: {
      store: new RedisIdempotencyStore(redis, { keyPrefix: `${settings.keyPrefix}idem:` }),
      answerBudgetMs: TIMINGS.answerBudgetMs,
      claimLeaseMs: TIMINGS.claimLeaseMs,
      shutdownTimeoutMs: 1_000,
      inbox:
        settings.mode === 'inbox'
          ? new BullMqInbox({
              connection,
              prefix: `${settings.keyPrefix}bull`,
              attempts: 20,
              backoffMs: 100,
              lockDurationMs: TIMINGS.lockDurationMs,
              maxStalledCount: 10,
            })
          : undefined,
    },
  });
}

async function start(): Promise<void> {
  // A client that fails fast while Redis is down (one retry per command, reconnecting every 50-500 ms).
  const redis = new Redis({
    host: '127.0.0.1',
    port: settings.redisPort,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 50, 500),
  });
  redis.on('error', () => undefined); // reconnects on its own; the module logs what a failure cost
  @Module({ imports: [EventEmitterModule.forRoot(), pathorsModule(redis)], providers: [ChaosHandlers] })
  class ChaosAppModule {}
  const options = { logger: false as const, abortOnError: false };
  const app =
    settings.adapter === 'fastify'
      ? await NestFactory.create(ChaosAppModule, new FastifyAdapter(), options)
      : await NestFactory.create(ChaosAppModule, options);
  await app.listen(settings.port, '127.0.0.1');
  process.on('message', (message: ReplicaRequest) => {
    if (message.type === 'close') void app.close().finally(() => process.exit(0));
  });
  reply({ type: 'ready' });
}

// Loaded, the process waits on standby: a restart after a kill boots the app in a process whose modules are loaded,
// so that the replica is back within a second on a busy machine.
process.once('message', (message: ReplicaRequest) => {
  if (message.type !== 'start') return;
  start().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
reply({ type: 'loaded' });

// Never outlive the run that started this process.
process.on('disconnect', () => process.exit(0));
