import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  CallEndedEvent,
  OnPathorsEvent,
  PathorsClients,
  PathorsConfigurationError,
  PathorsDelivery,
  PathorsModule,
  PathorsPermanentError,
  PathorsSessionService,
  type PathorsIdempotencyStore,
  type PathorsProjectClients,
} from 'nestjs-pathors';
import { BullMqInbox } from 'nestjs-pathors/inbox';
import { RedisIdempotencyStore } from 'nestjs-pathors/redis';
import { buildCallEnded, deliver, sharedSecretHeaders } from 'nestjs-pathors/testing';
import { PathorsSimulator } from 'nestjs-pathors/testing/simulator';
import { connectRedis, deleteKeys, eventually, uniquePrefix } from './delivery/support/delivery-fixtures.js';
import { ADAPTERS, createWebhookApp, type WebhookApp } from './support/webhook-app.js';

const SALES_SECRET = 'sales-secret-0123456789';
const SUPPORT_SECRET = 'support-secret-0123456789';

interface Heard {
  readonly handler: string;
  readonly registration: string;
  readonly sessionId: string;
}

@Injectable()
class AgentHandlers {
  readonly heard: Heard[] = [];

  @OnPathorsEvent('call.ended', { registration: 'sales' })
  onSalesCall(event: CallEndedEvent, delivery: PathorsDelivery) {
    this.heard.push({ handler: 'sales', registration: delivery.registration, sessionId: event.sessionId });
  }

  @OnPathorsEvent('call.ended', { registration: 'support' })
  onSupportCall(event: CallEndedEvent, delivery: PathorsDelivery) {
    this.heard.push({ handler: 'support', registration: delivery.registration, sessionId: event.sessionId });
  }

  @OnPathorsEvent('call.ended')
  onAnyCall(event: CallEndedEvent, delivery: PathorsDelivery) {
    this.heard.push({ handler: 'any', registration: delivery.registration, sessionId: event.sessionId });
  }
}

/** A provider that reaches both projects by name, as an app with two agents does. */
@Injectable()
class TwoAgents {
  readonly sales: PathorsProjectClients;
  readonly support: PathorsProjectClients;

  constructor(readonly clients: PathorsClients) {
    this.sales = clients.get('sales');
    this.support = clients.get('support');
  }
}

const post = (harness: WebhookApp, path: string, secret: string, sessionId: string) =>
  request(harness.server)
    .post(path)
    .set(sharedSecretHeaders(secret))
    .send(buildCallEnded({ sessionId, callStatus: 'busy', callDuration: 0 }));

describe.each(ADAPTERS)('two named registrations on %s', (adapter) => {
  const simulators = {
    sales: new PathorsSimulator(),
    support: new PathorsSimulator({ projectId: 'proj_support' }),
  };
  let harness: WebhookApp | undefined;

  beforeAll(async () => {
    await Promise.all([simulators.sales.start(), simulators.support.start()]);
  });
  afterAll(async () => {
    await Promise.all([simulators.sales.stop(), simulators.support.stop()]);
  });
  afterEach(async () => {
    await harness?.app.close();
    harness = undefined;
  });

  async function bootTwoAgents(stores?: {
    sales: PathorsIdempotencyStore;
    support: PathorsIdempotencyStore;
  }) {
    harness = await createWebhookApp({
      adapter,
      pathorsModule: PathorsModule.forRoot({
        name: 'sales',
        ...simulators.sales.moduleOptions(),
        webhook: { secret: SALES_SECRET },
        delivery: stores && { store: stores.sales },
      }),
      imports: [
        PathorsModule.forRootAsync({
          name: 'support',
          useFactory: () => ({
            ...simulators.support.moduleOptions(),
            webhook: { secret: SUPPORT_SECRET },
            delivery: stores && { store: stores.support },
          }),
        }),
      ],
      providers: [AgentHandlers, TwoAgents],
    });
    return harness;
  }

  it('mounts each registration at its own path and hands each event to its own handlers', async () => {
    const app = await bootTwoAgents();
    await post(app, '/pathors/webhooks/sales', SALES_SECRET, 'sess-sales-1').expect(200);
    await post(app, '/pathors/webhooks/support', SUPPORT_SECRET, 'sess-support-1').expect(200);
    // Each registration authenticates with its own secret.
    await post(app, '/pathors/webhooks/sales', SUPPORT_SECRET, 'sess-x').expect(401);

    expect(app.get(AgentHandlers).heard).toEqual(
      expect.arrayContaining([
        { handler: 'sales', registration: 'sales', sessionId: 'sess-sales-1' },
        { handler: 'any', registration: 'sales', sessionId: 'sess-sales-1' },
        { handler: 'support', registration: 'support', sessionId: 'sess-support-1' },
        { handler: 'any', registration: 'support', sessionId: 'sess-support-1' },
      ]),
    );
    expect(app.get(AgentHandlers).heard).toHaveLength(4);
  });

  it("delivers to a named registration with the testing kit's deliver()", async () => {
    const app = await bootTwoAgents();
    const { status } = await deliver(app.app, buildCallEnded({ sessionId: 'kit-support' }), {
      registration: 'support',
    });
    expect(status).toBe(200);
    expect(
      app
        .get(AgentHandlers)
        .heard.map(({ handler }) => handler)
        .sort(),
    ).toEqual(['any', 'support']);
    await expect(deliver(app.app, buildCallEnded(), { registration: 'billing' })).rejects.toThrow(
      'registered: "sales", "support"',
    );
  });

  it('handles the same session id once in each project (in-memory stores)', async () => {
    const app = await bootTwoAgents();
    for (const [path, secret] of [
      ['/pathors/webhooks/sales', SALES_SECRET],
      ['/pathors/webhooks/support', SUPPORT_SECRET],
    ] as const) {
      await post(app, path, secret, 'shared-session').expect(200, { received: true });
      await post(app, path, secret, 'shared-session').expect(200, {
        received: true,
        note: 'duplicate: already processed',
      });
    }
    const heard = app
      .get(AgentHandlers)
      .heard.map(({ handler, registration }) => `${registration}/${handler}`);
    expect(heard.sort()).toEqual(['sales/any', 'sales/sales', 'support/any', 'support/support']);
  });

  it('handles the same session id once in each project when both share one Redis store', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: 6379 });
    const keyPrefix = `pathors-test:${randomUUID()}:`;
    const store = new RedisIdempotencyStore(redis, { keyPrefix });
    try {
      const app = await bootTwoAgents({ sales: store, support: store });
      await post(app, '/pathors/webhooks/sales', SALES_SECRET, 'redis-shared').expect(200, {
        received: true,
      });
      await post(app, '/pathors/webhooks/support', SUPPORT_SECRET, 'redis-shared').expect(200, {
        received: true,
      });
      await post(app, '/pathors/webhooks/support', SUPPORT_SECRET, 'redis-shared').expect(200, {
        received: true,
        note: 'duplicate: already processed',
      });
      expect(app.get(AgentHandlers).heard).toHaveLength(4);
      // The two projects' records live under keys of their own.
      const keys = await redis.keys(`${keyPrefix}*`);
      expect(keys.some((key) => key.includes('sales:lifecycle:redis-shared:call.ended'))).toBe(true);
      expect(keys.some((key) => key.includes('support:lifecycle:redis-shared:call.ended'))).toBe(true);
    } finally {
      await harness?.app.close();
      harness = undefined;
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it("calls each project's API with its own services", async () => {
    const app = await bootTwoAgents();
    const { sales, support } = app.get(TwoAgents);
    await sales.sessions.createSession({ sessionId: 'sales-api-session' });
    await support.sessions.createSession({ sessionId: 'support-api-session' });

    expect(simulators.sales.session('sales-api-session')).toBeDefined();
    expect(simulators.sales.session('support-api-session')).toBeUndefined();
    expect(simulators.support.session('support-api-session')).toBeDefined();
    expect(sales.sessions.projectId).toBe(simulators.sales.projectId);
    expect(support.sessions.projectId).toBe('proj_support');
  });

  it('exports no class-token services from named registrations, so neither shadows the other', async () => {
    @Injectable()
    class InjectsByClass {
      constructor(readonly sessions: PathorsSessionService) {}
    }
    await expect(
      createWebhookApp({
        adapter,
        pathorsModule: PathorsModule.forRoot({ name: 'sales', webhook: { secret: SALES_SECRET } }),
        imports: [PathorsModule.forRoot({ name: 'support', webhook: { secret: SUPPORT_SECRET } })],
        providers: [InjectsByClass],
      }),
    ).rejects.toThrow(/can't resolve dependencies of the InjectsByClass/);
  });
});

/** The sales agent's handler, failing for a lead the CRM does not know. */
@Injectable()
class SalesCrm {
  @OnPathorsEvent('call.ended', { registration: 'sales' })
  onCall(event: CallEndedEvent) {
    throw new PathorsPermanentError(`no lead for ${event.sessionId}`);
  }
}

describe('dead letters of a named registration', () => {
  const redis = connectRedis();
  const prefix = uniquePrefix('named-dead-letters');
  let harness: WebhookApp;
  beforeAll(async () => {
    const connection = { host: '127.0.0.1', port: 6379 };
    harness = await createWebhookApp({
      adapter: 'express',
      pathorsModule: PathorsModule.forRoot({
        name: 'sales',
        webhook: { secret: SALES_SECRET },
        delivery: {
          store: new RedisIdempotencyStore(redis, { keyPrefix: `${prefix}idempotency:` }),
          inbox: new BullMqInbox({ connection, prefix: `${prefix}bull` }),
        },
      }),
      imports: [PathorsModule.forRoot({ name: 'support', webhook: { secret: SUPPORT_SECRET } })],
      providers: [SalesCrm],
    });
  });
  afterAll(async () => {
    await harness?.app.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("lists and replays each registration's own dead letters through PathorsClients", async () => {
    const clients = harness.get(PathorsClients);
    const sessionId = randomUUID();
    expect((await post(harness, '/pathors/webhooks/sales', SALES_SECRET, sessionId)).status).toBe(202);

    const sales = clients.deadLetters('sales');
    await eventually(async () => (await sales.count()) === 1, 'dead-lettered');
    const [deadLetter] = await sales.list();
    expect(deadLetter!.failedReason).toContain(`SalesCrm.onCall: no lead for ${sessionId}`);
    expect(await sales.replay(deadLetter!.id)).toBe(true);

    expect(() => clients.deadLetters('support').count()).toThrow(
      new PathorsConfigurationError(
        'Dead letters exist only with a durable inbox. Set delivery.inbox in PathorsModule options, e.g. ' +
          "new BullMqInbox({ connection }) from 'nestjs-pathors/inbox'.",
      ),
    );
    expect(() => clients.deadLetters()).toThrow(
      'No PathorsModule registration named "default". Registered: "sales", "support".',
    );
  });
});

describe('clients for a tenant known at run time', () => {
  it("calls the tenant's project with the tenant's key, on the registration's base URL and transport", async () => {
    const pathors = new PathorsSimulator({ apiKey: 'dk_tenant_key_123', projectId: 'proj_tenant' });
    await pathors.start();
    const harness = await createWebhookApp({
      adapter: 'express',
      pathors: {
        baseUrl: pathors.url,
        apiKey: 'dk_platform_own_key',
        projectId: 'proj_platform',
        retry: { maxAttempts: 1 },
        webhook: { enabled: false },
      },
    });
    try {
      const tenant = harness
        .get(PathorsClients)
        .create({ apiKey: 'dk_tenant_key_123', projectId: 'proj_tenant' });
      await tenant.sessions.createSession({ sessionId: 'tenant-session' });
      expect(pathors.session('tenant-session')).toBeDefined();
      expect(tenant.sessions.projectId).toBe('proj_tenant');
      // The registration's own credentials are untouched.
      await expect(
        harness.get(PathorsSessionService).createSession({ sessionId: 'platform-session' }),
      ).rejects.toMatchObject({ status: 401 });
    } finally {
      await harness.app.close();
      await pathors.stop();
    }
  });

  it('refuses empty credentials', async () => {
    const harness = await createWebhookApp({ adapter: 'express', pathors: { webhook: { enabled: false } } });
    try {
      expect(() => harness.get(PathorsClients).create({ apiKey: '', projectId: 'p' })).toThrow(
        'PathorsClients.create() needs a non-empty apiKey',
      );
    } finally {
      await harness.app.close();
    }
  });
});

describe('boot diagnostics of two registrations', () => {
  it("lists each registration's own handlers, naming the registration", async () => {
    const lines: string[] = [];
    const logger = {
      log: (message: unknown, context?: unknown) => {
        if (context === 'PathorsBootDiagnostics') lines.push(String(message));
      },
      warn: () => undefined,
      error: () => undefined,
    };
    @Module({
      imports: [
        EventEmitterModule.forRoot(),
        PathorsModule.forRoot({ name: 'sales', webhook: { secret: SALES_SECRET } }),
        PathorsModule.forRoot({ name: 'support', webhook: { secret: SUPPORT_SECRET } }),
      ],
      providers: [AgentHandlers],
    })
    class DiagnosedModule {}
    const moduleRef = await Test.createTestingModule({ imports: [DiagnosedModule] }).compile();
    const app = moduleRef.createNestApplication({ logger });
    await app.init();
    try {
      expect(lines).toEqual(
        expect.arrayContaining([
          'Webhook endpoint: POST /pathors/webhooks/sales (registration "sales")',
          'Event handlers: call.ended -> AgentHandlers.onSalesCall, AgentHandlers.onAnyCall',
          'Webhook endpoint: POST /pathors/webhooks/support (registration "support")',
          'Event handlers: call.ended -> AgentHandlers.onSupportCall, AgentHandlers.onAnyCall',
        ]),
      );
    } finally {
      await app.close();
    }
  });
});

describe('registration names that do not exist', () => {
  it('fails the boot when PathorsClients.get names an unknown registration, listing the registered ones', async () => {
    @Injectable()
    class Misspelt {
      constructor(clients: PathorsClients) {
        clients.get('salse');
      }
    }
    const boot = createWebhookApp({
      adapter: 'express',
      pathorsModule: PathorsModule.forRoot({ name: 'sales', webhook: { secret: SALES_SECRET } }),
      imports: [PathorsModule.forRoot({ name: 'support', webhook: { secret: SUPPORT_SECRET } })],
      providers: [Misspelt],
    });
    await expect(boot).rejects.toThrow(PathorsConfigurationError);
    await expect(boot).rejects.toThrow(
      'No PathorsModule registration named "salse". Registered: "sales", "support".',
    );
  });

  it('fails the boot when a handler is limited to an unknown registration', async () => {
    @Injectable()
    class WrongHandler {
      @OnPathorsEvent('call.ended', { registration: 'billing' })
      onCall() {}
    }
    await expect(
      createWebhookApp({
        adapter: 'express',
        pathors: { webhook: { secret: SALES_SECRET } },
        providers: [WrongHandler],
      }),
    ).rejects.toThrow(
      'WrongHandler.onCall is limited to the PathorsModule registration "billing", which this app does not have. ' +
        'Registered: "default".',
    );
  });

  it('refuses a registration name that cannot be part of a path or key', () => {
    expect(() => PathorsModule.forRoot({ name: 'sales team', webhook: { secret: SALES_SECRET } })).toThrow(
      /option "name" must be letters, digits/,
    );
  });
});
