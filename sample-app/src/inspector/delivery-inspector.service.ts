import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable, Subject, concat, defer, from } from 'rxjs';
import type { DeliveryTrace, HandlerRun, ValidationIssue } from './delivery-trace.types.js';

/** Deliveries the page shows at most. */
const KEPT_TRACES = 100;

/** A delivery being handled: filled in around the webhook route and around each handler, published when answered. */
export class OpenTrace {
  /** The registration of the webhook route; each handler's `PathorsDelivery.registration` confirms it. */
  registration: string;
  event?: string;
  sessionId?: string;
  dialect?: 'lifecycle' | 'platform';
  readonly handlers: HandlerRun[] = [];
  issues: ValidationIssue[] = [];
  error?: string;
  readonly startedAt = performance.now();
  readonly receivedAt = new Date().toISOString();

  /**
   * Starts the trace of a request to `registration`'s webhook route, reading what the raw body says, so even a refused
   * request (401, 400) shows its event and session.
   */
  constructor(registration: string, body: unknown) {
    this.registration = registration;
    if (typeof body !== 'object' || body === null) return;
    const fields = body as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 200) : undefined);
    if ('eventType' in fields) {
      this.dialect = 'platform';
      this.event = text(fields.eventType);
      this.sessionId = text(fields.id);
    } else if ('event' in fields) {
      this.dialect = 'lifecycle';
      this.event = text(fields.event);
      this.sessionId = text(fields.sessionId);
    }
  }
}

/**
 * Keeps the recent webhook deliveries and streams new ones to the inspector page. The trace of the delivery being
 * handled travels in an `AsyncLocalStorage`, so handlers running inside the webhook request can add to it.
 */
@Injectable()
export class DeliveryInspector {
  private readonly storage = new AsyncLocalStorage<OpenTrace>();
  private readonly traces: DeliveryTrace[] = [];
  private readonly published = new Subject<DeliveryTrace>();
  private sequence = 0;

  /** Runs `work` with `trace` as the current delivery. */
  track<T>(trace: OpenTrace, work: () => T): T {
    return this.storage.run(trace, work);
  }

  /** The delivery being handled in this async context, if any. */
  current(): OpenTrace | undefined {
    return this.storage.getStore();
  }

  /** Publishes an answered delivery. */
  finish(trace: OpenTrace, status: number): DeliveryTrace {
    const storedAlready = trace.handlers.filter((run) => run.result === 'duplicate').length;
    // nestjs-pathors answers 202 when no handler wants an event, so a 200 without any handler run means it recognised
    // a redelivery and dropped it (its body says `note: 'duplicate: already processed'`).
    const droppedByModule = status === 200 && trace.handlers.length === 0 ? 1 : 0;
    const finished: DeliveryTrace = {
      id: ++this.sequence,
      receivedAt: trace.receivedAt,
      registration: trace.registration,
      event: trace.event,
      sessionId: trace.sessionId,
      dialect: trace.dialect,
      status,
      durationMs: Math.round((performance.now() - trace.startedAt) * 10) / 10,
      handlers: [...trace.handlers],
      duplicatesDropped: storedAlready + droppedByModule,
      issues: trace.issues,
      error: trace.error,
    };
    this.traces.push(finished);
    if (this.traces.length > KEPT_TRACES) this.traces.shift();
    this.published.next(finished);
    return finished;
  }

  /** The kept deliveries, oldest first. */
  recent(): readonly DeliveryTrace[] {
    return [...this.traces];
  }

  /** The kept deliveries, then every new one as it is answered. */
  stream(): Observable<DeliveryTrace> {
    return defer(() => concat(from(this.recent()), this.published));
  }
}
