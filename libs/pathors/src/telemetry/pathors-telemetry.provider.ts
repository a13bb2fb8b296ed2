import type { Provider } from '@nestjs/common';
import type { ResolvedPathorsOptions } from '../pathors-options.resolver.js';
import { PATHORS_RESOLVED_OPTIONS } from '../pathors.constants.js';
import { openTelemetryApi } from './opentelemetry-api.js';
import { OpenTelemetryPathorsTelemetry } from './opentelemetry-pathors.telemetry.js';
import { NoopPathorsTelemetry, PathorsTelemetry } from './pathors-telemetry.js';

/**
 * One registration's {@link PathorsTelemetry}: on OpenTelemetry when `@opentelemetry/api` is installed, a no-op
 * otherwise. Made when the module boots, so the SDK's meter provider must be registered before.
 */
export const PATHORS_TELEMETRY_PROVIDER: Provider = {
  provide: PathorsTelemetry,
  useFactory: (options: ResolvedPathorsOptions): PathorsTelemetry =>
    openTelemetryApi
      ? new OpenTelemetryPathorsTelemetry(openTelemetryApi, options.registration, options.delivery.inbox)
      : new NoopPathorsTelemetry(),
  inject: [PATHORS_RESOLVED_OPTIONS],
};
