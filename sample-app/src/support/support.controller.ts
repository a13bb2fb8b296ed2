import { Body, Controller, Get, NotFoundException, Param, Post, UseFilters } from '@nestjs/common';
import { PageLimit } from '../common/page-query.js';
import { PathorsApiErrorFilter } from '../follow-ups/pathors-api-error.filter.js';
import { SupportConversations, type OpenedSupportConversation } from './support-conversations.service.js';
import { OpenSupportConversationDto } from './support-ticket.dto.js';
import { SupportTicketsRepository, type SupportTicket } from './support-tickets.repository.js';

/** The support agent's endpoints: a help widget opens chats, the support team reads the tickets. */
@Controller('support')
@UseFilters(PathorsApiErrorFilter)
export class SupportController {
  constructor(
    private readonly conversations: SupportConversations,
    private readonly tickets: SupportTicketsRepository,
  ) {}

  /** `POST /support/conversations` `{ crmContactId, issue }`: opens a support chat and its ticket. 201 with its id. */
  @Post('conversations')
  open(@Body() input: OpenSupportConversationDto): Promise<OpenedSupportConversation> {
    return this.conversations.open(input);
  }

  /** `GET /support/tickets?limit=20`: the most recently opened tickets, newest first (limit 1..100). */
  @Get('tickets')
  list(@PageLimit() limit: number): Promise<SupportTicket[]> {
    return this.tickets.recent(limit);
  }

  /** `GET /support/tickets/:sessionId`: one ticket; 404 when the support agent never had that session. */
  @Get('tickets/:sessionId')
  async get(@Param('sessionId') sessionId: string): Promise<SupportTicket> {
    const ticket = await this.tickets.find(sessionId);
    if (!ticket) throw new NotFoundException(`No support ticket for session "${sessionId}"`);
    return ticket;
  }
}
