import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { PathorsHealthIndicator } from 'nestjs-pathors/terminus';
import { Public } from '../auth/public.decorator.js';

/**
 * `GET /health`: 200 `{ status: 'ok', … }` when the Pathors API answers an authenticated request and the idempotency
 * store (Redis, when `REDIS_URL` is set) answers a ping, 503 with the reason (never the key) otherwise. Open without
 * `x-api-key`, for load balancers and orchestrators.
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly pathors: PathorsHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.pathors.isHealthy('pathors'),
      () => this.pathors.isStoreHealthy('pathors-store'),
    ]);
  }
}
