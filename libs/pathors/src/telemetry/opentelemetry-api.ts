import type * as OpenTelemetryApi from '@opentelemetry/api';
import { createRequire } from 'node:module';

/** The `@opentelemetry/api` module's namespace. */
export type OpenTelemetryApiModule = typeof OpenTelemetryApi;

/**
 * `@opentelemetry/api` (an optional peer) when the app has it installed, `undefined` when it does not.
 *
 * Loaded with a synchronous `require()` in a `try`: a static `import` would stop the package from loading without the
 * peer, and a top-level `await import()` would stop CommonJS apps from `require()`-ing this ESM package (Node refuses
 * to require a module graph that awaits at its top level). The API keeps the providers an SDK registers on a
 * process-wide global, so this copy reports to the app's SDK however the app itself imported the API.
 */
export const openTelemetryApi: OpenTelemetryApiModule | undefined = loadOptionalApi();

function loadOptionalApi(): OpenTelemetryApiModule | undefined {
  try {
    // A bundler that turns the package into CommonJS leaves import.meta.url undefined: resolve from the app's folder.
    const from = typeof import.meta.url === 'string' ? import.meta.url : `${process.cwd()}/`;
    return createRequire(from)('@opentelemetry/api') as OpenTelemetryApiModule;
  } catch (error) {
    // Only a missing peer means "no telemetry"; a broken installation must not be hidden.
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}
