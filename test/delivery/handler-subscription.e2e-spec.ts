import { describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module, Scope } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import {
  CallEndedEvent,
  OnPathorsEvent,
  PathorsConfigurationError,
  PathorsDelivery,
  SessionStartedEvent,
} from 'nestjs-pathors';
import { buildCallEnded, buildSessionStarted, sharedSecretHeaders } from 'nestjs-pathors/testing';
import { ADAPTERS, createWebhookApp, useWebhookApp, type WebhookApp } from '../support/webhook-app.js';

const SECRET = 'subscription-secret-123456';

const deliver = (harness: WebhookApp, payload: object) =>
  request(harness.server).post('/pathors/webhooks').set(sharedSecretHeaders(SECRET)).send(payload);

/** What the request-scoped handler saw: its own instance number, the injected request, the event. */
const requestScopedCalls: Array<{ instance: number; request: unknown; sessionId: string }> = [];
let instances = 0;

/** A request-scoped provider: a fresh instance per event, with `[event, delivery]` as its REQUEST. */
@Injectable({ scope: Scope.REQUEST })
class RequestScopedHandler {
  private readonly instance = ++instances;

  constructor(@Inject(REQUEST) private readonly request: unknown) {}

  @OnPathorsEvent('call.ended')
  async onCallEnded(event: CallEndedEvent) {
    await new Promise((resolve) => setImmediate(resolve));
    requestScopedCalls.push({ instance: this.instance, request: this.request, sessionId: event.sessionId });
  }
}

/** A singleton whose handler other code may also reach by emitting on the app's emitter. */
@Injectable()
class SingletonHandler {
  readonly received: Array<{ sessionId: string; delivery: unknown }> = [];

  @OnPathorsEvent('session.started')
  onSessionStarted(event: SessionStartedEvent, delivery: PathorsDelivery) {
    this.received.push({ sessionId: event.sessionId, delivery });
    return 'returned to a direct caller';
  }
}

describe.each(ADAPTERS)('handler subscription on the event emitter (%s)', (adapter) => {
  const app = useWebhookApp({
    adapter,
    pathors: { webhook: { secret: SECRET } },
    providers: [RequestScopedHandler, SingletonHandler],
  });

  it('runs a request-scoped handler on a fresh instance per event, awaited before the answer', async () => {
    requestScopedCalls.length = 0;
    const first = buildCallEnded();
    const second = buildCallEnded();
    expect((await deliver(app(), first)).status).toBe(200);
    expect((await deliver(app(), second)).status).toBe(200);
    expect(requestScopedCalls.map((call) => call.sessionId)).toEqual([first.sessionId, second.sessionId]);
    const [a, b] = requestScopedCalls;
    expect(a!.instance).not.toBe(b!.instance);
    // The REQUEST a request-scoped handler can inject is [event, delivery], as @nestjs/event-emitter gives it.
    const [event, delivery] = a!.request as [CallEndedEvent, PathorsDelivery];
    expect(event).toBeInstanceOf(CallEndedEvent);
    expect(delivery).toBeInstanceOf(PathorsDelivery);
    expect(delivery.idempotencyKey).toBe(`lifecycle:${first.sessionId}:call.ended`);
  });

  it('hands the delivery itself to a handler and records its success', async () => {
    const handler = app().get(SingletonHandler);
    const payload = buildSessionStarted();
    expect((await deliver(app(), payload)).status).toBe(200);
    expect((await deliver(app(), payload)).body).toEqual({
      received: true,
      note: 'duplicate: already processed',
    });
    const runs = handler.received.filter((call) => call.sessionId === payload.sessionId);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.delivery).toBeInstanceOf(PathorsDelivery);
  });

  it('calls the plain method when other code emits the same event name on the emitter', () => {
    const handler = app().get(SingletonHandler);
    const before = handler.received.length;
    const emitted = app()
      .get(EventEmitter2)
      .emit('pathors:session.started', { sessionId: 'by-hand' }, 'not a delivery');
    expect(emitted).toBe(true);
    expect(handler.received.slice(before)).toEqual([{ sessionId: 'by-hand', delivery: 'not a delivery' }]);
  });

  it('runs a request-scoped handler on an instance of its own when other code emits its event name', async () => {
    requestScopedCalls.length = 0;
    const emitter = app().get(EventEmitter2);
    const [running] = (await emitter.emitAsync(
      'pathors:call.ended',
      { sessionId: 'by-hand' },
      'not a delivery',
    )) as [unknown];
    await running;
    expect(requestScopedCalls).toEqual([
      {
        instance: expect.any(Number),
        request: [{ sessionId: 'by-hand' }, 'not a delivery'],
        sessionId: 'by-hand',
      },
    ]);
  });

  it('unsubscribes its handlers when the app shuts down, and a second close is harmless', async () => {
    const emitter = app().get(EventEmitter2);
    expect(emitter.listenerCount('pathors:call.ended')).toBe(1);
    await app().app.close();
    expect(emitter.listenerCount('pathors:call.ended')).toBe(0);
    expect(emitter.listenerCount('pathors:session.started')).toBe(0);
    await expect(app().app.close()).resolves.toBeUndefined();
  });
});

describe.each(ADAPTERS)("a handler unsubscribed behind the module's back (%s)", (adapter) => {
  const app = useWebhookApp({
    adapter,
    pathors: { webhook: { secret: SECRET } },
    providers: [SingletonHandler],
  });

  it('makes the webhook answer 500, so the event is neither marked done nor lost', async () => {
    const emitter = app().get(EventEmitter2);
    const [listener] = emitter.listeners('pathors:session.started');
    emitter.removeAllListeners('pathors:session.started');
    const payload = buildSessionStarted();
    expect((await deliver(app(), payload)).status).toBe(500);
    expect(app().get(SingletonHandler).received).toEqual([]);

    // Once it listens again, the redelivery runs it: nothing was recorded as done.
    emitter.on('pathors:session.started', listener!);
    expect((await deliver(app(), payload)).status).toBe(200);
    expect(
      app()
        .get(SingletonHandler)
        .received.map((call) => call.sessionId),
    ).toEqual([payload.sessionId]);
  });
});

/** One method under two stacked decorators, and one listing a name beside the catch-all. */
@Injectable()
class OverlappingNames {
  readonly runs: string[] = [];

  @OnPathorsEvent('call.ended')
  @OnPathorsEvent('session.started')
  stacked(event: CallEndedEvent | SessionStartedEvent) {
    this.runs.push(`stacked ${event.event} ${event.sessionId}`);
  }

  @OnPathorsEvent(['call.ended', '*', 'call.ended'])
  everything(_event: unknown, delivery: PathorsDelivery) {
    this.runs.push(`everything ${delivery.eventName} ${delivery.sessionId}`);
  }
}

/** A base class whose decorated method two provider subclasses inherit: two handlers. */
abstract class CallLedger {
  static readonly failuresLeft = new Map<string, number>();
  readonly seen: string[] = [];

  @OnPathorsEvent('call.ended')
  record(event: CallEndedEvent) {
    const left = CallLedger.failuresLeft.get(this.constructor.name) ?? 0;
    if (left > 0) {
      CallLedger.failuresLeft.set(this.constructor.name, left - 1);
      throw new Error(`${this.constructor.name} is down`);
    }
    this.seen.push(event.sessionId);
  }
}
@Injectable()
class BillingLedger extends CallLedger {}
@Injectable()
class CrmLedger extends CallLedger {}

describe.each(ADAPTERS)('handlers whose names overlap (%s)', (adapter) => {
  const app = useWebhookApp({
    adapter,
    pathors: { webhook: { secret: SECRET } },
    providers: [OverlappingNames, BillingLedger, CrmLedger],
  });

  it('runs a method once per event, whether stacked decorators or a name beside "*" matched it', async () => {
    const handler = app().get(OverlappingNames);
    const call = buildCallEnded();
    const started = buildSessionStarted();
    expect((await deliver(app(), call)).status).toBe(200);
    expect((await deliver(app(), started)).status).toBe(200);
    expect(handler.runs.sort()).toEqual(
      [
        `everything call.ended ${call.sessionId}`,
        `everything session.started ${started.sessionId}`,
        `stacked call.ended ${call.sessionId}`,
        `stacked session.started ${started.sessionId}`,
      ].sort(),
    );
  });

  it('keeps two subclasses of one decorated class apart: a redelivery runs only the one that failed', async () => {
    CallLedger.failuresLeft.set('CrmLedger', 1);
    const call = buildCallEnded();
    expect((await deliver(app(), call)).status).toBe(500);
    expect(app().get(BillingLedger).seen).toContain(call.sessionId);
    expect(app().get(CrmLedger).seen).not.toContain(call.sessionId);
    expect((await deliver(app(), call)).status).toBe(200);
    expect(
      app()
        .get(BillingLedger)
        .seen.filter((id) => id === call.sessionId),
    ).toHaveLength(1);
    expect(
      app()
        .get(CrmLedger)
        .seen.filter((id) => id === call.sessionId),
    ).toHaveLength(1);
  });
});

describe('two handlers with one name', () => {
  it('fails the boot naming both modules: their completion records would be one', async () => {
    const defineFeature = () => {
      @Injectable()
      class CallHandlers {
        @OnPathorsEvent('call.ended')
        handle() {}
      }
      return CallHandlers;
    };
    @Module({ providers: [defineFeature()] })
    class SalesModule {}
    @Module({ providers: [defineFeature()] })
    class SupportModule {}
    const boot = createWebhookApp({
      adapter: 'express',
      pathors: { webhook: { secret: SECRET } },
      imports: [SalesModule, SupportModule],
    });
    await expect(boot).rejects.toThrow(PathorsConfigurationError);
    await expect(boot).rejects.toThrow(
      'Two @OnPathorsEvent() handlers are both named CallHandlers.handle (in SalesModule and in SupportModule)',
    );
  });

  it('refuses stacked decorators limited to different registrations', () => {
    expect(() => {
      class Mixed {
        @OnPathorsEvent('call.ended', { registration: 'sales' })
        @OnPathorsEvent('session.ended', { registration: 'support' })
        handle() {}
      }
      return Mixed;
    }).toThrow('@OnPathorsEvent() stacked on handle with different "registration" options');
  });
});
