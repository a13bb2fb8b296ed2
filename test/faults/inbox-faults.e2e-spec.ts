import { describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { BullMqInbox } from 'nestjs-pathors/inbox';
import { RedisIdempotencyStore } from 'nestjs-pathors/redis';
import { buildCallEnded } from 'nestjs-pathors/testing';
import { eventually, post } from '../delivery/support/delivery-fixtures.js';
import { ADAPTERS } from '../support/webhook-app.js';
import { RECORDING_FAILED, expectRetryLater, useFaultApp } from './support/fault-app.js';

describe.each(ADAPTERS)('BullMqInbox faults on %s', (adapter) => {
  // Redis is durable, so the jobs answered 202 before the kill are still queued after the restart.
  const app = useFaultApp(adapter, 'isInboxHealthy', (server, redis) => ({
    store: new RedisIdempotencyStore(redis, { commandTimeoutMs: 300 }),
    inbox: new BullMqInbox({ connection: server.connection, backoffMs: 200, commandTimeoutMs: 300 }),
  }));

  it('answers 503 while Redis is down, then queues and handles once, and runs nothing twice', async () => {
    const { harness, server, consumers } = app();
    const before = buildCallEnded();
    expect((await post(harness.server, before)).body).toEqual({ received: true, note: 'queued' });
    await eventually(() => consumers.runsOf(before.sessionId).every((runs) => runs === 1), 'handled');

    await server.kill();
    const during = buildCallEnded();
    expectRetryLater(await post(harness.server, during), 503, RECORDING_FAILED);
    const down = await app().health();
    expect(down.status).toBe(503);
    expect(down.body.error['pathors-inbox']).toMatchObject({
      status: 'down',
      message: 'The durable inbox does not answer',
    });

    await server.restart();
    await eventually(async () => (await app().health()).status === 200, 'inbox healthy again');
    expect((await app().health()).body.info).toEqual({ 'pathors-inbox': { status: 'up' } });

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
    const { harness, server, consumers } = app();
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
