import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { sampleConfig } from '../config/sample.config.js';
import { ApiKeyGuard } from './api-key.guard.js';

/** Registers {@link ApiKeyGuard} for the whole app. */
@Module({
  imports: [ConfigModule.forFeature(sampleConfig)],
  providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }],
})
export class AuthModule {}
