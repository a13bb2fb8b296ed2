import {
  HttpException,
  HttpStatus,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { EVENT_LISTENER_METADATA } from '@nestjs/event-emitter';
import { PathorsDelivery, isPathorsContext } from 'nestjs-pathors';
import { catchError, tap, throwError, type Observable } from 'rxjs';
import { AgentWebhook } from '../config/agents.js';
import { DeliveryInspector, OpenTrace } from './delivery-inspector.service.js';
import type { ValidationIssue } from './delivery-trace.types.js';

/**
 * `Class.method` of the `@OnPathorsEvent` handler a `pathors` context runs. The function the context holds may be a
 * wrapper with another name; it carries the method's `@OnEvent` listener metadata, which identifies the method.
 */
function handlerIdOf(context: ExecutionContext): string {
  const type = context.getClass();
  const listeners: unknown = Reflect.getMetadata(EVENT_LISTENER_METADATA, context.getHandler());
  const prototype = type.prototype as Record<string, unknown>;
  const method =
    listeners === undefined
      ? undefined
      : Object.getOwnPropertyNames(prototype).find(
          (name) =>
            typeof prototype[name] === 'function' &&
            Reflect.getMetadata(EVENT_LISTENER_METADATA, prototype[name] as object) === listeners,
        );
  return `${type.name}.${method ?? context.getHandler().name}`;
}

/**
 * Feeds the inspector without touching the library, as an app-wide interceptor. Around each agent's webhook route (its
 * controller marked `AgentWebhook(agent)` through `webhook.decorators`) it opens a trace and records the status
 * answered (and the validation issues of a 400). Around each `@OnPathorsEvent` handler (context type `pathors`, global
 * interceptors apply there too) it records the handler, its outcome and what the event's {@link PathorsDelivery} says:
 * registration, name, dialect, session.
 */
@Injectable()
export class DeliveryTraceInterceptor implements NestInterceptor {
  constructor(
    private readonly inspector: DeliveryInspector,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (isPathorsContext(context)) return this.traceHandler(context, next);
    if (context.getType() !== 'http') return next.handle();
    const agent = this.reflector.get(AgentWebhook, context.getClass());
    if (agent === undefined) return next.handle();

    const request = context.switchToHttp().getRequest<{ body?: unknown }>();
    const trace = new OpenTrace(agent, request.body);
    const response = context.switchToHttp().getResponse<{ statusCode: number }>();
    return this.inspector
      .track(trace, () => next.handle())
      .pipe(
        // The webhook controller replies itself, so the status is on the response once the handler completes.
        tap({ complete: () => this.inspector.finish(trace, response.statusCode) }),
        catchError((error: unknown) => {
          this.recordRefusal(trace, error);
          return throwError(() => error);
        }),
      );
  }

  private traceHandler(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const trace = this.inspector.current();
    if (!trace) return next.handle();
    const delivery: unknown = context.getArgByIndex(1);
    if (delivery instanceof PathorsDelivery) {
      trace.registration = delivery.registration;
      trace.event = delivery.eventName;
      trace.dialect = delivery.dialect;
      trace.sessionId = delivery.sessionId;
    }
    const handler = handlerIdOf(context);
    return next.handle().pipe(
      tap({
        next: (result) =>
          trace.handlers.push({
            handler,
            status: 'succeeded',
            result: result === 'recorded' || result === 'duplicate' ? result : undefined,
          }),
        error: () => trace.handlers.push({ handler, status: 'failed' }),
      }),
    );
  }

  private recordRefusal(trace: OpenTrace, error: unknown): void {
    const status = error instanceof HttpException ? error.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    const body = error instanceof HttpException ? error.getResponse() : undefined;
    if (typeof body === 'object' && body !== null) {
      const { issues, message } = body as { issues?: ValidationIssue[]; message?: unknown };
      if (Array.isArray(issues)) trace.issues = issues.map(({ path, reason }) => ({ path, reason }));
      if (typeof message === 'string') trace.error = message;
    } else if (typeof body === 'string') {
      trace.error = body;
    }
    this.inspector.finish(trace, status);
  }
}
