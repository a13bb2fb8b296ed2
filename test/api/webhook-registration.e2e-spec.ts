import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type INestApplication, type Type } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import {
  OnPathorsEvent,
  PathorsAuthenticationError,
  PathorsModule,
  type CallEndedEvent,
  type PathorsWebhookOptions,
  type SessionCreatedEvent,
  type SessionFinalizedEvent,
} from 'nestjs-pathors';
import { PathorsSimulator } from 'nestjs-pathors/testing';
import { createServer } from 'node:net';
import { CatchAllHandler } from '../support/recording-handlers.js';

/** Handles two lifecycle events and one platform event (which postSessionWebhook cannot subscribe to). */
@Injectable()
class OutcomeHandlers {
  readonly received: string[] = [];

  @OnPathorsEvent('session.finalized')
  onFinalized(event: SessionFinalizedEvent) {
    this.received.push(`${event.event}:${event.sessionId}`);
  }

  @OnPathorsEvent(['call.ended', 'session.created'])
  onCallOrCreated(event: CallEndedEvent | SessionCreatedEvent) {
    this.received.push(
      'event' in event ? `${event.event}:${event.sessionId}` : `${event.eventType}:${event.id}`,
    );
  }
}

const SECRET = 'whk_registration_secret_0123456789';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('webhook.register: boot-time registration of the agent webhook', () => {
  const simulator = new PathorsSimulator();
  const apps: INestApplication[] = [];

  const boot = async (
    handlers: Type[],
    webhook: Partial<PathorsWebhookOptions> = {},
    options: { globalPrefix?: string; port?: number } = {},
  ): Promise<INestApplication> => {
    @Module({
      imports: [
        EventEmitterModule.forRoot(),
        PathorsModule.forRoot({
          ...simulator.moduleOptions(),
          retry: { maxAttempts: 1 },
          webhook: { secret: SECRET, register: { publicUrl: 'https://hooks.example.com/' }, ...webhook },
        }),
      ],
      providers: handlers,
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    if (options.globalPrefix) app.setGlobalPrefix(options.globalPrefix);
    apps.push(app);
    if (options.port) await app.listen(options.port, '127.0.0.1');
    else await app.init();
    return app;
  };

  beforeAll(async () => {
    await simulator.start();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    simulator.clearRequests();
    simulator.resetFaults();
    simulator.setAgentConfig({ ...simulator.agentConfig(), postSessionWebhook: null });
  });
  afterAll(async () => {
    await simulator.stop();
  });

  it('sets URL, secret header and exactly the handled lifecycle events, keeping every other agent setting', async () => {
    const before = simulator.agentConfig();
    simulator.setAgentConfig({
      ...before,
      postSessionWebhook: { url: 'https://old.example.com/hook', headers: [{ key: 'X-Trace', value: 'on' }] },
    });

    await boot([OutcomeHandlers], {}, { globalPrefix: 'api' });

    const after = simulator.agentConfig();
    expect(after.postSessionWebhook).toEqual({
      url: 'https://hooks.example.com/api/pathors/webhooks',
      headers: [
        { key: 'X-Trace', value: 'on' },
        { key: 'authorization', value: `Bearer ${SECRET}` },
      ],
      events: ['call.ended', 'session.finalized'],
    });
    const { postSessionWebhook: _ignored, ...others } = after;
    const { postSessionWebhook: _old, ...othersBefore } = before;
    expect(others).toEqual(othersBefore);
    expect(simulator.requests().map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /v1/projects/proj_simulator/agent',
      'PUT /v1/projects/proj_simulator/agent',
    ]);
  });

  it('is idempotent: a second boot with the same handlers writes nothing', async () => {
    await boot([OutcomeHandlers]);
    await apps.pop()?.close();
    const registered = simulator.agentConfig().postSessionWebhook;
    simulator.clearRequests();

    await boot([OutcomeHandlers]);

    expect(simulator.requestsMatching({ method: 'PUT' })).toHaveLength(0);
    expect(simulator.requestsMatching({ method: 'GET', path: '/agent' })).toHaveLength(1);
    expect(simulator.agentConfig().postSessionWebhook).toEqual(registered);
  });

  it('a catch-all handler subscribes every lifecycle event; a new handler set is written on the next boot', async () => {
    await boot([OutcomeHandlers]);
    await apps.pop()?.close();
    simulator.clearRequests();

    await boot([CatchAllHandler]);

    expect(simulator.requestsMatching({ method: 'PUT' })).toHaveLength(1);
    expect(simulator.agentConfig().postSessionWebhook).toMatchObject({
      events: ['session.ended', 'call.ended', 'session.finalized', 'recording.ready'],
    });
  });

  it('puts the raw secret in a custom secret header', async () => {
    await boot([OutcomeHandlers], { secretHeader: 'X-Pathors-Secret' });

    expect(simulator.agentConfig().postSessionWebhook).toMatchObject({
      headers: [{ key: 'x-pathors-secret', value: SECRET }],
    });
  });

  it('leaves the agent unchanged when no handler listens to a lifecycle event', async () => {
    @Injectable()
    class PlatformOnly {
      @OnPathorsEvent('session.created')
      onCreated() {}
    }

    await boot([PlatformOnly]);

    expect(simulator.requests()).toHaveLength(0);
    expect(simulator.agentConfig().postSessionWebhook).toBeNull();
  });

  it('fails the boot when registration fails, unless required is false', async () => {
    simulator.failNext(1, 401, { match: { path: '/agent' } });
    await expect(boot([OutcomeHandlers])).rejects.toBeInstanceOf(PathorsAuthenticationError);

    simulator.failNext(1, 401, { match: { path: '/agent' } });
    await expect(
      boot([OutcomeHandlers], { register: { publicUrl: 'https://hooks.example.com', required: false } }),
    ).resolves.toBeDefined();
    expect(simulator.agentConfig().postSessionWebhook).toBeNull();
  });

  it('registered this way, the simulated sessions reach the handlers authenticated', async () => {
    const port = await freePort();
    const app = await boot(
      [OutcomeHandlers],
      { register: { publicUrl: `http://127.0.0.1:${port}` } },
      { port },
    );

    const played = await simulator.playSession({ channel: 'call' });

    expect(played.deliveries.map((delivery) => [delivery.event, delivery.status])).toEqual([
      ['call.ended', 200],
      ['session.finalized', 200],
    ]);
    expect(app.get(OutcomeHandlers).received).toEqual([
      `call.ended:${played.sessionId}`,
      `session.finalized:${played.sessionId}`,
    ]);
  });
});
