import type { PathorsDeliveryOutcome } from '../delivery/pathors-delivery.pipeline.js';
import type { PathorsDeliveryRecord } from '../delivery/pathors-delivery-record.js';
import type { PathorsDelivery } from '../delivery/pathors-delivery.js';
import type { PathorsStepSpan } from './pathors-telemetry.names.js';

/** Request headers as the HTTP adapter gives them, names in lower case. */
export type PathorsRequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The trace of one webhook request, as the receiver reports its steps. */
export interface PathorsWebhookTrace {
  /** The request's credentials were accepted. */
  authenticated(): void;
  /** The payload validated into `delivery`. */
  validated(delivery: PathorsDelivery): void;
  /** What the delivery pipeline made of it. */
  settled(outcome: PathorsDeliveryOutcome): void;
}

/**
 * The module's traces and metrics, through `@opentelemetry/api` (see docs/observability.md). Each method wraps one
 * step of a delivery: a span (a child of the active one, so a handler's own spans nest under its span) and the step's
 * metrics. Without an OpenTelemetry SDK every call is a no-op, and without `@opentelemetry/api` installed the module
 * uses {@link NoopPathorsTelemetry}.
 */
export abstract class PathorsTelemetry {
  /**
   * Runs one webhook request in its delivery span, continuing the active trace (the HTTP instrumentation's span) or,
   * when there is none, the one the request's trace headers (`traceparent`) carry. Records the answer's duration,
   * and a refusal (thrown before the payload validated) by status code.
   */
  abstract receive<T extends { readonly status: number }>(
    headers: PathorsRequestHeaders,
    work: (trace: PathorsWebhookTrace) => Promise<T>,
  ): Promise<T>;

  /** Runs one store or inbox step of the active delivery in a span of its own. */
  abstract step<T>(name: PathorsStepSpan, work: () => Promise<T>): Promise<T>;

  /** Runs one handler in its span (active while it runs) and records its duration by result. */
  abstract handler<T>(handlerId: string, delivery: PathorsDelivery, work: () => Promise<T>): Promise<T>;

  /** `headers` plus the active trace context (`traceparent`, …), to persist with an inbox record. */
  abstract withTraceContext(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>>;

  /** Runs the processing of one inbox record in a span that continues the trace its headers carry. */
  abstract process(record: PathorsDeliveryRecord, work: () => Promise<void>): Promise<void>;

  /** Sets the outcome of the delivery the active span is about (an inbox run). */
  abstract recordOutcome(outcome: PathorsDeliveryOutcome): void;
}

/** The trace of a request nothing records. */
export const NOOP_WEBHOOK_TRACE: PathorsWebhookTrace = {
  authenticated: () => undefined,
  validated: () => undefined,
  settled: () => undefined,
};

/** The telemetry of an app without `@opentelemetry/api`: runs each step, records nothing. */
export class NoopPathorsTelemetry extends PathorsTelemetry {
  override receive<T extends { readonly status: number }>(
    _headers: PathorsRequestHeaders,
    work: (trace: PathorsWebhookTrace) => Promise<T>,
  ): Promise<T> {
    return work(NOOP_WEBHOOK_TRACE);
  }

  override step<T>(_name: PathorsStepSpan, work: () => Promise<T>): Promise<T> {
    return work();
  }

  override handler<T>(_handlerId: string, _delivery: PathorsDelivery, work: () => Promise<T>): Promise<T> {
    return work();
  }

  override withTraceContext(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    return headers;
  }

  override process(_record: PathorsDeliveryRecord, work: () => Promise<void>): Promise<void> {
    return work();
  }

  override recordOutcome(): void {}
}
