import { afterAll, beforeAll } from '@jest/globals';
import { context, metrics, propagation, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/** A metric reader the test collects from when it wants (no export interval). */
class CollectingMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The metrics of one collection, read by instrument name and attributes. */
export class CollectedMetrics {
  constructor(private readonly data: readonly MetricData[]) {}

  /** The instrument, or a failure naming the ones collected. */
  metric(name: string): MetricData {
    const found = this.data.find((metric) => metric.descriptor.name === name);
    if (!found) throw new Error(`no metric ${name}; collected: ${this.data.map((m) => m.descriptor.name)}`);
    return found;
  }

  /** A counter's or gauge's value over the points whose attributes include `attributes` (0 when none). */
  sum(name: string, attributes: Attributes = {}): number {
    return this.points(name, attributes).reduce((total, point) => total + (point.value as number), 0);
  }

  /** A histogram's count of recordings over the points whose attributes include `attributes`. */
  count(name: string, attributes: Attributes = {}): number {
    const metric = this.metric(name);
    if (metric.dataPointType !== DataPointType.HISTOGRAM) throw new Error(`${name} is not a histogram`);
    return this.points(name, attributes).reduce(
      (total, point) => total + (point as DataPoint<Histogram>).value.count,
      0,
    );
  }

  /** The points of an instrument whose attributes include `attributes`. */
  points(name: string, attributes: Attributes = {}): DataPoint<unknown>[] {
    const metric = this.data.find((entry) => entry.descriptor.name === name);
    const points = (metric?.dataPoints ?? []) as DataPoint<unknown>[];
    return points.filter((point) =>
      Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
    );
  }
}

/** The SDK of one suite: finished spans and on-demand metric collections. */
export interface TelemetrySdk {
  /** Every span ended so far. */
  spans(): ReadableSpan[];
  /** Spans named `name`. */
  spansNamed(name: string): ReadableSpan[];
  /** The spans whose parent is `span`. */
  childrenOf(span: ReadableSpan): ReadableSpan[];
  /** Collects every instrument now. */
  collect(): Promise<CollectedMetrics>;
  /** Forgets the spans ended so far. */
  resetSpans(): void;
}

/**
 * Registers an OpenTelemetry SDK for the enclosing suite, before its other `beforeAll` hooks (call it first, so the
 * app's module finds the meter provider when it boots): a tracer provider exporting to memory, the async-hooks
 * context manager, the W3C trace context propagator (what NodeSDK registers by default) and a meter provider with
 * a reader collected on demand (`traces: false` or `metrics: false` leaves that provider out, as an app that exports
 * only one of them does). After the suite the global providers are reset.
 */
export function useTelemetrySdk({ traces = true, metrics: withMetrics = true } = {}): TelemetrySdk {
  const exporter = new InMemorySpanExporter();
  const reader = new CollectingMetricReader();
  let tracerProvider: BasicTracerProvider | undefined;
  let meterProvider: MeterProvider | undefined;

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    if (traces) {
      tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      trace.setGlobalTracerProvider(tracerProvider);
    }
    if (withMetrics) {
      meterProvider = new MeterProvider({ readers: [reader] });
      metrics.setGlobalMeterProvider(meterProvider);
    }
  });
  afterAll(async () => {
    await meterProvider?.shutdown();
    await tracerProvider?.shutdown();
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
  });

  const spans = () => exporter.getFinishedSpans();
  return {
    spans,
    spansNamed: (name) => spans().filter((span) => span.name === name),
    childrenOf: (parent) =>
      spans().filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId),
    collect: async () => {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
      return new CollectedMetrics(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics));
    },
    resetSpans: () => exporter.reset(),
  };
}
