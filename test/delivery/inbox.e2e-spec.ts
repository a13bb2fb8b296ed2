import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import {
  PathorsConfigurationError,
  PathorsDeadLetterService,
  parseDeliveryRecordLine,
  type PathorsDeadLetter,
} from 'nestjs-pathors';
import { BullMqInbox } from 'nestjs-pathors/inbox';
import { RedisIdempotencyStore } from 'nestjs-pathors/redis';
import { buildCallEnded } from 'nestjs-pathors/testing';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../support/webhook-app.js';
import {
  CallEndedConsumers,
  SECRET,
  SessionLifecycleConsumer,
  connectRedis,
  deleteKeys,
  eventually,
  post,
  uniquePrefix,
} from './support/delivery-fixtures.js';

const redis = connectRedis();
const prefix = uniquePrefix('inbox');
const connection = { host: '127.0.0.1', port: 6379 };
const ATTEMPTS = 3;

afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe.each(ADAPTERS)('durable inbox on %s', (adapter) => {
  const queuePrefix = `${prefix}${adapter}:bull`;
  let queue: Queue;
  let harness: WebhookApp;
  let consumers: CallEndedConsumers;
  let deadLetters: PathorsDeadLetterService;

  beforeAll(async () => {
    queue = new Queue('pathors-inbox', { connection, prefix: queuePrefix });
    harness = await createWebhookApp({
      adapter,
      pathors: {
        webhook: { secret: SECRET },
        delivery: {
          store: new RedisIdempotencyStore(redis, { keyPrefix: `${prefix}${adapter}:idempotency:` }),
          inbox: new BullMqInbox({ connection, prefix: queuePrefix, attempts: ATTEMPTS, backoffMs: 20 }),
        },
      },
      providers: [CallEndedConsumers],
    });
    consumers = harness.get(CallEndedConsumers);
    deadLetters = harness.get(PathorsDeadLetterService);
  });
  afterAll(async () => {
    await harness.app.close();
    await queue.close();
  });

  const queueIsIdle = async () => {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).every((count) => count === 0);
  };

  it('answers 202 once persisted, processes the event once, and drops a later duplicate', async () => {
    const event = buildCallEnded();
    const response = await post(harness.server, event);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ received: true, note: 'queued' });
    await eventually(() => consumers.runsOf(event.sessionId).every((runs) => runs === 1), 'handlers ran');

    expect((await post(harness.server, event)).status).toBe(202);
    await eventually(queueIsIdle, 'duplicate processed');
    expect(consumers.runsOf(event.sessionId)).toEqual([1, 1, 1]);
  });

  it('retries a failed handler with backoff, without re-running the handlers that succeeded', async () => {
    consumers.failOnce.add('bill');
    try {
      const event = buildCallEnded();
      expect((await post(harness.server, event)).status).toBe(202);
      await eventually(() => consumers.runsOf(event.sessionId)[2] === 2, 'billing retried');
      await eventually(queueIsIdle, 'retry finished');
      expect(consumers.runsOf(event.sessionId)).toEqual([1, 1, 2]);
    } finally {
      consumers.failOnce.clear();
    }
  });

  it('dead-letters after the last attempt, exports it as JSON Lines, and replays it once fixed', async () => {
    const event = buildCallEnded({ callStatus: 'busy' });
    consumers.failing.add(`notify:${event.sessionId}`);
    expect((await post(harness.server, event)).status).toBe(202);

    let deadLetter: PathorsDeadLetter | undefined;
    await eventually(async () => {
      deadLetter = (await deadLetters.list()).find(
        (entry) => entry.record.body.sessionId === event.sessionId,
      );
      return deadLetter !== undefined;
    }, 'dead letter listed');
    expect(deadLetter).toMatchObject({ attempts: ATTEMPTS, failedReason: 'A handler of call.ended failed' });
    expect(consumers.runsOf(event.sessionId)).toEqual([1, ATTEMPTS, 1]);
    expect(await deadLetters.count()).toBe(1);

    const lines: string[] = [];
    for await (const line of deadLetters.exportJsonLines()) lines.push(line);
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(lines[0]).not.toContain(SECRET);
    const exported = parseDeliveryRecordLine(lines[0]);
    expect(exported.body).toEqual(event);
    expect(exported.headers).toEqual({ 'content-type': 'application/json' });
    expect(exported.eventName).toBe('call.ended');
    expect(exported.deadLetter).toMatchObject({ id: deadLetter!.id, attempts: ATTEMPTS });

    consumers.failing.clear();
    expect(await deadLetters.replay(deadLetter!.id)).toBe(true);
    await eventually(() => consumers.runsOf(event.sessionId)[1] === ATTEMPTS + 1, 'replayed');
    await eventually(queueIsIdle, 'replay finished');
    expect(consumers.runsOf(event.sessionId)).toEqual([1, ATTEMPTS + 1, 1]);
    expect(await deadLetters.count()).toBe(0);
    expect(await deadLetters.replay(deadLetter!.id)).toBe(false);
  });
});

describe('durable inbox shutdown', () => {
  it('answers 503 once closing starts and finishes the job in progress before closing', async () => {
    const queuePrefix = `${prefix}shutdown:bull`;
    const queue = new Queue('pathors-inbox', { connection, prefix: queuePrefix });
    const harness = await createWebhookApp({
      adapter: 'express',
      pathors: {
        webhook: { secret: SECRET },
        delivery: { inbox: new BullMqInbox({ connection, prefix: queuePrefix }) },
      },
      providers: [SessionLifecycleConsumer],
    });
    try {
      const consumer = harness.get(SessionLifecycleConsumer);
      const event = buildCallEnded();
      const gate = consumer.hold('call.ended', event.sessionId);
      expect((await post(harness.server, event)).status).toBe(202);
      await consumer.started('call.ended', event.sessionId);

      const closing = harness.app.close();
      expect((await post(harness.server, buildCallEnded())).status).toBe(503);
      gate.open();
      await closing;
      expect(consumer.of(event.sessionId)).toEqual(['call.ended']);
      expect(await queue.getJobCounts('waiting', 'active', 'completed', 'failed')).toEqual({
        waiting: 0,
        active: 0,
        completed: 0,
        failed: 0,
      });
    } finally {
      await queue.close();
    }
  });
});

describe('PathorsDeadLetterService without an inbox', () => {
  it('says which option to set', async () => {
    const harness = await createWebhookApp({ adapter: 'express', pathors: { webhook: { secret: SECRET } } });
    try {
      const service = harness.get(PathorsDeadLetterService);
      expect(() => service.count()).toThrow(PathorsConfigurationError);
      expect(() => service.count()).toThrow(/Set delivery.inbox/);
    } finally {
      await harness.app.close();
    }
  });
});
