import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { sampleConfig } from '../config/sample.config.js';
import { FollowUpsController } from './follow-ups.controller.js';
import { FollowUpsRepository } from './follow-ups.repository.js';
import { FollowUpsService } from './follow-ups.service.js';

/** Starting conversations and calls with CRM contacts. */
@Module({
  imports: [ConfigModule.forFeature(sampleConfig)],
  controllers: [FollowUpsController],
  providers: [FollowUpsService, FollowUpsRepository],
  exports: [FollowUpsService],
})
export class FollowUpsModule {}
