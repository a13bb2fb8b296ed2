import { afterEach, describe, expect, it } from '@jest/globals';
import {
  Injectable,
  Module,
  type ConsoleLogger,
  type INestApplication,
  type LoggerService,
} from '@nestjs/common';
import { ConfigModule, ConfigService, registerAs } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  CallEndedEvent,
  OnPathorsEvent,
  PathorsConfigurationError,
  PathorsModule,
  PathorsSessionService,
  type PathorsModuleOptions,
} from 'nestjs-pathors';
import { buildCallEnded, sharedSecretHeaders } from 'nestjs-pathors/testing';
import { ADAPTERS, createWebhookApp, type WebhookApp } from './support/webhook-app.js';

const SECRET = 'config-secret-abcdef';

@Injectable()
class CallLog {
  readonly sessions: string[] = [];
  @OnPathorsEvent('call.ended')
  onCallEnded(event: CallEndedEvent) {
    this.sessions.push(event.sessionId);
  }
}

const pathorsConfig = registerAs('pathors', (): PathorsModuleOptions => ({
  apiKey: process.env.TEST_PATHORS_API_KEY,
  projectId: 'proj_config',
  webhook: { secret: process.env.TEST_PATHORS_WEBHOOK_SECRET },
}));

describe.each(ADAPTERS)('PathorsModule configuration on %s', (adapter) => {
  let harness: WebhookApp | undefined;
  afterEach(async () => {
    await harness?.app.close();
    harness = undefined;
  });

  const postCallEnded = (path: string, headers = sharedSecretHeaders(SECRET)) =>
    request(harness!.server).post(path).set(headers).send(buildCallEnded());

  it('forRootAsync takes registerAs(...).asProvider() from @nestjs/config', async () => {
    process.env.TEST_PATHORS_WEBHOOK_SECRET = SECRET;
    harness = await createWebhookApp({
      adapter,
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true })],
      pathorsModule: PathorsModule.forRootAsync(pathorsConfig.asProvider()),
      providers: [CallLog],
    });
    await postCallEnded('/pathors/webhooks').expect(200);
    expect(harness.get(CallLog).sessions).toHaveLength(1);
    expect(harness.get(PathorsSessionService).projectId).toBe('proj_config');
  });

  it('forRootAsync with useFactory + inject and isGlobal serves a feature module that does not import it', async () => {
    @Injectable()
    class FeatureService {
      constructor(readonly sessions: PathorsSessionService) {}
    }
    @Module({ providers: [FeatureService], exports: [FeatureService] })
    class FeatureModule {}

    harness = await createWebhookApp({
      adapter,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ PROJECT: 'proj_global' })] }),
        FeatureModule,
      ],
      pathorsModule: PathorsModule.forRootAsync({
        isGlobal: true,
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          projectId: config.getOrThrow<string>('PROJECT'),
          webhook: { secret: SECRET },
        }),
      }),
    });
    expect(harness.get(FeatureService).sessions.projectId).toBe('proj_global');
  });

  it('forRootAsync with useClass, its route given beside the class', async () => {
    @Injectable()
    class PathorsOptionsFactory {
      createPathorsOptions(): PathorsModuleOptions {
        return { webhook: { secret: SECRET } };
      }
    }
    harness = await createWebhookApp({
      adapter,
      pathorsModule: PathorsModule.forRootAsync({
        webhook: { path: 'from-class' },
        useClass: PathorsOptionsFactory,
      }),
      providers: [CallLog],
    });
    await postCallEnded('/from-class').expect(200);
    await postCallEnded('/pathors/webhooks').expect(404);
  });

  it('fails the boot when async options move the route, naming where the route goes', async () => {
    await expect(
      createWebhookApp({
        adapter,
        pathorsModule: PathorsModule.forRootAsync({
          useFactory: () => ({ webhook: { secret: SECRET, path: 'elsewhere' } }),
        }),
        providers: [CallLog],
      }),
    ).rejects.toThrow(/"webhook\.path" \(elsewhere\) differs .*forRootAsync\(\{ webhook: \{ path \}/);
  });

  it('mounts the endpoint on a custom path below the global prefix', async () => {
    harness = await createWebhookApp({
      adapter,
      globalPrefix: 'api',
      pathors: { webhook: { secret: SECRET, path: '/hooks/pathors/' } },
      providers: [CallLog],
    });
    await postCallEnded('/api/hooks/pathors').expect(200);
    await postCallEnded('/hooks/pathors').expect(404);
    expect(harness.get(CallLog).sessions).toHaveLength(1);
  });

  it('accepts a custom secret header and every secret of a rotation', async () => {
    harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { secret: ['old-secret-123', SECRET], secretHeader: 'X-Pathors-Secret' } },
      providers: [CallLog],
    });
    await postCallEnded('/pathors/webhooks', { 'x-pathors-secret': 'old-secret-123' }).expect(200);
    await postCallEnded('/pathors/webhooks', { 'x-pathors-secret': SECRET }).expect(200);
    await postCallEnded('/pathors/webhooks', { 'x-pathors-secret': 'retired-secret' }).expect(401);
    await postCallEnded('/pathors/webhooks', sharedSecretHeaders(SECRET)).expect(401);
  });

  it('mounts no endpoint when the webhook is disabled (forRoot)', async () => {
    harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { enabled: false } },
      providers: [CallLog],
    });
    await postCallEnded('/pathors/webhooks').expect(404);
    expect(harness.get(CallLog).sessions).toHaveLength(0);
  });

  it('mounts no route when forRootAsync disables the webhook', async () => {
    harness = await createWebhookApp({
      adapter,
      pathorsModule: PathorsModule.forRootAsync({ webhook: { enabled: false }, useFactory: () => ({}) }),
      providers: [CallLog],
    });
    // The adapter's own answer to a route that does not exist, not a refusal by a mounted controller.
    const { body } = await postCallEnded('/pathors/webhooks').expect(404);
    expect((body as { message: string }).message).toMatch(/POST.*\/pathors\/webhooks/);
    expect(harness.get(CallLog).sessions).toHaveLength(0);
  });

  it('accepts unauthenticated requests only with verify: false', async () => {
    harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { verify: false } },
      providers: [CallLog],
    });
    await postCallEnded('/pathors/webhooks', {}).expect(200);
  });
});

describe('boot-time checks', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const boot = async (imports: unknown[], logger: LoggerService | false = false) => {
    @Module({ imports: imports as never[] })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .setLogger(logger === false ? { log() {}, error() {}, warn() {} } : logger)
      .compile();
    app = moduleRef.createNestApplication({ logger: logger === false ? false : logger });
    await app.init();
    return app;
  };

  it('fails when EventEmitterModule.forRoot() is missing, saying what to add', async () => {
    await expect(boot([PathorsModule.forRoot({ webhook: { secret: SECRET } })])).rejects.toThrow(
      /Add EventEmitterModule\.forRoot\(\) to the imports of your AppModule/,
    );
  });

  it.each<[string, PathorsModuleOptions, RegExp]>([
    ['no credential', {}, /"webhook\.secret" is not set.*webhook\.verify: false.*webhook\.enabled: false/s],
    [
      'a signing secret without whsec_',
      { webhook: { signingSecret: 'abc' } },
      /"webhook\.signingSecret\[0\]" must start with "whsec_"/,
    ],
    [
      'an empty rotation entry',
      { webhook: { secret: [SECRET, ''] } },
      /"webhook\.secret\[1\]" must be a non-empty string/,
    ],
    [
      'a relative baseUrl',
      { baseUrl: 'api.pathors.com', webhook: { secret: SECRET } },
      /"baseUrl" is not an absolute URL/,
    ],
    [
      'a zero body limit',
      { webhook: { secret: SECRET, maxBodyBytes: 0 } },
      /"webhook\.maxBodyBytes" must be a positive integer/,
    ],
  ])('fails on %s with a message naming the option', async (_case, options, message) => {
    const failure = boot([EventEmitterModule.forRoot(), PathorsModule.forRoot(options)]);
    await expect(failure).rejects.toBeInstanceOf(PathorsConfigurationError);
    await expect(failure).rejects.toThrow(message);
  });

  it('boots an API-only app without any webhook option, and without EventEmitterModule', async () => {
    const booted = await boot([
      PathorsModule.forRoot({ apiKey: 'dk_test', projectId: 'p1', webhook: { enabled: false } }),
    ]);
    expect(booted.get(PathorsSessionService).projectId).toBe('p1');
  });

  it('warns at boot when verification is off, without printing any secret', async () => {
    const lines: string[] = [];
    const logger = {
      log: () => undefined,
      error: (message: unknown) => lines.push(String(message)),
      warn: (message: unknown) => lines.push(String(message)),
    } as unknown as ConsoleLogger;
    await boot([EventEmitterModule.forRoot(), PathorsModule.forRoot({ webhook: { verify: false } })], logger);
    expect(lines).toContainEqual(expect.stringContaining('webhook.verify is false'));
  });
});
