import { Body, Controller, HttpCode, HttpStatus, Post, UseFilters } from '@nestjs/common';
import { StartCallDto, StartConversationDto } from './follow-up.dto.js';
import { FollowUpsService, type QueuedCall, type StartedConversation } from './follow-ups.service.js';
import { PathorsApiErrorFilter } from './pathors-api-error.filter.js';

/** REST endpoints a CRM (or a person with curl) calls to start follow-ups with a contact. */
@Controller('follow-ups')
@UseFilters(PathorsApiErrorFilter)
export class FollowUpsController {
  constructor(private readonly followUps: FollowUpsService) {}

  /** `POST /follow-ups/conversations` `{ crmContactId, topic? }`: opens a text session. 201 with its id. */
  @Post('conversations')
  startConversation(@Body() input: StartConversationDto): Promise<StartedConversation> {
    return this.followUps.startConversation(input);
  }

  /** `POST /follow-ups/calls` `{ crmContactId, toNumber }`: queues an outbound call. 202: the call happens later. */
  @Post('calls')
  @HttpCode(HttpStatus.ACCEPTED)
  startCall(@Body() input: StartCallDto): Promise<QueuedCall> {
    return this.followUps.startCall(input);
  }
}
