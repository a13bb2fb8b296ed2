import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type INestApplication, type LoggerService } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  OnPathorsEvent,
  PathorsModule,
  type PathorsEventName,
  type PathorsModuleOptions,
} from 'nestjs-pathors';
import { CatchAllHandler, RecordingHandlers } from '../support/recording-handlers.js';
import { ADAPTERS, type AdapterName } from '../support/webhook-app.js';

/** A logger that keeps every line, tagged with its level and context. */
class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string; context?: string }> = [];
  private push(level: string, message: unknown, context?: unknown): void {
    this.lines.push({
      level,
      message: String(message),
      context: typeof context === 'string' ? context : undefined,
    });
  }
  log(message: unknown, context?: unknown) {
    this.push('log', message, context);
  }
  warn(message: unknown, context?: unknown) {
    this.push('warn', message, context);
  }
  error(message: unknown, _stack?: unknown, context?: unknown) {
    this.push('error', message, context);
  }
  /** Lines the boot diagnostics logged (context: their class name) at the given level. */
  pathors(level: string): string[] {
    return this.lines
      .filter((line) => line.context === 'PathorsBootDiagnostics' && line.level === level)
      .map((line) => line.message);
  }
}

@Injectable()
class TypoHandler {
  // A typo a user could make: the name is cast because the decorator's type already refuses it.
  @OnPathorsEvent('call.endded' as PathorsEventName)
  onTypo(_event: unknown) {}
}

const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function boot(
  adapter: AdapterName,
  pathors: PathorsModuleOptions,
  providers: Array<new (...args: never[]) => object>,
  globalPrefix?: string,
) {
  @Module({ imports: [EventEmitterModule.forRoot(), PathorsModule.forRoot(pathors)], providers })
  class AppModule {}
  const logger = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .setLogger(logger)
    .compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger })
      : moduleRef.createNestApplication({ logger });
  if (globalPrefix) app.setGlobalPrefix(globalPrefix);
  apps.push(app);
  await app.init();
  return logger;
}

describe.each(ADAPTERS)('boot diagnostics on %s', (adapter) => {
  it('logs the mounted URL with the global prefix, the auth mode and the event -> handler map, once', async () => {
    const logger = await boot(
      adapter,
      { webhook: { secret: 'boot-secret-123' } },
      [RecordingHandlers, CatchAllHandler],
      '/api/',
    );
    const lines = logger.pathors('log');
    expect(lines.filter((line) => line.startsWith('Webhook endpoint:'))).toEqual([
      'Webhook endpoint: POST /api/pathors/webhooks',
    ]);
    expect(lines).toContain('Webhook authentication: shared secret in "authorization" (1 secret)');
    const map = lines.find((line) => line.startsWith('Event handlers:'));
    expect(map).toContain('call.ended -> RecordingHandlers.onCallEnded');
    expect(map).toContain('session.finalized -> RecordingHandlers.onFinalized');
    expect(map).toContain('usage.updated -> RecordingHandlers.onPlanned');
    expect(map).toContain('* -> CatchAllHandler.onAny');
    expect(logger.pathors('warn')).toEqual([]);
    // Nothing secret reaches the log.
    expect(JSON.stringify(logger.lines)).not.toContain('boot-secret-123');
  });

  it('warns about a handler on an unknown event name, naming the handler', async () => {
    const logger = await boot(adapter, { webhook: { secret: 's3cret-value' } }, [TypoHandler]);
    const warnings = logger.pathors('warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      'TypoHandler.onTypo listens to "call.endded", which is not a known Pathors event',
    );
  });

  it('describes the signature mode and its raw-body requirement, and a custom path', async () => {
    const signingSecret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    const logger = await boot(adapter, { webhook: { signingSecret, path: '/hooks/pathors/' } }, []);
    const lines = logger.pathors('log');
    expect(lines).toContain('Webhook endpoint: POST /hooks/pathors');
    expect(lines).toContain(
      'Webhook authentication: Standard Webhooks signature (1 signing secret, 300s tolerance; needs the app created with { rawBody: true })',
    );
    expect(lines).toContain(
      'Event handlers: none (every known event is answered 202; add @OnPathorsEvent() methods)',
    );
    expect(JSON.stringify(logger.lines)).not.toContain(signingSecret.slice(6));
  });

  it('says when the endpoint is not mounted', async () => {
    const logger = await boot(adapter, { webhook: { enabled: false } }, []);
    expect(logger.pathors('log')).toContain('Webhook endpoint: not mounted (webhook.enabled: false)');
  });
});
