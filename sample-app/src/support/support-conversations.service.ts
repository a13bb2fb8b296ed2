import { Injectable, Logger } from '@nestjs/common';
import { PathorsClients, type PathorsProjectClients } from 'nestjs-pathors';
import { randomUUID } from 'node:crypto';
import { SUPPORT_AGENT } from '../config/agents.js';
import type { OpenSupportConversationDto } from './support-ticket.dto.js';
import { SupportTicketsRepository } from './support-tickets.repository.js';

/** A support chat Pathors opened. */
export interface OpenedSupportConversation {
  readonly sessionId: string;
  readonly crmContactId: string;
  readonly issue: string;
}

/**
 * Opens support chats in the support agent's Pathors project, through the services of its named registration
 * (`PathorsClients.get('support')`), and opens a ticket for each, which the agent's `session.finalized` closes.
 */
@Injectable()
export class SupportConversations {
  private readonly logger = new Logger(SupportConversations.name);
  private readonly support: PathorsProjectClients;

  constructor(
    clients: PathorsClients,
    private readonly tickets: SupportTicketsRepository,
  ) {
    this.support = clients.get(SUPPORT_AGENT);
  }

  /** Opens a text session with the support agent, the customer and the issue as session variables. */
  async open(input: OpenSupportConversationDto): Promise<OpenedSupportConversation> {
    const created = await this.support.sessions.createSession({
      sessionId: `support-${randomUUID()}`,
      variables: { crmContactId: input.crmContactId, issue: input.issue },
      provider: 'api',
    });
    await this.tickets.open(created.sessionId, input.crmContactId, input.issue);
    this.logger.log(`Opened support chat ${created.sessionId} for contact ${input.crmContactId}`);
    return { sessionId: created.sessionId, crmContactId: input.crmContactId, issue: input.issue };
  }
}
