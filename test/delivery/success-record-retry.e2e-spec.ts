import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MemoryIdempotencyStore } from 'nestjs-pathors';
import { buildCallEnded } from 'nestjs-pathors/testing';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../support/webhook-app.js';
import { CallEndedConsumers, SECRET, post } from './support/delivery-fixtures.js';

/** An in-memory store whose writes recording a success fail as many times as asked (a store blip). */
class BlippingStore extends MemoryIdempotencyStore {
  recordFailures = 0;
  completeFailures = 0;

  override async recordHandler(key: string, handlerId: string): Promise<void> {
    if (this.recordFailures > 0 && this.recordFailures--) throw new Error('store unreachable');
    return super.recordHandler(key, handlerId);
  }

  override async complete(key: string): Promise<void> {
    if (this.completeFailures > 0 && this.completeFailures--) throw new Error('store unreachable');
    return super.complete(key);
  }
}

describe.each(ADAPTERS)('a store blip while recording a success (%s)', (adapter) => {
  const store = new BlippingStore();
  let harness: WebhookApp;
  let consumers: CallEndedConsumers;

  beforeAll(async () => {
    harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET }, delivery: { store } },
      providers: [CallEndedConsumers],
    });
    consumers = harness.get(CallEndedConsumers);
  });
  afterAll(() => harness.app.close());

  it('answers 200 and never runs a handler again when the record succeeds on a retry', async () => {
    const event = buildCallEnded();
    store.recordFailures = 2;
    store.completeFailures = 2;

    const first = await post(harness.server, event);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true });
    expect(store.recordFailures + store.completeFailures).toBe(0);

    const again = await post(harness.server, event);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ note: 'duplicate: already processed' });
    expect(consumers.runsOf(event.sessionId)).toEqual([1, 1, 1]);
  });

  it('answers 500 when the store stays down, so the sender retries', async () => {
    const event = buildCallEnded();
    store.completeFailures = 100;

    const first = await post(harness.server, event);
    expect(first.status).toBe(500);

    store.completeFailures = 0;
    const retried = await post(harness.server, event);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ received: true });
    // The handlers' own records were written: the retry only completes the event.
    expect(consumers.runsOf(event.sessionId)).toEqual([1, 1, 1]);
  });
});
