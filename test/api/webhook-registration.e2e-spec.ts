import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Module, type INestApplication, type LoggerService, type Type } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  OnPathorsEvent,
  PathorsModule,
  type CallEndedEvent,
  type PathorsWebhookOptions,
  type SessionCreatedEvent,
  type SessionFinalizedEvent,
} from 'nestjs-pathors';
import { PathorsSimulator } from 'nestjs-pathors/testing';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { CatchAllHandler } from '../support/recording-handlers.js';
import { ADAPTERS, type AdapterName } from '../support/webhook-app.js';

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

/** Keeps the registrar's log lines and lets a test wait for one. */
class RegistrarLog implements LoggerService {
  readonly lines: Array<{ level: string; message: string }> = [];
  private readonly waiting: Array<() => void> = [];

  private push(level: string, message: unknown, context: unknown): void {
    if (context !== 'PathorsWebhookRegistrar') return;
    this.lines.push({ level, message: String(message) });
    this.waiting.splice(0).forEach((wake) => wake());
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

  /** The first line of `level` containing `text`, once it is logged. */
  async waitFor(level: string, text: string): Promise<string> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const line = this.lines.find((each) => each.level === level && each.message.includes(text));
      if (line) return line.message;
      if (Date.now() > deadline) throw new Error(`no ${level} line containing "${text}" was logged`);
      await new Promise<void>((wake) => {
        this.waiting.push(wake);
        setTimeout(wake, 50);
      });
    }
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

interface BootOptions {
  readonly adapter?: AdapterName;
  readonly globalPrefix?: string;
  /** `false`: `app.init()` only. */
  readonly listen?: boolean;
}

interface BootedApp {
  readonly app: INestApplication;
  readonly log: RegistrarLog;
  /** Where the app listens (or would), and what `webhook.register.publicUrl` is unless overridden. */
  readonly publicUrl: string;
  listen(): Promise<void>;
}

const apps: INestApplication[] = [];

async function boot(
  simulator: PathorsSimulator,
  handlers: Type[],
  webhook: Partial<PathorsWebhookOptions> = {},
  options: BootOptions = {},
): Promise<BootedApp> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  @Module({
    imports: [
      EventEmitterModule.forRoot(),
      PathorsModule.forRoot({
        ...simulator.moduleOptions(),
        retry: { maxAttempts: 1 },
        webhook: { secret: SECRET, register: { publicUrl }, ...webhook },
      }),
    ],
    providers: handlers,
  })
  class AppModule {}
  const log = new RegistrarLog();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app =
    options.adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: log })
      : moduleRef.createNestApplication({ logger: log });
  if (options.globalPrefix) app.setGlobalPrefix(options.globalPrefix);
  apps.push(app);
  const booted = { app, log, publicUrl, listen: () => app.listen(port, '127.0.0.1').then(() => undefined) };
  await app.init();
  if (options.listen !== false) await booted.listen();
  return booted;
}

const AGENT = { path: '/agent' } as const;
const AGENT_WRITE = { method: 'PUT', path: '/agent' } as const;

describe('webhook.register: registration of the agent webhook', () => {
  const simulator = new PathorsSimulator();
  let exit: jest.Spied<typeof process.exit> | undefined;

  beforeAll(async () => {
    await simulator.start();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    exit?.mockRestore();
    exit = undefined;
    simulator.clearRequests();
    simulator.resetFaults();
    simulator.setAgentConfig({ ...simulator.agentConfig(), postSessionWebhook: null });
  });
  afterAll(async () => {
    await simulator.stop();
  });

  /** Replaces `process.exit` for one test, recording the codes instead of ending Jest. */
  const spyOnExit = () => {
    const spy = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    exit = spy;
    return spy;
  };

  it('sets URL, secret header and exactly the handled lifecycle events, keeping every other agent setting', async () => {
    const before = simulator.agentConfig();
    simulator.setAgentConfig({
      ...before,
      postSessionWebhook: { url: 'https://old.example.com/hook', headers: [{ key: 'X-Trace', value: 'on' }] },
    });

    await boot(
      simulator,
      [OutcomeHandlers],
      { register: { publicUrl: 'https://hooks.example.com/' } },
      { globalPrefix: 'api' },
    );
    await simulator.waitForRequest(AGENT_WRITE);

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
    const register = { publicUrl: 'https://hooks.example.com' };
    await boot(simulator, [OutcomeHandlers], { register });
    await simulator.waitForRequest(AGENT_WRITE);
    await apps.pop()?.close();
    const registered = simulator.agentConfig().postSessionWebhook;
    simulator.clearRequests();

    const { log } = await boot(simulator, [OutcomeHandlers], { register });

    expect(await log.waitFor('log', 'Already registered')).toBe(
      'Already registered https://hooks.example.com/pathors/webhooks on the Pathors agent for call.ended, session.finalized',
    );
    expect(simulator.requestsMatching({ method: 'PUT' })).toHaveLength(0);
    expect(simulator.requestsMatching({ method: 'GET', path: '/agent' })).toHaveLength(1);
    expect(simulator.agentConfig().postSessionWebhook).toEqual(registered);
  });

  it('a catch-all handler subscribes every lifecycle event; a new handler set is written on the next boot', async () => {
    await boot(simulator, [OutcomeHandlers]);
    await simulator.waitForRequest(AGENT_WRITE);
    await apps.pop()?.close();
    simulator.clearRequests();

    await boot(simulator, [CatchAllHandler]);
    await simulator.waitForRequest(AGENT_WRITE);

    expect(simulator.requestsMatching({ method: 'PUT' })).toHaveLength(1);
    expect(simulator.agentConfig().postSessionWebhook).toMatchObject({
      events: ['session.ended', 'call.ended', 'session.finalized', 'recording.ready'],
    });
  });

  it('puts the raw secret in a custom secret header', async () => {
    await boot(simulator, [OutcomeHandlers], { secretHeader: 'X-Pathors-Secret' });
    await simulator.waitForRequest(AGENT_WRITE);

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

    const { log } = await boot(simulator, [PlatformOnly]);

    expect(await log.waitFor('warn', 'no @OnPathorsEvent() handler listens to a lifecycle event')).toContain(
      'so the agent was left unchanged',
    );
    expect(simulator.requests()).toHaveLength(0);
    expect(simulator.agentConfig().postSessionWebhook).toBeNull();
  });

  it('an app that is initialised but never listens registers nothing', async () => {
    const { app } = await boot(simulator, [OutcomeHandlers], {}, { listen: false });

    // Registration used to run inside init(): by now it would have read and written the agent.
    expect(simulator.requests()).toHaveLength(0);
    await app.close();
    expect(simulator.requests()).toHaveLength(0);
    expect(simulator.agentConfig().postSessionWebhook).toBeNull();
  });

  it('required (the default): a failed registration is logged and the process exits with code 1', async () => {
    const exits = spyOnExit();
    simulator.failNext(1, 401, { match: AGENT });

    const { app, log } = await boot(simulator, [OutcomeHandlers]);

    const line = await log.waitFor('error', 'Could not register the webhook on the Pathors agent');
    expect(line).toContain('webhook.register.required is true, so the process exits with code 1');
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain(simulator.apiKey);
    expect(exits.mock.calls).toEqual([[1]]);
    // app.listen() itself had resolved: the failure comes after the server listens.
    expect((app.getHttpServer() as Server).listening).toBe(true);
    expect(simulator.agentConfig().postSessionWebhook).toBeNull();
  });

  it('required: false: a failed registration is logged and the app keeps running', async () => {
    const exits = spyOnExit();
    simulator.failNext(1, 401, { match: AGENT });

    const { app, log, publicUrl } = await boot(simulator, [OutcomeHandlers], {
      register: { publicUrl: 'https://hooks.example.com', required: false },
    });

    const line = await log.waitFor('error', 'Could not register the webhook on the Pathors agent');
    expect(line).not.toContain('exits');
    expect(exits).not.toHaveBeenCalled();
    expect((app.getHttpServer() as Server).listening).toBe(true);
    // The webhook is served (and still authenticated) although it is not registered.
    const unauthenticated = await fetch(`${publicUrl}/pathors/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unauthenticated.status).toBe(401);
    expect(simulator.agentConfig().postSessionWebhook).toBeNull();
  });

  it('an app closed while its registration is under way neither writes the agent nor exits', async () => {
    const exits = spyOnExit();
    simulator.delayNext(1, 300, AGENT);

    const { app, log } = await boot(simulator, [OutcomeHandlers]);
    await app.close();
    await new Promise((resolve) => setTimeout(resolve, 400));

    expect(exits).not.toHaveBeenCalled();
    expect(log.lines.filter((each) => each.level === 'error')).toEqual([]);
    expect(simulator.requestsMatching({ method: 'PUT' })).toHaveLength(0);
    expect(simulator.agentConfig().postSessionWebhook).toBeNull();
  });

  it('registers at once when the server already listens at bootstrap', async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;

    // The raw server started by hand before app.init(), as some hosting setups do instead of app.listen().
    @Module({
      imports: [
        EventEmitterModule.forRoot(),
        PathorsModule.forRoot({
          ...simulator.moduleOptions(),
          webhook: { secret: SECRET, register: { publicUrl } },
        }),
      ],
      providers: [OutcomeHandlers],
    })
    class EarlyListeningModule {}
    const moduleRef = await Test.createTestingModule({ imports: [EarlyListeningModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    apps.push(app);
    const server = app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await app.init();

    await simulator.waitForRequest(AGENT_WRITE);
    expect(simulator.agentConfig().postSessionWebhook).toMatchObject({
      url: `${publicUrl}/pathors/webhooks`,
    });
  });

  it('registered this way, the simulated sessions reach the handlers authenticated', async () => {
    const { app } = await boot(simulator, [OutcomeHandlers]);
    await simulator.waitForRequest(AGENT_WRITE);

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

describe.each(ADAPTERS)('webhook.register runs once the app listens (%s)', (adapter) => {
  // This simulator probes a webhook URL as it is set: the route must already answer.
  const simulator = new PathorsSimulator({ probeWebhooks: true });

  beforeAll(async () => {
    await simulator.start();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    simulator.clearRequests();
    simulator.setAgentConfig({ ...simulator.agentConfig(), postSessionWebhook: null });
  });
  afterAll(async () => {
    await simulator.stop();
  });

  it('writes nothing at init; after listen, the URL it sets is answered when Pathors probes it', async () => {
    const booted = await boot(
      simulator,
      [OutcomeHandlers],
      {},
      { adapter, listen: false, globalPrefix: 'api' },
    );
    expect(simulator.requests()).toHaveLength(0);

    await booted.listen();
    await simulator.waitForRequest(AGENT_WRITE);

    const url = `${booted.publicUrl}/api/pathors/webhooks`;
    expect(simulator.agentConfig().postSessionWebhook).toMatchObject({ url });
    const probes = simulator.webhookProbes();
    expect(probes).toHaveLength(1);
    // Answered by the module's route, authenticated: not a refused connection, not a 404.
    expect(probes[0]).toMatchObject({ event: 'webhook.probe', status: 202 });
    expect(JSON.parse(probes[0].responseBody ?? '')).toEqual({
      received: true,
      note: 'no handler for this event',
    });
  });
});
