import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * The sample app's OpenTelemetry tracing SDK: spans sent over OTLP/HTTP to the collector the standard variables name
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), e.g. Jaeger or Grafana Tempo. A
 * `traceparent` header on a webhook request makes its delivery span a child of the sender's span, and each handler's
 * span a child of the delivery's.
 */
export class SampleTracing {
  private readonly provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': process.env.OTEL_SERVICE_NAME || 'pathors-sample-app',
    }),
    // The exporter reads the endpoint, headers and timeout from the OTEL_EXPORTER_OTLP_* variables itself.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  private stopped?: Promise<void>;

  private constructor() {}

  /** Registers the SDK as the process's tracer provider, context manager and propagator. */
  static start(): SampleTracing {
    const tracing = new SampleTracing();
    if (!trace.setGlobalTracerProvider(tracing.provider)) {
      throw new Error(
        'Another OpenTelemetry tracer provider is registered in this process: unset OTEL_EXPORTER_OTLP_ENDPOINT to keep it.',
      );
    }
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    return tracing;
  }

  /** Sends the spans still buffered, then unregisters the SDK; once. */
  shutdown(): Promise<void> {
    this.stopped ??= this.provider.shutdown().then(() => {
      trace.disable();
      context.disable();
      propagation.disable();
    });
    return this.stopped;
  }
}
