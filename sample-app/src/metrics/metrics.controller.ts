import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/public.decorator.js';
import { LiveMetricsService } from './live-metrics.service.js';
import type { LiveMetrics } from './live-metrics.types.js';
import { SampleTelemetry } from './sample-telemetry.js';

/** The OpenTelemetry metrics of the app: for Prometheus, and for the inspector's chart. */
@Controller()
export class MetricsController {
  constructor(
    private readonly telemetry: SampleTelemetry,
    private readonly live: LiveMetricsService,
  ) {}

  /** `GET /metrics`: every instrument in the Prometheus text format. Open without `x-api-key`, for the scraper. */
  @Public()
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.telemetry.scrape();
  }

  /** `GET /inspector/live-metrics`: the last minute of deliveries by outcome and of handler latency. */
  @Get('inspector/live-metrics')
  liveMetrics(): LiveMetrics {
    return this.live.series();
  }
}
