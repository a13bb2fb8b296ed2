import { Injectable, Logger } from '@nestjs/common';
import { OnPathorsEvent, type SessionFinalizedEvent } from 'nestjs-pathors';
import { SUPPORT_AGENT } from '../config/agents.js';
import type { WriteResult } from '../outcomes/outcomes.repository.js';
import { SupportTicketsRepository } from './support-tickets.repository.js';

/**
 * Closes support tickets from the support agent's webhooks only (`registration: 'support'`): the follow-up agent's
 * sessions never reach it, and its own never reach the follow-up outcome handlers.
 */
@Injectable()
export class SupportTicketsHandler {
  private readonly logger = new Logger(SupportTicketsHandler.name);

  constructor(private readonly tickets: SupportTicketsRepository) {}

  @OnPathorsEvent('session.finalized', { registration: SUPPORT_AGENT })
  async onSessionFinalized(event: SessionFinalizedEvent): Promise<WriteResult> {
    const result = await this.tickets.close(event);
    const resolution = event.extractedVariables.resolution;
    this.logger.log(
      `Support ticket ${event.sessionId} closed: ${typeof resolution === 'string' ? resolution : 'no resolution'} (${result})`,
    );
    return result;
  }
}
