import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { BullMqInbox } from 'nestjs-pathors/inbox';
import { RedisIdempotencyStore } from 'nestjs-pathors/redis';
import { PathorsHealthIndicator } from 'nestjs-pathors/terminus';
import { buildCallEnded } from 'nestjs-pathors/testing';
import request from 'supertest';
import { CallEndedConsumers, SECRET, eventually, post } from '../delivery/support/delivery-fixtures.js';
import { RedisServer } from '../support/redis-server.js';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../support/webhook-app.js';

@Controller('health')
class InboxHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly pathors: PathorsHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.pathors.isInboxHealthy()]);
  }
}

describe.each(ADAPTERS)('BullMqInbox faults on %s', (adapter) => {
  // Durable, so the jobs answered 202 before the kill are still queued after the restart.
  let server: RedisServer;
  let redis: Redis;
  let harness: WebhookApp;
  let consumers: CallEndedConsumers;

  beforeAll(async () => {
    server = await RedisServer.start({ durable: true });
    redis = new Redis(server.connection);
    redis.on('error', () => undefined);
    harness = await createWebhookApp({
      adapter,
      pathors: {
        webhook: { secret: SECRET },
        delivery: {
          store: new RedisIdempotencyStore(redis, { commandTimeoutMs: 300 }),
          inbox: new BullMqInbox({ connection: server.connection, backoffMs: 200, commandTimeoutMs: 300 }),
        },
      },
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [InboxHealthController],
      providers: [CallEndedConsumers, PathorsHealthIndicator],
    });
    consumers = harness.get(CallEndedConsumers);
  });
  afterAll(async () => {
    await harness?.app.close();
    redis?.disconnect();
    await server?.stop();
  });

  const health = () => request(harness.server).get('/health');

  it('answers 503 while Redis is down, then queues and handles once, and runs nothing twice', async () => {
    const before = buildCallEnded();
    expect((await post(harness.server, before)).body).toEqual({ received: true, note: 'queued' });
    await eventually(() => consumers.runsOf(before.sessionId).every((runs) => runs === 1), 'handled');

    await server.kill();
    const during = buildCallEnded();
    const refused = await post(harness.server, during);
    expect({ status: refused.status, retryAfter: refused.headers['retry-after'] }).toEqual({
      status: 503,
      retryAfter: '5',
    });
    expect(refused.body.message).toBe('The event could not be recorded; send it again');
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body.error['pathors-inbox']).toMatchObject({
      status: 'down',
      message: 'The durable inbox does not answer',
    });

    await server.restart();
    await eventually(async () => (await health()).status === 200, 'inbox healthy again');
    expect((await health()).body.info).toEqual({ 'pathors-inbox': { status: 'up' } });

    expect((await post(harness.server, during)).body).toEqual({ received: true, note: 'queued' });
    await eventually(() => consumers.runsOf(during.sessionId).every((runs) => runs === 1), 'handled after');
    // Done before the kill, so its redelivery is queued again and processed as a duplicate: no handler runs.
    expect((await post(harness.server, before)).status).toBe(202);
    const queue = new Queue('pathors-inbox', { connection: server.connection });
    try {
      const idle = async () =>
        Object.values(await queue.getJobCounts('waiting', 'active', 'delayed')).every((count) => count === 0);
      await eventually(idle, 'redelivery processed');
    } finally {
      await queue.close();
    }
    expect(consumers.runsOf(before.sessionId)).toEqual([1, 1, 1]);
    expect(consumers.runsOf(during.sessionId)).toEqual([1, 1, 1]);
  });

  it('keeps a delivery queued before the kill, and finishes it once Redis is back', async () => {
    const event = buildCallEnded();
    consumers.failing.add(`bill:${event.sessionId}`);
    try {
      expect((await post(harness.server, event)).status).toBe(202);
      await eventually(() => consumers.runsOf(event.sessionId)[2] >= 1, 'first attempt failed');
      await server.kill();
      await server.restart();
    } finally {
      consumers.failing.clear();
    }
    await eventually(() => consumers.runsOf(event.sessionId)[2] >= 2, 'retried after the restart', 15_000);
    expect(consumers.runsOf(event.sessionId).slice(0, 2)).toEqual([1, 1]);
  });
});
