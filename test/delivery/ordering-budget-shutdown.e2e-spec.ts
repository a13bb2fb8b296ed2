import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import {
  MemoryIdempotencyStore,
  OnPathorsEvent,
  PathorsConfigurationError,
  type PathorsClaim,
  type RecordingReadyEvent,
} from 'nestjs-pathors';
import {
  buildCallEnded,
  buildCallSessionFinalized,
  buildRecordingReady,
  buildSessionEnded,
} from 'nestjs-pathors/testing';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../support/webhook-app.js';
import { Gate, SECRET, SessionLifecycleConsumer, eventually, post } from './support/delivery-fixtures.js';

/** Two handlers of `recording.ready`: `slow` waits for the gate of its session, each fails when told to. */
@Injectable()
class SlowAndFast {
  readonly runs: string[] = [];
  readonly gates = new Map<string, Gate>();
  readonly failing = new Set<'slow' | 'fast'>();

  @OnPathorsEvent('recording.ready')
  async slow(event: RecordingReadyEvent) {
    await this.gates.get(event.sessionId)?.opened;
    this.run('slow', event.sessionId);
  }

  @OnPathorsEvent('recording.ready')
  fast(event: RecordingReadyEvent) {
    this.run('fast', event.sessionId);
  }

  private run(handler: 'slow' | 'fast', sessionId: string) {
    this.runs.push(`${handler} ${sessionId}`);
    if (this.failing.has(handler)) throw new Error(`${handler} failed on purpose`);
  }
}

/** A memory store that lets a test wait until a delivery has claimed its event (i.e. reached the pipeline). */
class ObservedStore extends MemoryIdempotencyStore {
  readonly claimed = new Set<string>();
  override async claim(key: string, token: string, leaseMs: number): Promise<PathorsClaim> {
    const claim = await super.claim(key, token, leaseMs);
    if (claim.status === 'claimed') this.claimed.add(key);
    return claim;
  }
}

const finalizedKey = (sessionId: string) => `lifecycle:${sessionId}:session.finalized`;

describe.each(ADAPTERS)('per-session ordering on %s', (adapter) => {
  const boot = (enabled: boolean, holdMs = 5_000) => {
    const store = new ObservedStore();
    return createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET }, delivery: { store, ordering: { enabled, holdMs } } },
      providers: [SessionLifecycleConsumer],
    }).then((harness) => ({ harness, store, consumer: harness.get(SessionLifecycleConsumer) }));
  };

  describe('enabled', () => {
    let app: Awaited<ReturnType<typeof boot>>;
    beforeAll(async () => (app = await boot(true)));
    afterAll(() => app.harness.app.close());

    it('hands an early session.finalized to handlers after session.ended and call.ended', async () => {
      const sessionId = randomUUID();
      const finalized = post(app.harness.server, buildCallSessionFinalized({ sessionId })).then((r) => r);
      await eventually(() => app.store.claimed.has(finalizedKey(sessionId)), 'session.finalized claimed');

      const [callEnded, ended] = await Promise.all([
        post(app.harness.server, buildCallEnded({ sessionId })),
        post(app.harness.server, buildSessionEnded({ sessionId })),
      ]);
      expect([callEnded.status, ended.status, (await finalized).status]).toEqual([200, 200, 200]);
      const order = app.consumer.of(sessionId);
      expect(order).toHaveLength(3);
      expect(order[2]).toBe('session.finalized');
    });

    it('does not hold one session behind another', async () => {
      const held = randomUUID();
      const other = randomUUID();
      const heldFinalized = post(app.harness.server, buildCallSessionFinalized({ sessionId: held })).then(
        (r) => r,
      );
      await eventually(() => app.store.claimed.has(finalizedKey(held)), 'held session.finalized claimed');

      await post(app.harness.server, buildSessionEnded({ sessionId: other }));
      await post(app.harness.server, buildCallEnded({ sessionId: other }));
      expect((await post(app.harness.server, buildCallSessionFinalized({ sessionId: other }))).status).toBe(
        200,
      );
      expect(app.consumer.of(other)).toEqual(['session.ended', 'call.ended', 'session.finalized']);
      expect(app.consumer.of(held)).toEqual([]);

      await post(app.harness.server, buildSessionEnded({ sessionId: held }));
      await post(app.harness.server, buildCallEnded({ sessionId: held }));
      expect((await heldFinalized).status).toBe(200);
      expect(app.consumer.of(held)).toEqual(['session.ended', 'call.ended', 'session.finalized']);
    });
  });

  it('runs a held session.finalized once holdMs passed without its predecessors', async () => {
    const app = await boot(true, 100);
    try {
      const sessionId = randomUUID();
      expect((await post(app.harness.server, buildCallSessionFinalized({ sessionId }))).status).toBe(200);
      expect(app.consumer.of(sessionId)).toEqual(['session.finalized']);
    } finally {
      await app.harness.app.close();
    }
  });

  it('hands events over as they come when ordering is off (the control case)', async () => {
    const app = await boot(false);
    try {
      const sessionId = randomUUID();
      await post(app.harness.server, buildCallSessionFinalized({ sessionId }));
      await post(app.harness.server, buildSessionEnded({ sessionId }));
      expect(app.consumer.of(sessionId)).toEqual(['session.finalized', 'session.ended']);
    } finally {
      await app.harness.app.close();
    }
  });
});

describe.each(ADAPTERS)('answer budget on %s', (adapter) => {
  let harness: WebhookApp;
  let consumer: SessionLifecycleConsumer;
  beforeAll(async () => {
    harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET }, delivery: { answerBudgetMs: 150 } },
      providers: [SessionLifecycleConsumer, SlowAndFast],
    });
    consumer = harness.get(SessionLifecycleConsumer);
  });
  afterAll(() => harness.app.close());

  it('answers 202 past the budget, finishes in the background, and never runs the event twice', async () => {
    const event = buildCallEnded();
    const gate = consumer.hold('call.ended', event.sessionId);

    const first = await post(harness.server, event);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ received: true, note: 'processing continues in the background' });
    expect(consumer.of(event.sessionId)).toEqual([]);

    const whileRunning = await post(harness.server, event);
    expect(whileRunning.status).toBe(409);
    expect(whileRunning.headers['retry-after']).toBe('5');
    expect(whileRunning.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'The same event is being processed; send it again later',
    });

    gate.open();
    await eventually(() => consumer.of(event.sessionId).length === 1, 'background handler finished');
    const afterwards = await post(harness.server, event);
    expect(afterwards.status).toBe(200);
    expect(afterwards.body).toEqual({ received: true, note: 'duplicate: already processed' });
    expect(consumer.of(event.sessionId)).toEqual(['call.ended']);
  });

  it('answers 500, not 202, past the budget when a handler already failed: the sender must retry', async () => {
    const handlers = harness.get(SlowAndFast);
    const event = buildRecordingReady();
    const gate = new Gate();
    handlers.gates.set(event.sessionId, gate);
    handlers.failing.add('fast');

    const first = await post(harness.server, event);
    expect(first.status).toBe(500);
    gate.open();
    await eventually(() => handlers.runs.includes(`slow ${event.sessionId}`), 'slow handler finished');

    handlers.failing.clear();
    await eventually(async () => (await post(harness.server, event)).status === 200, 'redelivery handled');
    // The redelivery ran only the handler that had failed.
    expect(handlers.runs.filter((run) => run.endsWith(event.sessionId)).sort()).toEqual([
      `fast ${event.sessionId}`,
      `fast ${event.sessionId}`,
      `slow ${event.sessionId}`,
    ]);
  });

  it('logs an error naming the loss when a handler fails after the 202', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error');
    try {
      const handlers = harness.get(SlowAndFast);
      const event = buildRecordingReady();
      const gate = new Gate();
      handlers.gates.set(event.sessionId, gate);
      handlers.failing.add('slow');

      expect((await post(harness.server, event)).status).toBe(202);
      gate.open();
      const loss = `recording.ready (lifecycle:${event.sessionId}:recording.ready:ready) was answered 202 past the answer budget, then a handler failed: the sender will not send it again`;
      await eventually(
        () => errors.mock.calls.some(([message]) => String(message).startsWith(loss)),
        'the loss logged',
      );
    } finally {
      harness.get(SlowAndFast).failing.clear();
      errors.mockRestore();
    }
  });
});

describe.each(ADAPTERS)('graceful shutdown on %s', (adapter) => {
  // The budget bounds how long the HTTP server waits for the stuck request's connection once draining gave up.
  const boot = (shutdownTimeoutMs: number, answerBudgetMs?: number) =>
    createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET }, delivery: { shutdownTimeoutMs, answerBudgetMs } },
      providers: [SessionLifecycleConsumer],
    });

  it('answers 503 to new deliveries and lets the in-flight handler finish before closing', async () => {
    const harness = await boot(10_000);
    const consumer = harness.get(SessionLifecycleConsumer);
    const inFlight = buildCallEnded();
    const gate = consumer.hold('call.ended', inFlight.sessionId);

    const response = post(harness.server, inFlight).then((r) => r);
    await consumer.started('call.ended', inFlight.sessionId);
    let closed = false;
    const closing = harness.app.close().then(() => (closed = true));

    const late = await post(harness.server, buildCallEnded());
    expect(late.status).toBe(503);
    expect(closed).toBe(false);

    gate.open();
    expect((await response).status).toBe(200);
    await closing;
    expect(consumer.of(inFlight.sessionId)).toEqual(['call.ended']);
  });

  it('closes after shutdownTimeoutMs even when a handler never finishes', async () => {
    const harness = await boot(100, 500);
    const consumer = harness.get(SessionLifecycleConsumer);
    const stuck = buildCallEnded();
    const gate = consumer.hold('call.ended', stuck.sessionId);
    const response = post(harness.server, stuck).then(
      (r) => r.status,
      () => 'connection closed',
    );
    await consumer.started('call.ended', stuck.sessionId);
    await harness.app.close();
    expect(consumer.of(stuck.sessionId)).toEqual([]);
    gate.open();
    await response;
  });
});

describe('delivery options', () => {
  it.each([
    [{ answerBudgetMs: 15_000 }, /"delivery.answerBudgetMs" must be below 15000/],
    [{ answerBudgetMs: 0 }, /"delivery.answerBudgetMs" must be a positive integer/],
    [{ ordering: { enabled: true, holdMs: -1 } }, /"delivery.ordering.holdMs" must be a positive integer/],
    [{ store: {} }, /"delivery.store" must be an instance of PathorsIdempotencyStore/],
    [{ claimLeaseMs: 500 }, /"delivery.claimLeaseMs" must be at least 1000/],
  ])('refuses %j at boot with a message naming the option', async (delivery, message) => {
    const boot = createWebhookApp({
      adapter: 'express',
      pathors: { webhook: { secret: SECRET }, delivery: delivery as never },
    });
    await expect(boot).rejects.toThrow(PathorsConfigurationError);
    await expect(boot).rejects.toThrow(message);
  });
});
