import { beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  OnPathorsEvent,
  PathorsPermanentError,
  type CallEndedEvent,
  type PathorsDelivery,
} from 'nestjs-pathors';
import {
  buildCallEnded,
  buildMessageAdded,
  buildRecordingReady,
  buildSessionCreated,
  sharedSecretHeaders,
} from 'nestjs-pathors/testing';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import request from 'supertest';
import { ADAPTERS, useWebhookApp } from '../support/webhook-app.js';
import { useTelemetrySdk, type CollectedMetrics } from './support/telemetry-sdk.js';

const SECRET = 'observability-secret-5f2a';
const PATH = '/pathors/webhooks';
const MAX_BODY_BYTES = 4096;
const PHONE_NUMBER = '+14155550123';

/** Handlers of four events: one that starts a span of its own, one no-op, one that fails, one that fails permanently. */
@Injectable()
class TracedHandlers {
  /** The span active when each handler started, by handler. */
  readonly activeAtStart = new Map<string, SpanContext | undefined>();

  @OnPathorsEvent('call.ended')
  async saveCall(_event: CallEndedEvent, delivery: PathorsDelivery): Promise<void> {
    this.activeAtStart.set(`saveCall:${delivery.idempotencyKey}`, trace.getActiveSpan()?.spanContext());
    await trace.getTracer('app').startActiveSpan('crm.save', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      span.end();
    });
  }

  @OnPathorsEvent('session.created')
  indexSession(): void {}

  @OnPathorsEvent('recording.ready')
  storeRecording(): void {
    throw new Error('storage unavailable');
  }

  @OnPathorsEvent('message.added')
  rejectMessage(): void {
    throw new PathorsPermanentError('message not wanted');
  }
}

const post = (server: Server, payload: object, headers: Record<string, string> = {}) =>
  request(server)
    .post(PATH)
    .set(sharedSecretHeaders(SECRET))
    .set('content-type', 'application/json')
    .set(headers)
    .send(JSON.stringify(payload));

/**
 * Wraps the server's request listeners the way the HTTP instrumentation does: each request runs in a SERVER span of
 * its own, active while the app handles it.
 */
function instrumentHttp(server: Server): void {
  const listeners = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  for (const listener of listeners) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const span = trace.getTracer('http').startSpan(`${req.method} ${req.url}`, { kind: SpanKind.SERVER });
      res.on('finish', () => span.end());
      context.with(trace.setSpan(ROOT_CONTEXT, span), () => listener.call(server, req, res));
    });
  }
}

describe.each(ADAPTERS)('OpenTelemetry on %s', (adapter) => {
  const sdk = useTelemetrySdk();
  const harness = useWebhookApp({
    adapter,
    pathors: { webhook: { secret: SECRET, maxBodyBytes: MAX_BODY_BYTES } },
    providers: [TracedHandlers],
  });
  beforeEach(() => sdk.resetSpans());

  const server = () => harness().server;
  /** The delivery span of the event with this idempotency key. */
  const deliverySpanOf = (idempotencyKey: string): ReadableSpan => {
    const spans = sdk
      .spansNamed('pathors.webhook.receive')
      .filter((span) => span.attributes['pathors.idempotency_key'] === idempotencyKey);
    expect(spans).toHaveLength(1);
    return spans[0];
  };
  const named = (spans: readonly ReadableSpan[]) => spans.map((span) => span.name).sort();

  it('traces a handled delivery: one span with its steps, the handler as a child, its own spans below', async () => {
    const payload = buildCallEnded();
    const key = `lifecycle:${payload.sessionId}:call.ended`;
    expect((await post(server(), payload, { 'webhook-id': 'msg_traced' })).status).toBe(200);

    const delivery = deliverySpanOf(key);
    expect(delivery.kind).toBe(SpanKind.SERVER);
    expect(delivery.attributes).toEqual({
      'pathors.registration': 'default',
      'pathors.event.name': 'call.ended',
      'pathors.dialect': 'lifecycle',
      'pathors.idempotency_key': key,
      'pathors.delivery.id': 'msg_traced',
      'pathors.session.id': payload.sessionId,
      'pathors.outcome': 'handled',
      'http.response.status_code': 200,
    });
    expect(delivery.events.map((event) => event.name)).toEqual([
      'pathors.authenticated',
      'pathors.validated',
    ]);
    expect(delivery.status.code).toBe(SpanStatusCode.UNSET);

    const steps = sdk.childrenOf(delivery);
    expect(named(steps)).toEqual([
      'pathors.claim',
      'pathors.complete',
      'pathors.handler TracedHandlers.saveCall',
    ]);
    const handler = steps.find((span) => span.name.startsWith('pathors.handler'))!;
    expect(handler.attributes).toMatchObject({
      'pathors.handler.id': 'TracedHandlers.saveCall',
      'pathors.event.name': 'call.ended',
      'pathors.idempotency_key': key,
    });
    // What the handler saw as active is its span; the span it started is that span's child, in the same trace.
    expect(harness().get(TracedHandlers).activeAtStart.get(`saveCall:${key}`)?.spanId).toBe(
      handler.spanContext().spanId,
    );
    expect(named(sdk.childrenOf(handler))).toEqual(['crm.save']);
    expect(sdk.childrenOf(handler)[0].spanContext().traceId).toBe(delivery.spanContext().traceId);
  });

  it('continues the trace of a traceparent header sent with the webhook', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentSpanId = '00f067aa0ba902b7';
    const payload = buildCallEnded();
    const response = await post(server(), payload, { traceparent: `00-${traceId}-${parentSpanId}-01` });
    expect(response.status).toBe(200);

    const delivery = deliverySpanOf(`lifecycle:${payload.sessionId}:call.ended`);
    expect(delivery.spanContext().traceId).toBe(traceId);
    expect(delivery.parentSpanContext?.spanId).toBe(parentSpanId);
    expect(delivery.parentSpanContext?.isRemote).toBe(true);
    const [crmSave] = sdk.spansNamed('crm.save');
    expect(crmSave.spanContext().traceId).toBe(traceId);
  });

  it('records a failing handler on its span (exception, status ERROR) and the delivery as failed', async () => {
    const payload = buildRecordingReady();
    expect((await post(server(), payload)).status).toBe(500);

    const delivery = deliverySpanOf(`lifecycle:${payload.sessionId}:recording.ready:ready`);
    expect(delivery.attributes['pathors.outcome']).toBe('failed');
    expect(delivery.attributes['http.response.status_code']).toBe(500);
    expect(delivery.status.code).toBe(SpanStatusCode.ERROR);
    const steps = sdk.childrenOf(delivery);
    expect(named(steps)).toEqual([
      'pathors.claim',
      'pathors.handler TracedHandlers.storeRecording',
      'pathors.release',
    ]);
    const handler = steps.find((span) => span.name.startsWith('pathors.handler'))!;
    expect(handler.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'TracedHandlers.storeRecording failed',
    });
    const [exception] = handler.events.filter((event) => event.name === 'exception');
    expect(exception.attributes).toMatchObject({
      'exception.type': 'Error',
      'exception.message': 'storage unavailable',
    });
  });

  it('marks a permanent failure: answered 200, handler and delivery spans in ERROR', async () => {
    const payload = buildMessageAdded();
    expect((await post(server(), payload)).status).toBe(200);

    const [delivery] = sdk.spansNamed('pathors.webhook.receive');
    expect(delivery.attributes['pathors.outcome']).toBe('failed-permanently');
    expect(delivery.status.code).toBe(SpanStatusCode.ERROR);
    const [handler] = sdk.spansNamed('pathors.handler TracedHandlers.rejectMessage');
    expect(handler.status.code).toBe(SpanStatusCode.ERROR);
    expect(handler.parentSpanContext?.spanId).toBe(delivery.spanContext().spanId);
  });

  it('puts names, ids and keys on spans, never the payload, a phone number or the secret', async () => {
    const payload = buildSessionCreated();
    expect(JSON.stringify(payload)).toContain(PHONE_NUMBER);
    expect((await post(server(), payload, { 'webhook-id': 'msg_private' })).status).toBe(200);
    expect((await post(server(), buildRecordingReady())).status).toBe(500);

    const recorded = JSON.stringify(
      sdk.spans().map((span) => [span.name, span.attributes, span.events, span.status]),
    );
    expect(recorded).toContain('msg_private');
    for (const secretOrPersonal of [PHONE_NUMBER, SECRET, 'crm-42', payload.agentId as string]) {
      expect(recorded).not.toContain(secretOrPersonal);
    }
  });

  it('answers a refusal in a span with its status code, and no outcome', async () => {
    const response = await post(server(), buildCallEnded(), sharedSecretHeaders('not-the-secret'));
    expect(response.status).toBe(401);

    const [refused] = sdk.spansNamed('pathors.webhook.receive');
    expect(refused.attributes).toEqual({
      'pathors.registration': 'default',
      'http.response.status_code': 401,
    });
    expect(refused.events).toEqual([]);
    expect(refused.status.code).toBe(SpanStatusCode.UNSET);
    expect(sdk.childrenOf(refused)).toEqual([]);
  });

  describe('metrics', () => {
    const delta = (before: CollectedMetrics, after: CollectedMetrics) => ({
      sum: (name: string, attributes: Record<string, string | number>) =>
        after.sum(name, attributes) - before.sum(name, attributes),
      count: (name: string, attributes: Record<string, string | number> = {}) =>
        after.count(name, attributes) - before.count(name, attributes),
    });

    it('counts a handled, a duplicate, a 401 and a failed delivery, and times handlers and answers', async () => {
      const before = await sdk.collect();
      const handled = buildCallEnded();
      expect((await post(server(), handled)).status).toBe(200);
      expect((await post(server(), handled)).status).toBe(200);
      expect((await post(server(), buildCallEnded(), sharedSecretHeaders('wrong-secret'))).status).toBe(401);
      expect((await post(server(), buildRecordingReady())).status).toBe(500);
      const after = await sdk.collect();
      const { sum, count } = delta(before, after);

      const deliveries = 'pathors.webhook.deliveries';
      const byEvent = (name: string, outcome: string) => ({
        'pathors.registration': 'default',
        'pathors.event.name': name,
        'pathors.outcome': outcome,
      });
      expect(sum(deliveries, byEvent('call.ended', 'handled'))).toBe(1);
      expect(sum(deliveries, byEvent('call.ended', 'duplicate'))).toBe(1);
      expect(sum(deliveries, byEvent('recording.ready', 'failed'))).toBe(1);
      expect(sum(deliveries, {})).toBe(3);
      expect(sum('pathors.webhook.rejections', { 'http.response.status_code': 401 })).toBe(1);
      expect(sum('pathors.webhook.rejections', {})).toBe(1);

      const handlerDuration = 'pathors.handler.duration';
      expect(
        count(handlerDuration, {
          'pathors.event.name': 'call.ended',
          'pathors.handler.id': 'TracedHandlers.saveCall',
          'pathors.handler.result': 'succeeded',
        }),
      ).toBe(1);
      expect(
        count(handlerDuration, {
          'pathors.event.name': 'recording.ready',
          'pathors.handler.id': 'TracedHandlers.storeRecording',
          'pathors.handler.result': 'failed',
        }),
      ).toBe(1);
      // The duplicate ran no handler.
      expect(count(handlerDuration)).toBe(2);

      const answerDuration = 'pathors.webhook.answer.duration';
      expect(count(answerDuration)).toBe(4);
      expect(count(answerDuration, { 'http.response.status_code': 200 })).toBe(2);
      expect(count(answerDuration, { 'http.response.status_code': 401 })).toBe(1);
      expect(count(answerDuration, { 'http.response.status_code': 500, 'pathors.outcome': 'failed' })).toBe(
        1,
      );

      expect(after.metric(deliveries).descriptor.unit).toBe('{delivery}');
      expect(after.metric(handlerDuration).descriptor.unit).toBe('s');
      // The saveCall handler waits 5 ms: its duration is in seconds, not milliseconds.
      const [point] = after.points(handlerDuration, { 'pathors.handler.id': 'TracedHandlers.saveCall' });
      const { sum: seconds, count: runs } = point.value as { sum: number; count: number };
      expect(seconds / runs).toBeGreaterThan(0.004);
      expect(seconds / runs).toBeLessThan(2);
    });

    it('counts each refusal by its status: 400, 413, 415', async () => {
      const before = await sdk.collect();
      const invalid = await post(server(), { ...buildCallEnded(), callDuration: 'long' });
      expect(invalid.status).toBe(400);
      const tooLarge = await post(server(), buildCallEnded({ padding: 'x'.repeat(MAX_BODY_BYTES) }));
      expect(tooLarge.status).toBe(413);
      const notJson = await request(server())
        .post(PATH)
        .set(sharedSecretHeaders(SECRET))
        .set('content-type', 'text/plain')
        .send('call.ended');
      expect(notJson.status).toBe(415);
      const { sum } = delta(before, await sdk.collect());

      for (const status of [400, 413, 415]) {
        expect(sum('pathors.webhook.rejections', { 'http.response.status_code': status })).toBe(1);
      }
      expect(sum('pathors.webhook.deliveries', {})).toBe(0);
    });

    it('names an unknown event _OTHER on metrics, by its own name on the span', async () => {
      const before = await sdk.collect();
      const unknown = {
        event: 'call.transcribed',
        sessionId: 'session-unknown',
        timestamp: new Date().toISOString(),
      };
      // No catch-all handler here: nothing listens.
      expect((await post(server(), unknown)).status).toBe(202);
      const { sum } = delta(before, await sdk.collect());

      expect(
        sum('pathors.webhook.deliveries', {
          'pathors.event.name': '_OTHER',
          'pathors.outcome': 'no-handler',
        }),
      ).toBe(1);
      expect(sdk.spansNamed('pathors.webhook.receive')[0].attributes['pathors.event.name']).toBe(
        'call.transcribed',
      );
    });
  });

  describe('behind the HTTP instrumentation', () => {
    beforeEach(() => instrumentHttp(harness().server));

    it("makes the delivery span a child of the request's span, ignoring a traceparent header", async () => {
      const payload = buildCallEnded();
      const headers = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
      expect((await post(server(), payload, headers)).status).toBe(200);

      const [httpSpan] = sdk.spans().filter((span) => span.name === `POST ${PATH}`);
      const delivery = deliverySpanOf(`lifecycle:${payload.sessionId}:call.ended`);
      expect(delivery.kind).toBe(SpanKind.INTERNAL);
      expect(delivery.parentSpanContext?.spanId).toBe(httpSpan.spanContext().spanId);
      expect(delivery.spanContext().traceId).toBe(httpSpan.spanContext().traceId);
      expect(delivery.spanContext().traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
    });
  });
});
