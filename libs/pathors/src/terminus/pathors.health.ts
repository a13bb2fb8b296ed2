import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { PathorsAgentService } from '../api/pathors-agent.service.js';
import { PathorsApiError } from '../api/pathors-api.errors.js';
import { PathorsConfigurationError } from '../pathors.errors.js';

/** Options of {@link PathorsHealthIndicator.isHealthy}. */
export interface PathorsHealthCheckOptions {
  /**
   * Longest wait for Pathors, in milliseconds. The check is never retried.
   * @default 3000
   */
  readonly timeoutMs?: number;
}

/**
 * A `@nestjs/terminus` health indicator: `up` when the Pathors API answers an authenticated request for the
 * configured project (one `GET` of the agent), `down` with the reason otherwise (unreachable, timeout, key rejected,
 * project not accessible, options missing). The API key never appears in the result.
 *
 * Import `TerminusModule` and `PathorsModule` in the module that provides it.
 *
 * @example
 * ```ts
 * @Controller('health')
 * export class HealthController {
 *   constructor(private readonly health: HealthCheckService, private readonly pathors: PathorsHealthIndicator) {}
 *
 *   @Get()
 *   @HealthCheck()
 *   check() {
 *     return this.health.check([() => this.pathors.isHealthy('pathors')]);
 *   }
 * }
 * ```
 */
@Injectable()
export class PathorsHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly agent: PathorsAgentService,
  ) {}

  /** Checks Pathors once and reports under `key`. */
  async isHealthy<const Key extends string = 'pathors'>(
    key: Key = 'pathors' as Key,
    options: PathorsHealthCheckOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    try {
      await this.agent.getAgent({ timeoutMs: options.timeoutMs ?? 3000, maxAttempts: 1 });
      return indicator.up();
    } catch (error) {
      return indicator.down(describeFailure(error));
    }
  }
}

function describeFailure(error: unknown): { message: string; reason: string; statusCode?: number } {
  if (error instanceof PathorsApiError) {
    return {
      message: error.apiMessage,
      reason: error.name,
      ...(error.status ? { statusCode: error.status } : {}),
    };
  }
  if (error instanceof PathorsConfigurationError) return { message: error.message, reason: error.name };
  return { message: 'unexpected error while checking Pathors', reason: 'Error' };
}
