import { HttpException, HttpStatus, type BeforeApplicationShutdown } from '@nestjs/common';
import type {
  Attributes,
  BatchObservableCallback,
  Counter,
  Histogram,
  Meter,
  Span,
  Tracer,
} from '@opentelemetry/api';
import type { PathorsDeliveryOutcome } from '../delivery/pathors-delivery.pipeline.js';
import type { PathorsDeliveryRecord } from '../delivery/pathors-delivery-record.js';
import type { PathorsDelivery } from '../delivery/pathors-delivery.js';
import type { PathorsInbox } from '../delivery/pathors-inbox.js';
import { PATHORS_EVENT_NAMES } from '../events/pathors-event.map.js';
import { PathorsPermanentError } from '../pathors.errors.js';
import type { OpenTelemetryApiModule } from './opentelemetry-api.js';
import {
  ATTRIBUTE,
  DURATION_BUCKETS_S,
  INSTRUMENTATION_SCOPE,
  METRIC,
  OTHER_EVENT_NAME,
  SPAN,
  SPAN_EVENT,
  type PathorsStepSpan,
} from './pathors-telemetry.names.js';
import {
  NOOP_WEBHOOK_TRACE,
  PathorsTelemetry,
  type PathorsRequestHeaders,
  type PathorsWebhookTrace,
} from './pathors-telemetry.js';

/** Characters of a sender-chosen value (an unknown event name) a span attribute keeps. */
const MAX_ATTRIBUTE_CHARS = 100;
const KNOWN_EVENT_NAMES: ReadonlySet<string> = new Set(PATHORS_EVENT_NAMES);

/** `pathors.event.name` on a metric: the name when this version lists it, else {@link OTHER_EVENT_NAME}. */
const metricEventName = (name: string): string => (KNOWN_EVENT_NAMES.has(name) ? name : OTHER_EVENT_NAME);

const seconds = (startedAt: number): number => (performance.now() - startedAt) / 1000;

const exceptionOf = (error: unknown): Error | string => (error instanceof Error ? error : String(error));

/** The span attributes of a delivery: names, ids and keys, never its payload. */
function deliveryAttributes(delivery: PathorsDelivery): Attributes {
  const attributes: Attributes = {
    [ATTRIBUTE.registration]: delivery.registration,
    [ATTRIBUTE.eventName]: delivery.eventName.slice(0, MAX_ATTRIBUTE_CHARS),
    [ATTRIBUTE.dialect]: delivery.dialect,
    [ATTRIBUTE.idempotencyKey]: delivery.idempotencyKey,
  };
  if (delivery.deliveryId !== undefined) attributes[ATTRIBUTE.deliveryId] = delivery.deliveryId;
  if (delivery.sessionId !== undefined) attributes[ATTRIBUTE.sessionId] = delivery.sessionId;
  return attributes;
}

/** What one webhook request reported, on its span and for its metrics. */
class OpenTelemetryWebhookTrace implements PathorsWebhookTrace {
  delivery?: PathorsDelivery;
  outcome?: PathorsDeliveryOutcome;

  constructor(private readonly span: Span) {}

  authenticated(): void {
    this.span.addEvent(SPAN_EVENT.authenticated);
  }

  validated(delivery: PathorsDelivery): void {
    this.delivery = delivery;
    if (!this.span.isRecording()) return;
    this.span.setAttributes(deliveryAttributes(delivery));
    this.span.addEvent(SPAN_EVENT.validated);
  }

  settled(outcome: PathorsDeliveryOutcome): void {
    this.outcome = outcome;
    this.span.setAttribute(ATTRIBUTE.outcome, outcome);
  }
}

/** The module's metric instruments, made from one meter. */
class PathorsInstruments {
  readonly deliveries: Counter;
  readonly rejections: Counter;
  readonly answerDuration: Histogram;
  readonly handlerDuration: Histogram;

  constructor(meter: Meter) {
    this.deliveries = meter.createCounter(METRIC.deliveries, {
      description: 'Authenticated, valid webhook deliveries, by what the delivery pipeline made of them',
      unit: '{delivery}',
    });
    this.rejections = meter.createCounter(METRIC.rejections, {
      description: 'Webhook requests refused before reaching the delivery pipeline, by HTTP status',
      unit: '{request}',
    });
    this.answerDuration = meter.createHistogram(METRIC.answerDuration, {
      description: 'Time from receiving a webhook request to its answer',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S] },
    });
    this.handlerDuration = meter.createHistogram(METRIC.handlerDuration, {
      description: 'Duration of one @OnPathorsEvent handler run',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S] },
    });
  }
}

/**
 * {@link PathorsTelemetry} on `@opentelemetry/api`: spans from the global tracer provider, metrics from the global
 * meter provider (instruments are created when the module boots: start the SDK before). With no SDK registered the
 * API hands out no-op tracers and meters: a step whose span does not record runs without a context of its own, and
 * no metric is computed when the meter is the API's no-op one (its instruments never record).
 */
export class OpenTelemetryPathorsTelemetry extends PathorsTelemetry implements BeforeApplicationShutdown {
  private readonly tracer: Tracer;
  /** Undefined when the app registered no meter provider before the module booted. */
  private readonly instruments?: PathorsInstruments;
  private readonly registrationAttributes: Attributes;
  private stopObservingInbox?: () => void;

  constructor(
    private readonly api: OpenTelemetryApiModule,
    private readonly registration: string,
    inbox: PathorsInbox | undefined,
  ) {
    super();
    this.tracer = api.trace.getTracer(INSTRUMENTATION_SCOPE);
    this.registrationAttributes = { [ATTRIBUTE.registration]: registration };
    const meter = api.metrics.getMeter(INSTRUMENTATION_SCOPE);
    if (meter === api.createNoopMeter()) return;
    this.instruments = new PathorsInstruments(meter);
    if (inbox) this.observeInbox(meter, inbox);
  }

  override async receive<T extends { readonly status: number }>(
    headers: PathorsRequestHeaders,
    work: (trace: PathorsWebhookTrace) => Promise<T>,
  ): Promise<T> {
    const { api } = this;
    const startedAt = performance.now();
    const active = api.context.active();
    const inRequestSpan = api.trace.getSpan(active) !== undefined;
    const parent = inRequestSpan ? active : api.propagation.extract(active, headers);
    const span = this.tracer.startSpan(
      SPAN.receive,
      {
        kind: inRequestSpan ? api.SpanKind.INTERNAL : api.SpanKind.SERVER,
        attributes: this.registrationAttributes,
      },
      parent,
    );
    if (!span.isRecording() && !this.instruments) {
      // Nothing records: run the request as is; a sampled-out parent's context still reaches the handlers.
      try {
        return await api.context.with(api.trace.setSpan(parent, span), () => work(NOOP_WEBHOOK_TRACE));
      } finally {
        span.end();
      }
    }
    const trace = new OpenTelemetryWebhookTrace(span);
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    try {
      const answer = await api.context.with(api.trace.setSpan(parent, span), () => work(trace));
      status = answer.status;
      return answer;
    } catch (error) {
      if (error instanceof HttpException) {
        status = error.getStatus();
        if (status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR, message: error.message });
      } else {
        span.recordException(exceptionOf(error));
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: 'unexpected error' });
      }
      throw error;
    } finally {
      this.answered(span, trace, status, startedAt);
    }
  }

  override step<T>(name: PathorsStepSpan, work: () => Promise<T>): Promise<T> {
    const parent = this.api.context.active();
    const span = this.tracer.startSpan(name, undefined, parent);
    if (!span.isRecording()) return work();
    return this.api.context.with(this.api.trace.setSpan(parent, span), () =>
      this.traced(span, work, `${name} failed`),
    );
  }

  override async handler<T>(
    handlerId: string,
    delivery: PathorsDelivery,
    work: () => Promise<T>,
  ): Promise<T> {
    const { api } = this;
    const startedAt = performance.now();
    const parent = api.context.active();
    const span = this.tracer.startSpan(
      SPAN.handlerPrefix + handlerId,
      {
        attributes: {
          [ATTRIBUTE.handlerId]: handlerId,
          [ATTRIBUTE.registration]: delivery.registration,
          [ATTRIBUTE.eventName]: delivery.eventName.slice(0, MAX_ATTRIBUTE_CHARS),
          [ATTRIBUTE.idempotencyKey]: delivery.idempotencyKey,
        },
      },
      parent,
    );
    const { instruments } = this;
    if (!span.isRecording() && !instruments) return work();
    let result = 'succeeded';
    try {
      return await (span.isRecording() ? api.context.with(api.trace.setSpan(parent, span), work) : work());
    } catch (error) {
      result = error instanceof PathorsPermanentError ? 'failed-permanently' : 'failed';
      span.recordException(exceptionOf(error));
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: `${handlerId} ${result}` });
      throw error;
    } finally {
      instruments?.handlerDuration.record(seconds(startedAt), {
        [ATTRIBUTE.registration]: delivery.registration,
        [ATTRIBUTE.eventName]: metricEventName(delivery.eventName),
        [ATTRIBUTE.handlerId]: handlerId,
        [ATTRIBUTE.handlerResult]: result,
      });
      span.end();
    }
  }

  override withTraceContext(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    const carrier: Record<string, string> = {};
    this.api.propagation.inject(this.api.context.active(), carrier);
    return Object.keys(carrier).length === 0 ? headers : { ...carrier, ...headers };
  }

  override async process(record: PathorsDeliveryRecord, work: () => Promise<void>): Promise<void> {
    const { api } = this;
    const active = api.context.active();
    const stored = api.propagation.extract(api.ROOT_CONTEXT, record.headers);
    const storedSpan = api.trace.getSpanContext(stored);
    // A worker already in a trace of its own (a queue instrumentation's span) links the webhook's trace instead.
    const inWorkerSpan = api.trace.getSpan(active) !== undefined;
    const parent = inWorkerSpan ? active : stored;
    const attributes: Attributes = {
      [ATTRIBUTE.registration]: this.registration,
      [ATTRIBUTE.eventName]: record.eventName.slice(0, MAX_ATTRIBUTE_CHARS),
      [ATTRIBUTE.idempotencyKey]: record.idempotencyKey,
    };
    const deliveryId = record.headers['webhook-id'];
    if (deliveryId !== undefined) attributes[ATTRIBUTE.deliveryId] = deliveryId;
    const span = this.tracer.startSpan(
      SPAN.process,
      {
        kind: api.SpanKind.CONSUMER,
        attributes,
        links:
          inWorkerSpan && storedSpan && api.isSpanContextValid(storedSpan) ? [{ context: storedSpan }] : [],
      },
      parent,
    );
    await api.context.with(api.trace.setSpan(parent, span), () =>
      this.traced(span, work, `processing ${record.eventName.slice(0, MAX_ATTRIBUTE_CHARS)} failed`),
    );
  }

  override recordOutcome(outcome: PathorsDeliveryOutcome): void {
    this.api.trace.getActiveSpan()?.setAttribute(ATTRIBUTE.outcome, outcome);
  }

  /** Stops observing the inbox before the pipeline closes it. */
  beforeApplicationShutdown(): void {
    this.stopObservingInbox?.();
  }

  /** Ends a delivery span and records the request's metrics. */
  private answered(span: Span, trace: OpenTelemetryWebhookTrace, status: number, startedAt: number): void {
    const { delivery, outcome } = trace;
    span.setAttribute(ATTRIBUTE.statusCode, status);
    if (outcome === 'failed-permanently') {
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: 'a handler failed permanently' });
    }
    const { instruments } = this;
    if (instruments === undefined) {
      span.end();
      return;
    }
    if (delivery === undefined) {
      instruments.rejections.add(1, { ...this.registrationAttributes, [ATTRIBUTE.statusCode]: status });
    } else if (outcome !== undefined) {
      instruments.deliveries.add(1, {
        ...this.registrationAttributes,
        [ATTRIBUTE.eventName]: metricEventName(delivery.eventName),
        [ATTRIBUTE.outcome]: outcome,
      });
    }
    instruments.answerDuration.record(seconds(startedAt), {
      ...this.registrationAttributes,
      [ATTRIBUTE.statusCode]: status,
      ...(outcome === undefined ? {} : { [ATTRIBUTE.outcome]: outcome }),
    });
    span.end();
  }

  /** Awaits `work` in `span`: a failure is recorded on it (status ERROR with `message`) and rethrown. */
  private async traced<T>(span: Span, work: () => Promise<T>, message: string): Promise<T> {
    try {
      return await work();
    } catch (error) {
      span.recordException(exceptionOf(error));
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, message });
      throw error;
    } finally {
      span.end();
    }
  }

  /** The inbox's gauges, read from the inbox on each collection; a count that fails is left out of it. */
  private observeInbox(meter: Meter, inbox: PathorsInbox): void {
    const depth = meter.createObservableGauge(METRIC.inboxDepth, {
      description: 'Deliveries persisted in the inbox and not processed yet (waiting, retrying or running)',
      unit: '{delivery}',
    });
    const deadLetters = meter.createObservableGauge(METRIC.inboxDeadLetters, {
      description: 'Deliveries the inbox gave up on after their last attempt',
      unit: '{delivery}',
    });
    const observe: BatchObservableCallback = async (result) => {
      const [pending, dead] = await Promise.allSettled([inbox.countPending(), inbox.countDeadLetters()]);
      if (pending.status === 'fulfilled' && pending.value !== undefined) {
        result.observe(depth, pending.value, this.registrationAttributes);
      }
      if (dead.status === 'fulfilled') result.observe(deadLetters, dead.value, this.registrationAttributes);
    };
    meter.addBatchObservableCallback(observe, [depth, deadLetters]);
    this.stopObservingInbox = () => meter.removeBatchObservableCallback(observe, [depth, deadLetters]);
  }
}
