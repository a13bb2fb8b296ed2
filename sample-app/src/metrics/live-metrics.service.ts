import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataPointType, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { histogramQuantile, mergeHistograms, type HistogramBuckets } from './histogram-buckets.js';
import type { LiveMetrics, LiveMetricsPoint } from './live-metrics.types.js';
import { SampleTelemetry } from './sample-telemetry.js';

/** Seconds between two points of the chart. */
const INTERVAL_S = 1;
/** Points kept: the last minute. */
const KEPT_POINTS = 60;
/** Points the latency percentiles of a point are computed over: a handler run stays visible for 10 s. */
const LATENCY_WINDOW_POINTS = 10;
/** The key the chart counts refused requests under, beside the delivery outcomes. */
const REJECTED = 'rejected';

/** The metrics of nestjs-pathors the chart reads (see docs/observability.md). */
const METRIC = {
  deliveries: 'pathors.webhook.deliveries',
  rejections: 'pathors.webhook.rejections',
  handlerDuration: 'pathors.handler.duration',
} as const;

/** What was recorded during one interval. */
interface Interval {
  readonly at: string;
  readonly deliveries: Record<string, number>;
  readonly handlerRuns?: HistogramBuckets;
}

const pointsOf = (data: readonly MetricData[], name: string): DataPoint<unknown>[] =>
  (data.find((metric) => metric.descriptor.name === name)?.dataPoints ?? []) as DataPoint<unknown>[];

/** An OpenTelemetry histogram point's buckets; none when it holds no recording. */
const bucketsOf = (histogram: Histogram): HistogramBuckets[] =>
  histogram.count === 0
    ? []
    : [
        {
          boundaries: histogram.buckets.boundaries,
          counts: histogram.buckets.counts,
          min: histogram.min ?? 0,
          max: histogram.max ?? histogram.buckets.boundaries.at(-1) ?? 0,
        },
      ];

/**
 * The inspector's live chart: every second it takes what nestjs-pathors recorded since the previous second (from the
 * SDK's second reader) and keeps the last minute of it: deliveries by outcome and refused requests, and the handler
 * runs, whose percentiles it computes over a trailing window.
 */
@Injectable()
export class LiveMetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveMetricsService.name);
  private readonly intervals: Interval[] = [];
  private readonly totals: Record<string, number> = {};
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;

  constructor(private readonly telemetry: SampleTelemetry) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sampleOnce(), INTERVAL_S * 1000).unref();
  }

  /** Stops sampling, then the SDK (this app registered it). */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sampling;
    await this.telemetry.shutdown();
  }

  /** The last minute, oldest point first. */
  series(): LiveMetrics {
    const points = this.intervals.map((interval, index): LiveMetricsPoint => ({
      at: interval.at,
      deliveries: interval.deliveries,
      handlerLatencyMs: this.latencyAt(index),
    }));
    return {
      intervalSeconds: INTERVAL_S,
      latencyWindowSeconds: INTERVAL_S * LATENCY_WINDOW_POINTS,
      points,
      totals: { ...this.totals },
    };
  }

  /** Takes one interval, unless the previous one is still being taken. */
  private async sampleOnce(): Promise<void> {
    if (this.sampling) return;
    this.sampling = this.telemetry
      .collectRecent()
      .then((data) => this.record(data))
      .catch((error: unknown) => this.logger.warn(`Sampling the metrics failed: ${String(error)}`))
      .finally(() => (this.sampling = undefined));
    await this.sampling;
  }

  private record(data: readonly MetricData[]): void {
    const deliveries: Record<string, number> = {};
    const add = (key: string, count: number) => {
      deliveries[key] = (deliveries[key] ?? 0) + count;
      this.totals[key] = (this.totals[key] ?? 0) + count;
    };
    for (const point of pointsOf(data, METRIC.deliveries)) {
      add(String(point.attributes['pathors.outcome']), point.value as number);
    }
    for (const point of pointsOf(data, METRIC.rejections)) add(REJECTED, point.value as number);
    const durations = data.find((metric) => metric.descriptor.name === METRIC.handlerDuration);
    const handlerRuns =
      durations?.dataPointType === DataPointType.HISTOGRAM
        ? mergeHistograms(durations.dataPoints.flatMap((point) => bucketsOf(point.value)))
        : undefined;
    this.intervals.push({ at: new Date().toISOString(), deliveries, handlerRuns });
    if (this.intervals.length > KEPT_POINTS) this.intervals.shift();
  }

  /** p50, p95 and p99 in ms of the handler runs of the window ending at interval `index`; none without a run. */
  private latencyAt(index: number): LiveMetricsPoint['handlerLatencyMs'] {
    const window = this.intervals.slice(Math.max(0, index - LATENCY_WINDOW_POINTS + 1), index + 1);
    const runs = mergeHistograms(window.flatMap(({ handlerRuns }) => (handlerRuns ? [handlerRuns] : [])));
    if (!runs) return undefined;
    const ms = (q: number) => Math.round((histogramQuantile(runs, q) ?? 0) * 1e5) / 100;
    return { p50: ms(0.5), p95: ms(0.95), p99: ms(0.99) };
  }
}
