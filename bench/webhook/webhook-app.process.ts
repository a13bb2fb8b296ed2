// One benchmarked app in its own process (so the load generator never shares its event loop), started by
// webhook-harness.ts with `<adapter> <scenario>`. It listens on an ephemeral loopback port and answers IPC requests:
// reset/read the event-loop delay histogram, read its CPU time, close. `nestjs-pathors` loads from this checkout's
// libs/pathors/src, or from NESTJS_PATHORS_BENCH_SOURCE when set (see bench/support/register.mjs).
import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Injectable,
  Module,
  Post,
  type DynamicModule,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { OnPathorsEvent, PATHORS_EVENT_NAMES, PathorsModule, type PathorsEventName } from 'nestjs-pathors';
import { BullMqInbox } from 'nestjs-pathors/inbox';
import { RedisIdempotencyStore } from 'nestjs-pathors/redis';
import { BENCH_SECRET } from './payload-mix.js';
import type { AppReply, AppRequest, BenchAdapter, ScenarioName } from './webhook-ipc.js';

/** (a) the baseline: a bare Nest POST route; the adapter parses the JSON, the route answers 200. */
@Controller('bare')
class BareController {
  @Post()
  @HttpCode(HttpStatus.OK)
  receive(@Body() body: unknown): { received: boolean } {
    return { received: typeof body === 'object' };
  }
}

/** The one handler of (b)-(d): listens to every known event name and does nothing. */
@Injectable()
class NoopHandler {
  handled = 0;

  @OnPathorsEvent(PATHORS_EVENT_NAMES as readonly PathorsEventName[])
  onEvent(): void {
    this.handled++;
  }
}

// Every ioredis client of the process (the store's, BullMQ's) sends its commands through this method: counting its
// calls gives the Redis commands per delivery the bench prints.
let redisCommands = 0;
const sendCommand = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function countedSendCommand(this: Redis, ...args) {
  redisCommands++;
  return sendCommand.apply(this, args);
};

const REDIS = { host: '127.0.0.1', port: 6379 };
// Every key this process writes in Redis starts with it; all are deleted on close.
const RUN_PREFIX = `pathors-bench:${process.pid}:${randomBytes(4).toString('hex')}`;
const INBOX_QUEUE = 'bench-inbox';
const LOOP_DELAY_RESOLUTION_MS = 10;

function pathorsModule(scenario: ScenarioName, redis: Redis): DynamicModule {
  const webhook = { secret: BENCH_SECRET };
  const store = new RedisIdempotencyStore(redis, { keyPrefix: `${RUN_PREFIX}:idem:` });
  switch (scenario) {
    case 'memory':
      return PathorsModule.forRoot({ webhook });
    case 'redis':
      return PathorsModule.forRoot({ webhook, delivery: { store } });
    case 'inbox':
      // A receiving replica (consume: false): the figures are those of the answer path, verify-validate-persist-202,
      // without a worker of the same process competing for the CPU.
      return PathorsModule.forRoot({
        webhook,
        delivery: {
          store,
          inbox: new BullMqInbox({
            connection: REDIS,
            prefix: `${RUN_PREFIX}:bull`,
            queueName: INBOX_QUEUE,
            consume: false,
          }),
        },
      });
    default:
      throw new Error(`no Pathors module in scenario ${scenario}`);
  }
}

async function deleteRunKeys(redis: Redis, scenario: ScenarioName): Promise<void> {
  if (scenario === 'inbox') {
    const queue = new Queue(INBOX_QUEUE, { connection: REDIS, prefix: `${RUN_PREFIX}:bull` });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  for (let cursor = '0'; ;) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${RUN_PREFIX}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    if ((cursor = next) === '0') break;
  }
}

function appModule(scenario: ScenarioName, redis: Redis) {
  @Module(
    scenario === 'bare'
      ? { controllers: [BareController] }
      : { imports: [EventEmitterModule.forRoot(), pathorsModule(scenario, redis)], providers: [NoopHandler] },
  )
  class BenchAppModule {}
  return BenchAppModule;
}

async function main(): Promise<void> {
  const [adapter, scenario] = process.argv.slice(2) as [BenchAdapter, ScenarioName];
  const redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 2 });
  const module = appModule(scenario, redis);
  const app =
    adapter === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), { logger: false, abortOnError: false })
      : await NestFactory.create(module, { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;

  // The histogram records the interval between its timer's runs, the resolution included: the delay is what exceeds it.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  const delayMs = (nanos: number) => Math.max(0, nanos / 1e6 - LOOP_DELAY_RESOLUTION_MS);
  loopDelay.enable();
  const reply = (message: AppReply) => process.send!(message);

  process.on('message', (message: AppRequest) => {
    switch (message.type) {
      case 'loop-delay-reset':
        loopDelay.reset();
        reply({ type: 'ok' });
        break;
      case 'loop-delay-read':
        reply({
          type: 'loop-delay',
          p50Ms: delayMs(loopDelay.percentile(50)),
          p99Ms: delayMs(loopDelay.percentile(99)),
          maxMs: delayMs(loopDelay.max),
          rssBytes: process.memoryUsage().rss,
        });
        break;
      case 'cpu-read': {
        const { user, system } = process.cpuUsage();
        reply({ type: 'cpu', micros: user + system, redisCommands });
        break;
      }
      case 'close':
        void app
          .close()
          .then(() =>
            scenario === 'redis' || scenario === 'inbox' ? deleteRunKeys(redis, scenario) : undefined,
          )
          .finally(() => process.exit(0));
        break;
    }
  });
  reply({
    type: 'ready',
    port,
    path: scenario === 'bare' ? '/bare' : '/pathors/webhooks',
    libraryEntry: fileURLToPath(import.meta.resolve('nestjs-pathors')),
  });
}

// Never outlive the benchmark that started this process.
process.on('disconnect', () => process.exit(0));

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
