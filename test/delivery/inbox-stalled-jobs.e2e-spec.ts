import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { PathorsDeliveryRecord } from 'nestjs-pathors';
import { BullMqInbox, type BullMqInboxOptions } from 'nestjs-pathors/inbox';
import { buildCallEnded } from 'nestjs-pathors/testing';
import { connectRedis, deleteKeys, eventually, uniquePrefix } from './support/delivery-fixtures.js';

const redis = connectRedis();
const prefix = uniquePrefix('inbox-stalled');
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const recordOf = (body: Record<string, unknown>): PathorsDeliveryRecord => ({
  idempotencyKey: `call.ended:${String(body.sessionId)}`,
  eventName: 'call.ended',
  receivedAt: new Date().toISOString(),
  headers: { 'content-type': 'application/json' },
  body,
});

/**
 * A replica whose process dies while it runs the delivery: its worker takes the job, then stops without finishing it
 * or renewing its lock (a forced close, as a `kill -9` leaves it).
 */
async function replicaKilledMidDelivery(options: BullMqInboxOptions): Promise<void> {
  const inbox = new BullMqInbox(options);
  let taken = false;
  await inbox.start(() => {
    taken = true;
    return new Promise<void>(() => undefined); // never finishes: the process died
  });
  await eventually(() => taken, 'the replica took the delivery', 10_000);
  await inbox.close();
}

describe('durable inbox: a delivery whose worker died twice', () => {
  it('is processed by the next replica with maxStalledCount 3, not dead-lettered as stalled', async () => {
    const options: BullMqInboxOptions = {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: `${prefix}bull`,
      lockDurationMs: 1_000,
      maxStalledCount: 3,
    };
    const sender = new BullMqInbox({ ...options, consume: false });
    const record = recordOf(buildCallEnded());
    await sender.enqueue(record);

    await replicaKilledMidDelivery(options);
    await replicaKilledMidDelivery(options);

    const processed: PathorsDeliveryRecord[] = [];
    const survivor = new BullMqInbox(options);
    await survivor.start(async (taken) => {
      processed.push(taken);
    });
    try {
      await eventually(
        async () => processed.length > 0 || (await sender.countDeadLetters()) > 0,
        'an outcome',
      );
      expect(processed).toEqual([record]);
      expect(await sender.countDeadLetters()).toBe(0);
    } finally {
      await survivor.close();
      await sender.close();
    }
  }, 30_000);

  it('refuses a maxStalledCount that is not a positive integer, naming the option', () => {
    expect(() => new BullMqInbox({ connection: {}, maxStalledCount: 0 })).toThrow(
      /BullMqInbox option "maxStalledCount" must be a positive integer, got 0/,
    );
  });
});

describe('durable inbox: Redis unreachable', () => {
  it("logs the queue's connection errors through the app's logger, not on the console", async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close(); // nothing listens on that port any more
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const inbox = new BullMqInbox({ connection: { host: '127.0.0.1', port }, consume: false });
    try {
      void inbox.countPending().catch(() => undefined);
      await eventually(() => logged.mock.calls.length > 0, 'a logged queue error');
      expect(String(logged.mock.calls[0][0])).toMatch(/^Inbox queue error: .*ECONNREFUSED/);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      await inbox.close();
      logged.mockRestore();
      printed.mockRestore();
    }
  });
});
