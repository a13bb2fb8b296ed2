import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { SampleTracing } from './sample-tracing.js';

/** Sends the last spans and stops the tracing SDK ({@link SampleTracing.start}) when the app shuts down. */
@Module({})
export class TracingModule implements OnApplicationShutdown {
  constructor(private readonly tracing: SampleTracing) {}

  /** The module on `tracing`, which it shuts down with the app. */
  static forRoot(tracing: SampleTracing): DynamicModule {
    return { module: TracingModule, providers: [{ provide: SampleTracing, useValue: tracing }] };
  }

  onApplicationShutdown(): Promise<void> {
    return this.tracing.shutdown();
  }
}
