import { Controller, Get, type Type } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { PathorsHealthIndicator } from 'nestjs-pathors/terminus';

/** A `GET /health` controller, as an app writes one, running the checks `checksOf` makes of the Pathors indicator. */
export function healthControllerOf(
  checksOf: (pathors: PathorsHealthIndicator) => HealthIndicatorFunction[],
): Type {
  @Controller('health')
  class HealthController {
    constructor(
      private readonly health: HealthCheckService,
      private readonly pathors: PathorsHealthIndicator,
    ) {}

    @Get()
    @HealthCheck()
    check() {
      return this.health.check(checksOf(this.pathors));
    }
  }
  return HealthController;
}
