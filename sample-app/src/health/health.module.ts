import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PathorsHealthIndicator } from 'nestjs-pathors/terminus';
import { HealthController } from './health.controller.js';

/** The health endpoint, with the Pathors indicator of `nestjs-pathors/terminus`. */
@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [PathorsHealthIndicator],
})
export class HealthModule {}
