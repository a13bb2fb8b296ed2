import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { PathorsModule, type PathorsModuleOptions } from 'nestjs-pathors';
import { PathorsSimulator } from 'nestjs-pathors/testing';
import { PathorsHealthIndicator } from 'nestjs-pathors/terminus';
import request from 'supertest';
import { healthControllerOf } from '../support/health-controller.js';

const HealthController = healthControllerOf((pathors) => [
  () => pathors.isHealthy('pathors', { timeoutMs: 300 }),
]);

describe('PathorsHealthIndicator (nestjs-pathors/terminus)', () => {
  const simulator = new PathorsSimulator();
  let app: INestApplication | undefined;

  const boot = async (options: PathorsModuleOptions = {}): Promise<INestApplication> => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        TerminusModule.forRoot({ logger: false }),
        PathorsModule.forRoot({ ...simulator.moduleOptions(), webhook: { enabled: false }, ...options }),
      ],
      controllers: [HealthController],
      providers: [PathorsHealthIndicator],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  };

  beforeAll(async () => {
    await simulator.start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    simulator.resetFaults();
    simulator.clearRequests();
  });
  afterAll(async () => {
    await simulator.stop();
  });

  it('is up when the API answers an authenticated request for the project', async () => {
    const response = await request((await boot()).getHttpServer()).get('/health');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', info: { pathors: { status: 'up' } } });
    expect(simulator.requests().map((each) => `${each.method} ${each.path}`)).toEqual([
      'GET /v1/projects/proj_simulator/agent',
    ]);
  });

  it('is down with the reason when the key is rejected, and never shows the key', async () => {
    const apiKey = 'dk_rejected_key_0123456789';
    const response = await request((await boot({ apiKey })).getHttpServer()).get('/health');

    expect(response.status).toBe(503);
    expect(response.body.error.pathors).toEqual({
      status: 'down',
      reason: 'PathorsAuthenticationError',
      statusCode: 401,
      message: 'Invalid authentication',
    });
    expect(JSON.stringify(response.body)).not.toContain(apiKey);
  });

  it('is down when Pathors is too slow, without retrying', async () => {
    simulator.delayNext(1, 2000);

    const response = await request((await boot()).getHttpServer()).get('/health');

    expect(response.status).toBe(503);
    expect(response.body.error.pathors).toMatchObject({ status: 'down', reason: 'PathorsTimeoutError' });
    expect(simulator.requests()).toHaveLength(1);
  });

  it('is down, naming the option, when the API is not configured', async () => {
    const response = await request((await boot({ apiKey: undefined })).getHttpServer()).get('/health');

    expect(response.status).toBe(503);
    expect(response.body.error.pathors).toMatchObject({
      status: 'down',
      reason: 'PathorsConfigurationError',
      message: expect.stringContaining('"apiKey"'),
    });
  });

  it('checks a named registration, in an app that has no default one', async () => {
    // Each project's API is its own simulator: the check must reach the one of the registration it names.
    const support = new PathorsSimulator();
    await support.start();
    try {
      const NamedHealthController = healthControllerOf((pathors) => [
        () => pathors.isHealthy('sales', { registration: 'sales', timeoutMs: 300 }),
        () => pathors.isHealthy('support', { registration: 'support', timeoutMs: 300 }),
        () => pathors.isStoreHealthy('support-store', { registration: 'support' }),
        () => pathors.isInboxHealthy('support-inbox', { registration: 'support' }),
      ]);
      const moduleRef = await Test.createTestingModule({
        imports: [
          EventEmitterModule.forRoot(),
          TerminusModule.forRoot({ logger: false }),
          PathorsModule.forRoot({ name: 'sales', ...simulator.moduleOptions(), webhook: { enabled: false } }),
          PathorsModule.forRoot({ name: 'support', ...support.moduleOptions(), webhook: { enabled: false } }),
        ],
        controllers: [NamedHealthController],
        providers: [PathorsHealthIndicator],
      }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      support.failNext(1, 401);

      const response = await request(app.getHttpServer()).get('/health');

      expect(response.status).toBe(503);
      expect(response.body.info).toMatchObject({
        sales: { status: 'up' },
        'support-store': { status: 'up' },
      });
      expect(response.body.error).toMatchObject({
        support: { status: 'down', statusCode: 401 },
        'support-inbox': { status: 'down', reason: 'not-configured' },
      });
      expect(simulator.requests()).toHaveLength(1);
      expect(support.requests()).toHaveLength(1);

      await expect(
        app.get(PathorsHealthIndicator).isStoreHealthy('store', { registration: 'suport' }),
      ).rejects.toThrow('No PathorsModule registration named "suport". Registered: "sales", "support".');
    } finally {
      await support.stop();
    }
  });
});
