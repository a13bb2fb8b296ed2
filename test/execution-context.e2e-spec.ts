import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  Catch,
  HttpException,
  Injectable,
  UseGuards,
  UseInterceptors,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { defer, of, throwError } from 'rxjs';
import request from 'supertest';
import {
  CallEndedEvent,
  OnPathorsEvent,
  PathorsDelivery,
  SessionEndedEvent,
  isPathorsContext,
  type PathorsEventFor,
} from 'nestjs-pathors';
import {
  buildCallEnded,
  buildRecordingReady,
  buildSessionEnded,
  sharedSecretHeaders,
} from 'nestjs-pathors/testing';
import { ADAPTERS, createWebhookApp, type WebhookApp } from './support/webhook-app.js';

const SECRET = 'context-secret-123456';

/** Delivers a payload to the app's webhook with the shared secret. */
const deliver = (harness: WebhookApp, payload: object) =>
  request(harness.server).post('/pathors/webhooks').set(sharedSecretHeaders(SECRET)).send(payload);
const seen: string[] = [];

/** A host-wide interceptor that reads the HTTP request unless it runs around a Pathors handler. */
@Injectable()
class HostHttpInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    if (isPathorsContext(context)) {
      seen.push('interceptor:pathors');
    } else {
      const { url } = context.switchToHttp().getRequest<{ url: string }>();
      seen.push(`interceptor:http:${url}`);
    }
    return next.handle();
  }
}

/** A host-wide guard written for HTTP, stepping aside for Pathors handlers. */
@Injectable()
class HostJwtLikeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (isPathorsContext(context)) return true;
    const headers = context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers;
    return typeof headers.authorization === 'string';
  }
}

/** A host-wide filter that assumes HTTP: it must never see (and never swallow) a handler's error. */
@Catch()
class HostHttpFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    seen.push(`filter:${host.getType()}:${status}`);
    const reply = host
      .switchToHttp()
      .getResponse<{ status(code: number): { send?: unknown; json?: unknown } }>();
    const answer = reply.status(status) as { json?: (b: unknown) => void; send: (b: unknown) => void };
    (answer.json ?? answer.send).call(answer, { hostFilter: true, status });
  }
}

@Injectable()
class HandlerScopedInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    const [event, delivery] = context.getArgs<[SessionEndedEvent, PathorsDelivery]>();
    seen.push(`scoped:${context.getType()}:${event.sessionId}:${delivery.eventName}`);
    return next.handle();
  }
}

@Injectable()
class DenyAllGuard implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

@Injectable()
class ContextHandlers {
  @UseInterceptors(HandlerScopedInterceptor)
  @OnPathorsEvent('session.ended')
  onSessionEnded(_event: PathorsEventFor<'session.ended'>) {
    seen.push('handler:session.ended');
  }

  @OnPathorsEvent('call.ended')
  @UseGuards(DenyAllGuard)
  onCallEnded(_event: CallEndedEvent) {
    seen.push('handler:call.ended');
  }
}

describe.each(ADAPTERS)('handlers run in a "pathors" execution context on %s', (adapter) => {
  let harness: WebhookApp;
  beforeAll(async () => {
    harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET } },
      providers: [
        ContextHandlers,
        HandlerScopedInterceptor,
        DenyAllGuard,
        { provide: APP_INTERCEPTOR, useClass: HostHttpInterceptor },
        { provide: APP_GUARD, useClass: HostJwtLikeGuard },
        { provide: APP_FILTER, useClass: HostHttpFilter },
      ],
    });
  });
  afterAll(() => harness.app.close());
  beforeEach(() => {
    seen.length = 0;
  });

  it('applies global and handler-scoped enhancers with context type "pathors"', async () => {
    const payload = buildSessionEnded();
    expect((await deliver(harness, payload)).status).toBe(200);
    expect(seen).toEqual([
      'interceptor:http:/pathors/webhooks',
      'interceptor:pathors',
      `scoped:pathors:${payload.sessionId}:session.ended`,
      'handler:session.ended',
    ]);
  });

  it('a guard that refuses a handler fails the delivery (500, retried), and host filters never see handler errors', async () => {
    const response = await deliver(harness, buildCallEnded());
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ hostFilter: true, status: 500 });
    expect(seen).not.toContain('handler:call.ended');
    expect(seen.filter((line) => line.startsWith('filter:'))).toEqual(['filter:http:500']);
  });
});

/** Guarded as a class: every handler of it is refused. */
@Injectable()
@UseGuards(DenyAllGuard)
class ClassGuardedHandlers {
  @OnPathorsEvent('call.ended')
  onCallEnded(_event: CallEndedEvent) {
    seen.push('class-guarded:call.ended');
  }
}

/** No guard or interceptor anywhere: called directly, an Observable result awaited as the context would. */
@Injectable()
class ObservableHandlers {
  @OnPathorsEvent('session.ended')
  onSessionEnded(event: PathorsEventFor<'session.ended'>) {
    const id = 'sessionId' in event ? event.sessionId : event.id;
    return defer(() => {
      seen.push(`observable:subscribed:${id}`);
      return of('first', 'last');
    });
  }

  @OnPathorsEvent('recording.ready')
  onRecordingReady() {
    return throwError(() => new Error('storage is down'));
  }
}

describe.each(ADAPTERS)('handlers of an app without global enhancers on %s', (adapter) => {
  let harness: WebhookApp;
  beforeAll(async () => {
    harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET } },
      providers: [ClassGuardedHandlers, ObservableHandlers, DenyAllGuard],
    });
  });
  afterAll(() => harness.app.close());
  beforeEach(() => {
    seen.length = 0;
  });

  const post = (payload: object) => deliver(harness, payload);

  it('a class-level guard still refuses its handlers (500)', async () => {
    expect((await post(buildCallEnded())).status).toBe(500);
    expect(seen).toEqual([]);
  });

  it('an Observable returned by a plain handler is subscribed and awaited; its error fails the delivery', async () => {
    const payload = buildSessionEnded();
    expect((await post(payload)).status).toBe(200);
    expect(seen).toEqual([`observable:subscribed:${payload.sessionId}`]);
    expect((await post(buildRecordingReady())).status).toBe(500);
  });
});
