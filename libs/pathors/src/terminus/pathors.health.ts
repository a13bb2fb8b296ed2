import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { PathorsAgentService } from '../api/pathors-agent.service.js';
import { PathorsApiError } from '../api/pathors-api.errors.js';
import type { PathorsIdempotencyStore } from '../delivery/pathors-idempotency.store.js';
import type { PathorsInbox } from '../delivery/pathors-inbox.js';
import {
  DEFAULT_PATHORS_REGISTRATION,
  registrationToken,
  requireRegistration,
  type PathorsRegistrationRole,
} from '../pathors-registration.js';
import { PathorsConfigurationError } from '../pathors.errors.js';

/** Options of {@link PathorsHealthIndicator.isStoreHealthy} and {@link PathorsHealthIndicator.isInboxHealthy}. */
export interface PathorsDeliveryHealthCheckOptions {
  /**
   * The `PathorsModule` registration to check (`forRoot({ name })`). A name the app does not have throws a
   * `PathorsConfigurationError` listing the registered ones.
   * @default 'default'
   */
  readonly registration?: string;
}

/** Options of {@link PathorsHealthIndicator.isHealthy}. */
export interface PathorsHealthCheckOptions extends PathorsDeliveryHealthCheckOptions {
  /**
   * Longest wait for Pathors, in milliseconds. The check is never retried.
   * @default 3000
   */
  readonly timeoutMs?: number;
}

const NO_INBOX = 'No durable inbox is configured (delivery.inbox)';

/**
 * A `@nestjs/terminus` health indicator of a `PathorsModule` registration (the default one, or the one named in the
 * check's `registration` option):
 * - {@link PathorsHealthIndicator.isHealthy}: `up` when the Pathors API answers an authenticated request for the
 *   configured project (one `GET` of the agent), `down` with the reason otherwise (unreachable, timeout, key
 *   rejected, project not accessible, options missing). The API key never appears in the result.
 * - {@link PathorsHealthIndicator.isStoreHealthy} and {@link PathorsHealthIndicator.isInboxHealthy}: `up` while the
 *   idempotency store / the durable inbox answers (one `ping()`, bounded by its `commandTimeoutMs`), `down` with the
 *   reason while it does not: the webhook then answers 503 and the sender retries.
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
 *     return this.health.check([
 *       () => this.pathors.isHealthy('pathors'),
 *       () => this.pathors.isStoreHealthy(),
 *     ]);
 *   }
 * }
 * ```
 */
@Injectable()
export class PathorsHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Checks Pathors once and reports under `key`. */
  async isHealthy<const Key extends string = 'pathors'>(
    key: Key = 'pathors' as Key,
    options: PathorsHealthCheckOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    const agent = this.provided<PathorsAgentService>(options, 'agent');
    try {
      await agent.getAgent({ timeoutMs: options.timeoutMs ?? 3000, maxAttempts: 1 });
      return indicator.up();
    } catch (error) {
      return indicator.down(describeFailure(error));
    }
  }

  /** Pings the idempotency store once (`delivery.store`) and reports under `key`. */
  async isStoreHealthy<const Key extends string = 'pathors-store'>(
    key: Key = 'pathors-store' as Key,
    options: PathorsDeliveryHealthCheckOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const store = this.provided<PathorsIdempotencyStore>(options, 'store');
    return this.ping(key, store, 'The idempotency store does not answer');
  }

  /** Pings the durable inbox once (`delivery.inbox`) and reports under `key`; `down` when none is configured. */
  async isInboxHealthy<const Key extends string = 'pathors-inbox'>(
    key: Key = 'pathors-inbox' as Key,
    options: PathorsDeliveryHealthCheckOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const inbox = this.provided<PathorsInbox | null>(options, 'inbox');
    if (!inbox) return this.indicators.check(key).down({ message: NO_INBOX, reason: 'not-configured' });
    return this.ping(key, inbox, 'The durable inbox does not answer');
  }

  /** What the checked registration provides as `role`. */
  private provided<T>(
    { registration = DEFAULT_PATHORS_REGISTRATION }: PathorsDeliveryHealthCheckOptions,
    role: PathorsRegistrationRole,
  ): T {
    requireRegistration(this.moduleRef, registration);
    return this.moduleRef.get<T>(registrationToken(registration, role), { strict: false });
  }

  private async ping<const Key extends string>(
    key: Key,
    target: PathorsIdempotencyStore | PathorsInbox,
    message: string,
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    try {
      await target.ping();
      return indicator.up();
    } catch (error) {
      // The client's own message (connection refused, timed out): never a password, which no Redis error carries.
      return indicator.down({ message, reason: error instanceof Error ? error.message : 'unknown error' });
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
