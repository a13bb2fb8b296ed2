import { Logger } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';

/** A reader collected on demand, reporting what was recorded since its previous collection. */
class DeltaMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  }

  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * The sample app's OpenTelemetry metrics SDK: one meter provider, registered as the global one, read by two readers.
 * Prometheus scrapes the running totals ({@link SampleTelemetry.scrape}); the inspector's chart takes what was recorded
 * since it last asked ({@link SampleTelemetry.collectRecent}).
 */
export class SampleTelemetry {
  /** Cumulative, as Prometheus expects; served by the app's own `/metrics` route, not a port of its own. */
  private readonly prometheus = new PrometheusExporter({ preventServerStart: true });
  private readonly serializer = new PrometheusSerializer();
  private readonly recent = new DeltaMetricReader();
  private readonly provider = new MeterProvider({ readers: [this.prometheus, this.recent] });
  private readonly logger = new Logger('Metrics');
  private stopped?: Promise<void>;

  private constructor() {}

  /**
   * Registers the SDK. Call it before Nest creates the app: nestjs-pathors creates its instruments when its module is
   * created, from the meter provider registered at that moment.
   */
  static start(): SampleTelemetry {
    const telemetry = new SampleTelemetry();
    if (!metrics.setGlobalMeterProvider(telemetry.provider)) {
      throw new Error(
        'Another OpenTelemetry meter provider is registered in this process: set SAMPLE_METRICS=off to keep it.',
      );
    }
    return telemetry;
  }

  /** Every instrument's running totals, in the Prometheus text format. */
  async scrape(): Promise<string> {
    const { resourceMetrics, errors } = await this.prometheus.collect();
    this.reportFailures(errors);
    return this.serializer.serialize(resourceMetrics);
  }

  /** What every instrument recorded since the previous call (since the start for the first one). */
  async collectRecent(): Promise<MetricData[]> {
    const { resourceMetrics, errors } = await this.recent.collect();
    this.reportFailures(errors);
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  }

  /** Stops the meter provider and unregisters it, so a later app in the same process can register its own; once. */
  shutdown(): Promise<void> {
    this.stopped ??= this.provider.shutdown().then(() => metrics.disable());
    return this.stopped;
  }

  /** A collection goes on without an instrument whose callback failed: say which failed. */
  private reportFailures(errors: readonly unknown[]): void {
    for (const error of errors) this.logger.warn(`Collecting metrics: ${String(error)}`);
  }
}
