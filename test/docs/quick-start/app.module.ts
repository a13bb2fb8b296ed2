import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { PathorsModule } from 'nestjs-pathors';
import { CallOutcomesHandler } from './call-outcomes.handler.js';

/** The app's root module: Pathors' webhook and API client, the event emitter it dispatches through, one handler. */
@Module({
  imports: [
    EventEmitterModule.forRoot(),
    PathorsModule.forRoot({
      apiKey: process.env.PATHORS_API_KEY,
      projectId: process.env.PATHORS_PROJECT_ID,
      webhook: { secret: process.env.PATHORS_WEBHOOK_SECRET },
    }),
  ],
  providers: [CallOutcomesHandler],
})
export class AppModule {}
