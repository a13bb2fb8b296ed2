import { Module, ValidationPipe } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { PathorsModule } from 'nestjs-pathors';
import { pathorsConfig } from './config/pathors.config.js';
import { sampleConfig } from './config/sample.config.js';
import { DatabaseModule } from './database/database.module.js';
import { FollowUpsModule } from './follow-ups/follow-ups.module.js';
import { InspectorModule } from './inspector/inspector.module.js';
import { OutcomesModule } from './outcomes/outcomes.module.js';

/**
 * The sample app: follow-ups started through the Pathors API, outcomes recorded from its webhooks, an inspector page.
 * The same module runs against the cloud and the embedded simulator; `bootstrap.ts` adds the simulator when there are
 * no credentials.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [sampleConfig] }),
    EventEmitterModule.forRoot(),
    PathorsModule.forRootAsync({ ...pathorsConfig.asProvider(), isGlobal: true }),
    DatabaseModule,
    FollowUpsModule,
    OutcomesModule,
    InspectorModule,
  ],
  providers: [
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }) },
  ],
})
export class AppModule {}
