import { afterAll, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  OnPathorsEvent,
  PathorsDeadLetterService,
  PathorsPermanentError,
  type CallEndedEvent,
} from 'nestjs-pathors';
import { BullMqInbox } from 'nestjs-pathors/inbox';
import { RedisIdempotencyStore } from 'nestjs-pathors/redis';
import { buildCallEnded, buildMessageAdded } from 'nestjs-pathors/testing';
import {
  Gate,
  SECRET,
  connectRedis,
  deleteKeys,
  eventually,
  post,
  uniquePrefix,
} from '../delivery/support/delivery-fixtures.js';
import { ADAPTERS, useWebhookApp } from '../support/webhook-app.js';
import { useTelemetrySdk } from './support/telemetry-sdk.js';

const redis = connectRedis();
const prefix = uniquePrefix('inbox-telemetry');
const connection = { host: '127.0.0.1', port: 6379 };

afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

/** A `call.ended` handler a test can hold mid-run, and a `message.added` handler that fails permanently. */
@Injectable()
class InboxHandlers {
  readonly gates = new Map<string, Gate>();
  readonly handled = new Set<string>();

  @OnPathorsEvent('call.ended')
  async onCallEnded(event: CallEndedEvent): Promise<void> {
    await this.gates.get(event.sessionId)?.opened;
    this.handled.add(event.sessionId);
  }

  @OnPathorsEvent('message.added')
  onMessageAdded(): void {
    throw new PathorsPermanentError('message not wanted');
  }
}

describe.each(ADAPTERS)('OpenTelemetry with the durable inbox on %s', (adapter) => {
  const sdk = useTelemetrySdk();
  const harness = useWebhookApp({
    adapter,
    pathors: {
      webhook: { secret: SECRET },
      delivery: {
        store: new RedisIdempotencyStore(redis, { keyPrefix: `${prefix}${adapter}:idempotency:` }),
        inbox: new BullMqInbox({
          connection,
          prefix: `${prefix}${adapter}:bull`,
          attempts: 3,
          backoffMs: 20,
        }),
      },
    },
    providers: [InboxHandlers],
  });
  const gauge = async (name: string) =>
    (await sdk.collect()).sum(name, { 'pathors.registration': 'default' });

  it("continues the webhook's trace in the worker: enqueue span → processing span → handler span", async () => {
    const payload = buildCallEnded();
    const key = `lifecycle:${payload.sessionId}:call.ended`;
    expect((await post(harness().server, payload)).status).toBe(202);
    await eventually(() => harness().get(InboxHandlers).handled.has(payload.sessionId), 'handler ran');
    await eventually(
      () =>
        sdk.spansNamed('pathors.inbox.process').some((s) => s.attributes['pathors.idempotency_key'] === key),
      'processing span ended',
    );

    const [delivery] = sdk
      .spansNamed('pathors.webhook.receive')
      .filter((span) => span.attributes['pathors.idempotency_key'] === key);
    expect(delivery.attributes['pathors.outcome']).toBe('queued');
    const [enqueue] = sdk.childrenOf(delivery);
    expect(enqueue.name).toBe('pathors.inbox.enqueue');

    const [processing] = sdk.childrenOf(enqueue);
    expect(processing.name).toBe('pathors.inbox.process');
    expect(processing.kind).toBe(SpanKind.CONSUMER);
    expect(processing.spanContext().traceId).toBe(delivery.spanContext().traceId);
    expect(processing.attributes).toMatchObject({
      'pathors.event.name': 'call.ended',
      'pathors.idempotency_key': key,
      'pathors.outcome': 'handled',
    });
    expect(
      sdk
        .childrenOf(processing)
        .map((span) => span.name)
        .sort(),
    ).toEqual(['pathors.claim', 'pathors.complete', 'pathors.handler InboxHandlers.onCallEnded']);
  });

  it('stores the trace context in the record (seen in its dead letter) and records the permanent failure', async () => {
    const deadLetters = harness().get(PathorsDeadLetterService);
    const payload = buildMessageAdded();
    expect((await post(harness().server, payload)).status).toBe(202);
    await eventually(async () => (await deadLetters.count()) === 1, 'dead-lettered');

    const [deadLetter] = await deadLetters.list();
    const [delivery] = sdk
      .spansNamed('pathors.webhook.receive')
      .filter((span) => span.attributes['pathors.event.name'] === 'message.added');
    const [enqueue] = sdk.childrenOf(delivery);
    const { traceId, spanId } = enqueue.spanContext();
    expect(deadLetter.record.headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);

    await eventually(
      () =>
        sdk
          .spansNamed('pathors.inbox.process')
          .some((s) => s.attributes['pathors.event.name'] === 'message.added'),
      'processing span ended',
    );
    const [processing] = sdk
      .spansNamed('pathors.inbox.process')
      .filter((span) => span.attributes['pathors.event.name'] === 'message.added');
    expect(processing.attributes['pathors.outcome']).toBe('failed-permanently');
    expect(processing.status.code).toBe(SpanStatusCode.ERROR);
    expect(processing.events.find((event) => event.name === 'exception')?.attributes).toMatchObject({
      'exception.type': 'PathorsPermanentError',
    });
  });

  it('observes the inbox depth and its dead letters as gauges', async () => {
    expect(await gauge('pathors.inbox.dead_letters')).toBe(1);
    const payload = buildCallEnded();
    const gate = new Gate();
    harness().get(InboxHandlers).gates.set(payload.sessionId, gate);
    expect((await post(harness().server, payload)).status).toBe(202);
    await eventually(
      async () => (await gauge('pathors.inbox.depth')) === 1,
      'depth 1 while the handler is held',
    );

    gate.open();
    await eventually(() => harness().get(InboxHandlers).handled.has(payload.sessionId), 'handler ran');
    await eventually(async () => (await gauge('pathors.inbox.depth')) === 0, 'depth back to 0');
    const collected = await sdk.collect();
    expect(collected.metric('pathors.inbox.depth').descriptor.unit).toBe('{delivery}');
  });
});
