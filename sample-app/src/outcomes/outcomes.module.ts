import { Module } from '@nestjs/common';
import { ConversationOutcomesHandler } from './conversation-outcomes.handler.js';
import { OutcomesController } from './outcomes.controller.js';
import { OutcomesRepository } from './outcomes.repository.js';
import { SessionSummariesHandler } from './session-summaries.handler.js';

/** Outcomes of conversations: the webhook handlers that store them and the endpoints that read them. */
@Module({
  controllers: [OutcomesController],
  providers: [OutcomesRepository, ConversationOutcomesHandler, SessionSummariesHandler],
})
export class OutcomesModule {}
