// One benchmarked app in its own process (so the load generator never shares its event loop), started by
// webhook.bench.ts with `<adapter> <scenario>`. It listens on an ephemeral loopback port and answers IPC requests:
// reset/read the event-loop delay histogram, wait for background work, close.
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
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { OnPathorsEvent, PATHORS_EVENT_NAMES, PathorsModule, type PathorsEventName } from 'nestjs-pathors';
import { BENCH_SECRET } from './payload-mix.js';
import type { AppReply, AppRequest, ScenarioName } from './webhook-ipc.js';

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

function pathorsModule(scenario: ScenarioName): DynamicModule {
  switch (scenario) {
    case 'memory':
      return PathorsModule.forRoot({ webhook: { secret: BENCH_SECRET } });
    default:
      throw new Error(`scenario ${scenario} is not available yet`);
  }
}

function appModule(scenario: ScenarioName) {
  @Module(
    scenario === 'bare'
      ? { controllers: [BareController] }
      : { imports: [EventEmitterModule.forRoot(), pathorsModule(scenario)], providers: [NoopHandler] },
  )
  class BenchAppModule {}
  return BenchAppModule;
}

async function main(): Promise<void> {
  const [adapter, scenario] = process.argv.slice(2) as ['express' | 'fastify', ScenarioName];
  const module = appModule(scenario);
  const app =
    adapter === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), { logger: false })
      : await NestFactory.create(module, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
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
          p50Ms: loopDelay.percentile(50) / 1e6,
          p99Ms: loopDelay.percentile(99) / 1e6,
          maxMs: loopDelay.max / 1e6,
          rssBytes: process.memoryUsage().rss,
        });
        break;
      case 'close':
        void app.close().then(() => process.exit(0));
        break;
    }
  });
  reply({ type: 'ready', port, path: scenario === 'bare' ? '/bare' : '/pathors/webhooks' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
