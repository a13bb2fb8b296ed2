import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import request from 'supertest';
import {
  CallEndedEvent,
  KnowledgeStoreUpdatedEvent,
  MessageAddedEvent,
  OnPathorsEvent,
  PathorsDelivery,
  PlatformSessionEndedEvent,
  RecordingReadyEvent,
  SessionCreatedEvent,
  SessionEndedEvent,
  SessionFinalizedEvent,
  SessionStartedEvent,
  SessionUpdatedEvent,
  SubscriptionUpdatedEvent,
  UnknownPathorsEvent,
  UsageUpdatedEvent,
} from 'nestjs-pathors';
import {
  buildCallEnded,
  buildCallSessionFinalized,
  buildKnowledgeStoreUpdated,
  buildMessageAdded,
  buildPlatformSessionEnded,
  buildRecordingReady,
  buildSessionCreated,
  buildSessionEnded,
  buildSessionStarted,
  buildSessionUpdated,
  buildSubscriptionUpdated,
  buildTextSessionFinalized,
  buildUsageUpdated,
  deliver,
  sharedSecretHeaders,
  type PathorsPayload,
} from 'nestjs-pathors/testing';
import { CatchAllHandler, RecordingHandlers } from './support/recording-handlers.js';
import { ADAPTERS, createWebhookApp, useWebhookApp, type WebhookApp } from './support/webhook-app.js';

const SECRET = 'test-secret-0123456789';
const PATH = '/pathors/webhooks';
const auth = sharedSecretHeaders(SECRET);

/** Every documented event of both dialects, the class its handler must receive and its timestamp fields. */
const EVENTS: Array<[string, () => PathorsPayload, new () => object, string[]]> = [
  ['session.ended', buildSessionEnded, SessionEndedEvent, ['timestamp']],
  ['call.ended', buildCallEnded, CallEndedEvent, ['timestamp']],
  ['session.finalized', buildCallSessionFinalized, SessionFinalizedEvent, ['timestamp']],
  ['session.finalized', buildTextSessionFinalized, SessionFinalizedEvent, ['timestamp']],
  ['recording.ready', buildRecordingReady, RecordingReadyEvent, ['timestamp']],
  ['session.started', buildSessionStarted, SessionStartedEvent, ['timestamp']],
  ['session.created', buildSessionCreated, SessionCreatedEvent, ['createdAt', 'lastActivityAt']],
  ['session.ended', buildPlatformSessionEnded, PlatformSessionEndedEvent, ['createdAt', 'endedAt']],
  ['session.updated', buildSessionUpdated, SessionUpdatedEvent, []],
  ['message.added', buildMessageAdded, MessageAddedEvent, []],
  ['usage.updated', buildUsageUpdated, UsageUpdatedEvent, []],
  ['subscription.updated', buildSubscriptionUpdated, SubscriptionUpdatedEvent, []],
  ['knowledge_store.updated', buildKnowledgeStoreUpdated, KnowledgeStoreUpdatedEvent, []],
];

@Injectable()
class FailingCallHandler {
  @OnPathorsEvent('call.ended')
  fail(_event: CallEndedEvent): void {
    throw new Error('database unavailable');
  }
}

describe.each(ADAPTERS)('webhook endpoint on %s', (adapter) => {
  let harness: WebhookApp;
  let handlers: RecordingHandlers;
  let catchAll: CatchAllHandler;

  beforeAll(async () => {
    harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET } },
      providers: [RecordingHandlers, CatchAllHandler],
    });
    handlers = harness.get(RecordingHandlers);
    catchAll = harness.get(CatchAllHandler);
  });
  afterAll(() => harness.app.close());
  beforeEach(() => {
    handlers.calls.length = 0;
    catchAll.calls.length = 0;
  });

  const post = (body: unknown, headers: Record<string, string> = auth) =>
    request(harness.server)
      .post(PATH)
      .set(headers)
      .set('content-type', 'application/json')
      .send(JSON.stringify(body));

  it.each(EVENTS)(
    'delivers %s (%p) to its handler as an instance with Date timestamps',
    async (name, build, type, dates) => {
      const payload = build();
      // Through the testing kit: an authenticated POST over real HTTP, resolved after the handlers ran.
      const response = await deliver(harness.app, payload);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ received: true });
      expect(handlers.calls).toHaveLength(1);
      const [{ handler, event, delivery }] = handlers.calls;
      expect(handler).toBe(name);
      expect(event).toBeInstanceOf(type);
      for (const field of dates) {
        expect((event as Record<string, unknown>)[field]).toBeInstanceOf(Date);
        expect((event as Record<string, Date>)[field].toISOString()).toBe(payload[field]);
      }
      expect(delivery).toBeInstanceOf(PathorsDelivery);
      expect(delivery.eventName).toBe(name);
      expect(delivery.payload).toEqual(payload);
      // The catch-all handler sees every event too.
      expect(catchAll.calls.map((call) => call.event)).toEqual([event]);
    },
  );

  it('keeps unknown extra fields on the instance', async () => {
    await post(buildCallEnded({ carrier: 'acme-telecom' })).expect(200);
    expect((handlers.calls[0].event as Record<string, unknown>).carrier).toBe('acme-telecom');
  });

  it('tells call from text in session.finalized with isCall()', async () => {
    await post(buildCallSessionFinalized()).expect(200);
    await post(buildTextSessionFinalized()).expect(200);
    const [call, text] = handlers.calls.map((c) => c.event as SessionFinalizedEvent);
    expect(call.isCall()).toBe(true);
    expect(text.isCall()).toBe(false);
    expect('callStatus' in text).toBe(false);
  });

  it('gives delivery metadata: dialect, idempotency key, session, received time', async () => {
    const before = Date.now();
    const payload = buildSessionCreated();
    await post(payload, { ...auth, 'webhook-id': 'msg_abc' }).expect(200);
    const { delivery } = handlers.calls[0];
    expect(delivery.dialect).toBe('platform');
    expect(delivery.deliveryId).toBe('msg_abc');
    expect(delivery.idempotencyKey).toBe('platform:msg:msg_abc');
    expect(delivery.sessionId).toBe(payload.id);
    expect(delivery.receivedAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('answers 202 for an unknown event name and hands it to the catch-all handler only', async () => {
    const response = await post({
      event: 'call.transcribed',
      sessionId: 's-1',
      timestamp: new Date().toISOString(),
    });
    expect(response.status).toBe(202);
    expect(handlers.calls).toHaveLength(0);
    expect(catchAll.calls).toHaveLength(1);
    const event = catchAll.calls[0].event as UnknownPathorsEvent;
    expect(event).toBeInstanceOf(UnknownPathorsEvent);
    expect(event.name).toBe('call.transcribed');
    expect(event.sessionId).toBe('s-1');
  });

  describe('refusals never reach a handler', () => {
    afterAll(() => {
      expect(handlers.calls).toHaveLength(0);
      expect(catchAll.calls).toHaveLength(0);
    });

    it('400 for malformed JSON', async () => {
      const response = await request(harness.server)
        .post(PATH)
        .set(auth)
        .set('content-type', 'application/json')
        .send('{"event": "call.ended",');
      expect(response.status).toBe(400);
    });

    it('400 for a missing discriminator, naming it', async () => {
      const response = await post({ sessionId: 'x', timestamp: new Date().toISOString() });
      expect(response.status).toBe(400);
      expect(response.body.issues).toEqual([
        { path: 'event', reason: expect.stringContaining('discriminator') },
      ]);
    });

    it('400 for a JSON body that is not an object', async () => {
      expect((await post([buildCallEnded()])).status).toBe(400);
    });

    it('400 listing every invalid documented field with its path', async () => {
      const response = await post({
        ...buildCallEnded(),
        callStatus: 7,
        callDuration: -1,
        timestamp: 'yesterday',
        projectId: undefined,
      });
      expect(response.status).toBe(400);
      const paths = (response.body.issues as Array<{ path: string }>).map((issue) => issue.path).sort();
      expect(paths).toEqual(expect.arrayContaining(['callDuration', 'callStatus', 'projectId', 'timestamp']));
    });

    it('400 with nested paths for an invalid analysis block', async () => {
      const payload = buildPlatformSessionEnded();
      (payload.analysis as { sentiment: unknown }).sentiment = {
        conversation: { sentiment: 1, score: 3 },
      };
      const response = await post(payload);
      expect(response.status).toBe(400);
      const paths = (response.body.issues as Array<{ path: string }>).map((issue) => issue.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'analysis.sentiment.conversation.sentiment',
          'analysis.sentiment.conversation.score',
        ]),
      );
    });

    it.each([
      ['analysis', { ...buildPlatformSessionEnded(), analysis: [] }],
      ['metadata', { ...buildSessionCreated(), metadata: [{}] }],
      ['totals', { ...buildUsageUpdated(), totals: [1, 2, 3] }],
    ])('400 for an array where the documented %s is an object', async (path, payload) => {
      const response = await post(payload);
      expect(response.status).toBe(400);
      expect((response.body.issues as Array<{ path: string }>).map((issue) => issue.path)).toContain(path);
    });

    it('400 for a call field of the wrong type on session.finalized', async () => {
      const response = await post({ ...buildTextSessionFinalized(), callStatus: false });
      expect(response.status).toBe(400);
      expect(response.body.issues).toEqual([{ path: 'callStatus', reason: 'callStatus must be a string' }]);
    });

    it('400 for a __proto__ key', async () => {
      const response = await request(harness.server)
        .post(PATH)
        .set(auth)
        .set('content-type', 'application/json')
        .send(
          `{"event":"call.ended","sessionId":"s","timestamp":"${new Date().toISOString()}","__proto__":{"polluted":true}}`,
        );
      expect(response.status).toBe(400);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('401 without a credential, before the payload is validated', async () => {
      const response = await post({ not: 'an event' }, {});
      expect(response.status).toBe(401);
      expect(JSON.stringify(response.body)).not.toContain('discriminator');
    });

    it('401 with a wrong secret of the same length', async () => {
      expect((await post(buildCallEnded(), sharedSecretHeaders(SECRET.replace(/.$/, 'X')))).status).toBe(401);
    });

    it('401 with the secret but without the Bearer scheme', async () => {
      expect((await post(buildCallEnded(), { authorization: SECRET })).status).toBe(401);
    });

    it('413 above maxBodyBytes', async () => {
      const payload = buildCallEnded({ padding: 'x'.repeat(1024 * 1024) });
      expect((await post(payload)).status).toBe(413);
    });

    it('415 for a non-JSON content type', async () => {
      const response = await request(harness.server)
        .post(PATH)
        .set(auth)
        .set('content-type', 'text/plain')
        .send(JSON.stringify(buildCallEnded()));
      expect(response.status).toBe(415);
    });
  });
});

describe.each(ADAPTERS)('dispatch policy on %s', (adapter) => {
  it('answers 500 when a handler throws, runs the other handlers, and leaks nothing', async () => {
    const harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET } },
      providers: [RecordingHandlers, FailingCallHandler],
    });
    try {
      const response = await request(harness.server).post(PATH).set(auth).send(buildCallEnded());
      expect(response.status).toBe(500);
      expect(JSON.stringify(response.body)).not.toContain('database unavailable');
      expect(harness.get(RecordingHandlers).calls.map((call) => call.handler)).toEqual(['call.ended']);
    } finally {
      await harness.app.close();
    }
  });

  it('answers 202 when no handler listens to a known event', async () => {
    const harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET } },
      providers: [FailingCallHandler],
    });
    try {
      const response = await request(harness.server).post(PATH).set(auth).send(buildSessionEnded());
      expect(response.status).toBe(202);
    } finally {
      await harness.app.close();
    }
  });
});

/** Sets a header on every webhook response before the route runs, as CORS, helmet or a request-id middleware do. */
@Module({})
class RequestIdModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((_request: unknown, response: ServerResponse, next: () => void) => {
        response.setHeader('x-request-id', 'request-1');
        next();
      })
      .forRoutes('pathors/webhooks');
  }
}

describe.each(ADAPTERS)('answers on %s', (adapter) => {
  const harness = useWebhookApp({
    adapter,
    pathors: { webhook: { secret: SECRET } },
    providers: [RecordingHandlers],
    imports: [RequestIdModule],
  });

  const post = (payload: PathorsPayload) =>
    request(harness().server).post(PATH).set(auth).send(payload).buffer(true);

  it('are exact JSON with their length, after the headers middleware set', async () => {
    const payload = buildCallEnded();
    const answers = [
      [await post(payload), 200, '{"received":true}'],
      [await post(payload), 200, '{"received":true,"note":"duplicate: already processed"}'],
      [
        await post({ ...payload, event: 'call.transferred' }),
        202,
        '{"received":true,"note":"no handler for this event"}',
      ],
    ] as const;
    for (const [response, status, text] of answers) {
      expect(response.status).toBe(status);
      expect(response.text).toBe(text);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['content-length']).toBe(String(Buffer.byteLength(text)));
      expect(response.headers['x-request-id']).toBe('request-1');
    }
    expect(
      harness()
        .get(RecordingHandlers)
        .calls.map((call) => call.handler),
    ).toEqual(['call.ended']);
  });
});
