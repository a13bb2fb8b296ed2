import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  MemoryIdempotencyStore,
  OnPathorsEvent,
  PathorsIdempotencyStore,
  type PathorsClaim,
  type PathorsEventFor,
  type PathorsModuleOptions,
} from 'nestjs-pathors';
import { RedisIdempotencyStore } from 'nestjs-pathors/redis';
import { buildCallEnded, buildSessionEnded } from 'nestjs-pathors/testing';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../support/webhook-app.js';
import {
  CallEndedConsumers,
  FailureAlerts,
  SECRET,
  connectRedis,
  deleteKeys,
  post,
  uniquePrefix,
} from './support/delivery-fixtures.js';

const redis: Redis = connectRedis();
const prefix = uniquePrefix('idempotency');
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const STORES = {
  memory: () => new MemoryIdempotencyStore(),
  redis: () => new RedisIdempotencyStore(redis, { keyPrefix: prefix }),
} satisfies Record<string, () => PathorsIdempotencyStore>;

const bootApp = (adapter: (typeof ADAPTERS)[number], delivery: PathorsModuleOptions['delivery']) =>
  createWebhookApp({
    adapter,
    pathors: { webhook: { secret: SECRET }, delivery },
    providers: [CallEndedConsumers],
  });

describe('duplicate storm across two app instances sharing Redis', () => {
  const EVENTS = 25;
  const COPIES = 4;
  let connections: Redis[];
  let apps: WebhookApp[];

  beforeAll(async () => {
    connections = ADAPTERS.map(() => connectRedis());
    // Two instances, one on each adapter, each with its own Redis connection: nothing shared but Redis.
    apps = await Promise.all(
      ADAPTERS.map((adapter, index) =>
        bootApp(adapter, { store: new RedisIdempotencyStore(connections[index], { keyPrefix: prefix }) }),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(apps.map((harness) => harness.app.close()));
    connections.forEach((connection) => connection.disconnect());
  });

  it(`runs each handler exactly once per event for ${EVENTS} events x ${COPIES} concurrent copies`, async () => {
    const events = Array.from({ length: EVENTS }, () => buildCallEnded());
    const copies = events.flatMap((event) => Array.from({ length: COPIES }, () => event));
    const responses = await Promise.all(
      copies.map((event, index) => post(apps[index % apps.length].server, event)),
    );

    const consumers = apps.map((harness) => harness.get(CallEndedConsumers));
    for (const handler of ['crm', 'notify', 'bill'] as const) {
      expect(consumers.reduce((sum, consumer) => sum + consumer.total(handler), 0)).toBe(EVENTS);
      for (const event of events) {
        const runs = consumers.reduce(
          (sum, consumer) => sum + (consumer.runs[handler].get(event.sessionId) ?? 0),
          0,
        );
        expect(runs).toBe(1);
      }
    }
    // One copy per event ran the handlers (200); the others were answered as duplicates: done (200), or running
    // (409, to be sent again later: a 2xx would end the retries even if the copy that runs it then died).
    const notes = responses.map((response) => `${response.status} ${response.body.note ?? 'handled'}`);
    expect(notes.filter((note) => note === '200 handled')).toHaveLength(EVENTS);
    expect(
      notes
        .filter((note) => note !== '200 handled')
        .every((note) => ['200 duplicate: already processed', '409 handled'].includes(note)),
    ).toBe(true);
    for (const response of responses.filter(({ status }) => status === 409)) {
      expect(response.headers['retry-after']).toBe('5');
    }
  });
});

describe.each(Object.keys(STORES) as Array<keyof typeof STORES>)('with the %s store', (storeName) => {
  describe.each(ADAPTERS)('on %s', (adapter) => {
    let harness: WebhookApp;
    let consumers: CallEndedConsumers;
    beforeAll(async () => {
      harness = await bootApp(adapter, { store: STORES[storeName]() });
      consumers = harness.get(CallEndedConsumers);
    });
    afterAll(() => harness.app.close());

    it('answers concurrent copies of one event with one run and duplicate answers', async () => {
      const event = buildCallEnded();
      const responses = await Promise.all([1, 2, 3, 4, 5].map(() => post(harness.server, event)));
      expect(responses.filter((response) => response.status === 200 && !response.body.note)).toHaveLength(1);
      expect(consumers.runsOf(event.sessionId)).toEqual([1, 1, 1]);
    });

    it('re-runs only the handler that failed when the event is redelivered', async () => {
      consumers.failOnce.add('notify');
      try {
        const event = buildCallEnded();
        const first = await post(harness.server, event);
        expect(first.status).toBe(500);
        expect(consumers.runsOf(event.sessionId)).toEqual([1, 1, 1]);

        const redelivery = await post(harness.server, event);
        expect(redelivery.status).toBe(200);
        expect(redelivery.body).toEqual({ received: true });
        expect(consumers.runsOf(event.sessionId)).toEqual([1, 2, 1]);

        const third = await post(harness.server, event);
        expect(third.status).toBe(200);
        expect(third.body).toEqual({ received: true, note: 'duplicate: already processed' });
        expect(consumers.runsOf(event.sessionId)).toEqual([1, 2, 1]);
      } finally {
        consumers.failOnce.clear();
      }
    });
  });
});

/** A write that records a success is tried once and retried three times before the run fails. */
const WRITE_TRIES = 4;

/** A memory store that lists the calls the pipeline makes, and can fail the next handler records or completions. */
class CallListingStore extends MemoryIdempotencyStore {
  readonly calls: string[] = [];
  /** Handler id → how many of its next records fail. */
  readonly failingRecords = new Map<string, number>();
  /** How many of the next completions fail. */
  failingCompletions = 0;

  override async claim(key: string, token: string, leaseMs: number): Promise<PathorsClaim> {
    this.calls.push('claim');
    return super.claim(key, token, leaseMs);
  }

  override async recordHandler(key: string, handlerId: string): Promise<void> {
    this.calls.push(`record ${handlerId}`);
    const failing = this.failingRecords.get(handlerId) ?? 0;
    if (failing === 0) return super.recordHandler(key, handlerId);
    this.failingRecords.set(handlerId, failing - 1);
    throw new Error('record lost');
  }

  override async complete(key: string): Promise<void> {
    this.calls.push('complete');
    if (this.failingCompletions === 0) return super.complete(key);
    this.failingCompletions--;
    throw new Error('connection reset');
  }
}

/** The only handler of `session.ended`. */
@Injectable()
class SessionEndedConsumer {
  runs = 0;

  @OnPathorsEvent('session.ended')
  onEnded(_event: PathorsEventFor<'session.ended'>) {
    this.runs++;
  }
}

describe.each(ADAPTERS)('store calls per event on %s', (adapter) => {
  let harness: WebhookApp;
  let store: CallListingStore;
  beforeAll(async () => {
    store = new CallListingStore();
    harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET }, delivery: { store } },
      providers: [CallEndedConsumers, SessionEndedConsumer, FailureAlerts],
    });
  });
  afterAll(() => harness.app.close());

  it('records each of several handlers, then completes', async () => {
    store.calls.length = 0;
    expect((await post(harness.server, buildCallEnded())).status).toBe(200);
    expect(store.calls[0]).toBe('claim');
    expect(store.calls.slice(1, 4).sort()).toEqual([
      'record CallEndedConsumers.bill',
      'record CallEndedConsumers.notify',
      'record CallEndedConsumers.saveToCrm',
    ]);
    expect(store.calls.slice(4)).toEqual(['complete']);
  });

  it('retries a record or completion the store failed, so a blip answers 200 and runs no handler again', async () => {
    const consumers = harness.get(CallEndedConsumers);
    const event = buildCallEnded();
    store.failingRecords.set('CallEndedConsumers.notify', 2);
    store.failingCompletions = WRITE_TRIES - 1;
    store.calls.length = 0;
    const first = await post(harness.server, event);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true });
    expect(store.calls.filter((call) => call.startsWith('record'))).toHaveLength(3 + 2);
    expect(store.calls.filter((call) => call === 'complete')).toHaveLength(WRITE_TRIES);

    const again = await post(harness.server, event);
    expect(again.body).toEqual({ received: true, note: 'duplicate: already processed' });
    expect(consumers.runsOf(event.sessionId)).toEqual([1, 1, 1]);
  });

  it('waits for each handler record: one the store keeps failing answers 503, and only that handler runs again', async () => {
    const consumers = harness.get(CallEndedConsumers);
    const event = buildCallEnded();
    store.failingRecords.set('CallEndedConsumers.saveToCrm', WRITE_TRIES);
    const failed = await post(harness.server, event);
    // The store failed, not a handler: the same answer as a store that cannot claim.
    expect({
      status: failed.status,
      retryAfter: failed.headers['retry-after'],
      message: failed.body.message,
    }).toEqual({
      status: 503,
      retryAfter: '5',
      message: 'The event could not be recorded; send it again',
    });
    expect(harness.get(FailureAlerts).failures).toEqual([]);
    expect(consumers.runsOf(event.sessionId)).toEqual([1, 1, 1]);
    expect((await post(harness.server, event)).status).toBe(200);
    expect(consumers.runsOf(event.sessionId).sort()).toEqual([1, 1, 2]);
  });

  it("lets a single handler's completion be its record: a completion that keeps failing runs it again on redelivery", async () => {
    const consumer = harness.get(SessionEndedConsumer);
    const event = buildSessionEnded();
    store.calls.length = 0;
    expect((await post(harness.server, event)).status).toBe(200);
    expect(store.calls).toEqual(['claim', 'complete']);
    expect(consumer.runs).toBe(1);

    const failing = buildSessionEnded();
    store.failingCompletions = WRITE_TRIES;
    // The store failed, not the handler: 503, send it again.
    expect((await post(harness.server, failing)).status).toBe(503);
    expect((await post(harness.server, failing)).status).toBe(200);
    expect(consumer.runs).toBe(3);
    expect((await post(harness.server, failing)).body.note).toBe('duplicate: already processed');
    expect(consumer.runs).toBe(3);
  });
});

/** A store whose backend is down. */
class UnreachableStore extends MemoryIdempotencyStore {
  override async claim(): Promise<never> {
    throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  }
}

describe.each(ADAPTERS)('with the idempotency store unreachable on %s', (adapter) => {
  it('answers 503 with Retry-After so the sender retries, runs no handler, and leaks nothing', async () => {
    const harness = await bootApp(adapter, { store: new UnreachableStore() });
    try {
      const event = buildCallEnded();
      const response = await post(harness.server, event);
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.body.message).toBe('The event could not be recorded; send it again');
      expect(JSON.stringify(response.body)).not.toContain('ECONNREFUSED');
      expect(harness.get(CallEndedConsumers).runsOf(event.sessionId)).toEqual([0, 0, 0]);
    } finally {
      await harness.app.close();
    }
  });
});

describe('RedisIdempotencyStore', () => {
  const store = new RedisIdempotencyStore(redis, { keyPrefix: prefix });

  it('claims once, refuses a second holder, keeps handler records across a release, and forgets after the TTL', async () => {
    const key = `lifecycle:${uniquePrefix('claim')}:call.ended`;
    expect(await store.claim(key, 'a', 10_000)).toEqual({ status: 'claimed', completedHandlers: new Set() });
    expect(await store.claim(key, 'b', 10_000)).toEqual({ status: 'in-progress' });
    expect(await store.renew(key, 'b', 10_000)).toBe(false);
    expect(await store.renew(key, 'a', 10_000)).toBe(true);

    await store.recordHandler(key, 'Billing.charge');
    await store.release(key, 'b'); // not the holder: no effect
    expect(await store.claim(key, 'c', 10_000)).toEqual({ status: 'in-progress' });
    await store.release(key, 'a');
    expect(await store.claim(key, 'c', 10_000)).toEqual({
      status: 'claimed',
      completedHandlers: new Set(['Billing.charge']),
    });

    await store.complete(key);
    expect(await store.claim(key, 'd', 10_000)).toEqual({ status: 'done' });
    expect(await store.areDone([key, `${key}:other`])).toEqual([true, false]);
    const ttl = await redis.pttl(`${prefix}{${key}}:state`);
    expect(ttl).toBeGreaterThan(24 * 60 * 60 * 1000 - 60_000);
  });

  it('lets a new holder claim once the lease of a dead holder expired', async () => {
    const key = `lifecycle:${uniquePrefix('lease')}:session.ended`;
    expect((await store.claim(key, 'dead', 50)).status).toBe('claimed');
    await redis.pexpire(`${prefix}{${key}}:state`, 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await store.claim(key, 'alive', 10_000)).status).toBe('claimed');
  });

  it('holds the claim in the state key until the lease ends, and keeps the handler records until the event is done', async () => {
    const key = `lifecycle:${uniquePrefix('keys')}:call.ended`;
    const stateKey = `${prefix}{${key}}:state`;
    const handlersKey = `${prefix}{${key}}:handlers`;
    await store.claim(key, 'holder', 10_000);
    expect(await redis.get(stateKey)).toBe('c:holder');
    expect(await redis.pttl(stateKey)).toBeGreaterThan(9_000);
    expect(await redis.pttl(stateKey)).toBeLessThanOrEqual(10_000);

    await store.recordHandler(key, 'Crm.save');
    expect(await redis.smembers(handlersKey)).toEqual(['Crm.save']);
    expect(await redis.pttl(handlersKey)).toBeGreaterThan(24 * 60 * 60 * 1000 - 60_000);

    await store.complete(key);
    expect(await redis.get(stateKey)).toBe('done');
    expect(await redis.exists(handlersKey)).toBe(0);
  });

  it('defines its commands once on a client that several stores share, and each store works through them', async () => {
    const shared = connectRedis();
    try {
      const defineCommand = jest.spyOn(shared, 'defineCommand');
      const first = new RedisIdempotencyStore(shared, { keyPrefix: prefix });
      const definedByFirst = defineCommand.mock.calls.length;
      expect(definedByFirst).toBeGreaterThan(0);
      const second = new RedisIdempotencyStore(shared, { keyPrefix: `${prefix}second:` });
      expect(defineCommand).toHaveBeenCalledTimes(definedByFirst);

      const key = `lifecycle:${uniquePrefix('shared')}:call.ended`;
      expect((await first.claim(key, 'a', 10_000)).status).toBe('claimed');
      expect((await second.claim(key, 'b', 10_000)).status).toBe('claimed');
      await first.complete(key);
      expect(await second.areDone([key])).toEqual([false]);
      expect(await first.areDone([key])).toEqual([true]);
    } finally {
      shared.disconnect();
    }
  });

  it("writes under the client's own ioredis keyPrefix too, as every other command of that client does", async () => {
    const prefixed = new Redis({ host: '127.0.0.1', port: 6379, keyPrefix: `${prefix}client:` });
    try {
      const prefixedStore = new RedisIdempotencyStore(prefixed, { keyPrefix: 'store:' });
      const key = `lifecycle:${uniquePrefix('client-prefix')}:call.ended`;
      await prefixedStore.claim(key, 'a', 10_000);
      await prefixedStore.recordHandler(key, 'Crm.save');
      expect(await redis.get(`${prefix}client:store:{${key}}:state`)).toBe('c:a');
      expect(await redis.smembers(`${prefix}client:store:{${key}}:handlers`)).toEqual(['Crm.save']);
      await prefixedStore.complete(key);
      expect(await prefixedStore.areDone([key])).toEqual([true]);
      expect(await redis.get(`${prefix}client:store:{${key}}:state`)).toBe('done');
    } finally {
      prefixed.disconnect();
    }
  });

  it('refuses a TTL shorter than Pathors retries', () => {
    expect(() => new RedisIdempotencyStore(redis, { ttlMs: 60_000 })).toThrow(/at least 86400000 \(24 h\)/);
  });
});
