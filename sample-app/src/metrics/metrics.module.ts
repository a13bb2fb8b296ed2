import { Module, type DynamicModule } from '@nestjs/common';
import { LiveMetricsService } from './live-metrics.service.js';
import { MetricsController } from './metrics.controller.js';
import { SampleTelemetry } from './sample-telemetry.js';

/** `/metrics` and the inspector's live chart, read from an SDK started before the app ({@link SampleTelemetry.start}). */
@Module({})
export class MetricsModule {
  /** The module on `telemetry`, which it shuts down with the app. */
  static forRoot(telemetry: SampleTelemetry): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: SampleTelemetry, useValue: telemetry }, LiveMetricsService],
    };
  }
}
