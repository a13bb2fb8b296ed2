import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { PathorsModule } from 'nestjs-pathors';
import { AgentOutcomes } from './agent-outcomes.handler.js';

/** An app with two Pathors agents, one project each: sales and support. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    EventEmitterModule.forRoot(),
    PathorsModule.forRoot({
      name: 'sales',
      apiKey: process.env.SALES_PATHORS_API_KEY,
      projectId: process.env.SALES_PATHORS_PROJECT_ID,
      webhook: { secret: process.env.SALES_PATHORS_WEBHOOK_SECRET },
    }),
    PathorsModule.forRootAsync({
      name: 'support',
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        apiKey: config.get('SUPPORT_PATHORS_API_KEY'),
        projectId: config.get('SUPPORT_PATHORS_PROJECT_ID'),
        webhook: { secret: config.get('SUPPORT_PATHORS_WEBHOOK_SECRET') },
      }),
    }),
  ],
  providers: [AgentOutcomes],
})
export class AppModule {}
