import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisIdempotencyStore } from 'nestjs-pathors/redis';
import { buildCallEnded } from 'nestjs-pathors/testing';
import { SECRET, SessionLifecycleConsumer, eventually, post } from '../delivery/support/delivery-fixtures.js';
import { RedisServer } from '../support/redis-server.js';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../support/webhook-app.js';
import { RECORDING_FAILED, connect, expectRetryLater, useFaultApp } from './support/fault-app.js';

describe.each(ADAPTERS)('RedisIdempotencyStore faults on %s', (adapter) => {
  // Redis is durable, so "a redelivery after the restart is a duplicate" is the module's guarantee rather than luck.
  const app = useFaultApp(adapter, 'isStoreHealthy', (server, redis) => ({
    answerBudgetMs: 2000,
    store: new RedisIdempotencyStore(redis, { commandTimeoutMs: 300 }),
  }));
  const storeAnswers = async () => (await app().health()).status === 200;

  it('answers 503 while Redis is down, and runs each event once when it is back', async () => {
    const { harness, server, consumers } = app();
    const before = buildCallEnded();
    expect((await post(harness.server, before)).status).toBe(200);

    await server.kill();
    const during = buildCallEnded();
    expectRetryLater(await post(harness.server, during), 503, RECORDING_FAILED);
    expect(consumers.runsOf(during.sessionId)).toEqual([0, 0, 0]);
    const down = await app().health();
    expect(down.status).toBe(503);
    expect(down.body.error['pathors-store']).toMatchObject({
      status: 'down',
      message: 'The idempotency store does not answer',
    });
    expect(down.body.error['pathors-store'].reason).toEqual(expect.any(String));

    await server.restart();
    await eventually(storeAnswers, 'store healthy again');
    expect((await app().health()).body.info).toEqual({ 'pathors-store': { status: 'up' } });

    const redelivered = await post(harness.server, during);
    expect({ status: redelivered.status, body: redelivered.body }).toEqual({
      status: 200,
      body: { received: true },
    });
    expect(consumers.runsOf(during.sessionId)).toEqual([1, 1, 1]);
    const again = await post(harness.server, before);
    expect(again.body).toEqual({ received: true, note: 'duplicate: already processed' });
    expect(consumers.runsOf(before.sessionId)).toEqual([1, 1, 1]);
  });

  it('answers 503 before the answer budget while Redis is paused, and a duplicate once it answers again', async () => {
    const { harness, server, consumers } = app();
    const before = buildCallEnded();
    expect((await post(harness.server, before)).status).toBe(200);

    await server.command('CLIENT', 'PAUSE', '3000', 'ALL');
    const during = buildCallEnded();
    // A request held past the budget (2 s) would be answered 202: 503 says the store's wait was bounded.
    expectRetryLater(await post(harness.server, during), 503, RECORDING_FAILED);
    expectRetryLater(await post(harness.server, before), 503, RECORDING_FAILED);

    await eventually(storeAnswers, 'pause over', 5000);
    expect((await post(harness.server, during)).body).toEqual({ received: true });
    expect((await post(harness.server, before)).body).toEqual({
      received: true,
      note: 'duplicate: already processed',
    });
    expect(consumers.runsOf(during.sessionId)).toEqual([1, 1, 1]);
    expect(consumers.runsOf(before.sessionId)).toEqual([1, 1, 1]);
  });

  it('answers 503 before the answer budget while a slow command blocks Redis, and handles the event once after', async () => {
    const { harness, server, consumers } = app();
    // DEBUG SLEEP blocks the server itself, as a slow script does: commands queue until it returns.
    const blocked = server.command('DEBUG', 'SLEEP', '3');
    // A PING that goes unanswered for 100 ms says the sleep has begun.
    const probe = new Redis({ ...server.connection, commandTimeout: 100 });
    probe.on('error', () => undefined);
    try {
      await eventually(
        () =>
          probe.ping().then(
            () => false,
            () => true,
          ),
        'server blocked',
        2000,
      );
    } finally {
      probe.disconnect();
    }
    const event = buildCallEnded();
    const startedAt = Date.now();
    expectRetryLater(await post(harness.server, event), 503, RECORDING_FAILED);
    // Answered on the store's command timeout (300 ms), long before the answer budget (2 s) and the sleep's end.
    expect(Date.now() - startedAt).toBeLessThan(1500);
    expect(consumers.runsOf(event.sessionId)).toEqual([0, 0, 0]);

    await blocked;
    // The claim the store gave up on ran once Redis woke, and was released: the redelivery claims and runs it.
    await eventually(storeAnswers, 'server awake');
    expect((await post(harness.server, event)).body).toEqual({ received: true });
    expect(consumers.runsOf(event.sessionId)).toEqual([1, 1, 1]);
  });
});

describe.each(ADAPTERS)('a duplicate while another replica runs the event, on %s', (adapter) => {
  let server: RedisServer;
  const clients: Redis[] = [];
  let replicas: WebhookApp[];

  beforeAll(async () => {
    server = await RedisServer.start();
    replicas = await Promise.all(
      [0, 1].map(() => {
        const redis = connect(server);
        clients.push(redis);
        return createWebhookApp({
          adapter,
          pathors: { webhook: { secret: SECRET }, delivery: { store: new RedisIdempotencyStore(redis) } },
          providers: [SessionLifecycleConsumer],
        });
      }),
    );
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((replica) => replica.app.close()));
    clients.forEach((client) => client.disconnect());
    await server?.stop();
  });

  it('answers 409 with Retry-After, and the retry after the run a duplicate', async () => {
    const [holder, other] = replicas;
    const consumer = holder.get(SessionLifecycleConsumer);
    const event = buildCallEnded();
    const gate = consumer.hold('call.ended', event.sessionId);
    const first = post(holder.server, event).then((response) => response);
    await consumer.started('call.ended', event.sessionId);

    expectRetryLater(
      await post(other.server, event),
      409,
      'The same event is being processed; send it again later',
    );
    gate.open();
    expect((await first).body).toEqual({ received: true });
    expect((await post(other.server, event)).body).toEqual({
      received: true,
      note: 'duplicate: already processed',
    });
    expect(consumer.of(event.sessionId)).toEqual(['call.ended']);
    expect(other.get(SessionLifecycleConsumer).of(event.sessionId)).toEqual([]);
  });
});
