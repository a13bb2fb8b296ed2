import {
  Controller,
  DefaultValuePipe,
  Get,
  NotFoundException,
  Param,
  ParseIntPipe,
  Query,
} from '@nestjs/common';
import { OutcomesRepository, type SessionOutcome, type SessionRecord } from './outcomes.repository.js';

/** Reads the outcomes the webhook handlers stored. */
@Controller('outcomes')
export class OutcomesController {
  constructor(private readonly outcomes: OutcomesRepository) {}

  /** `GET /outcomes?limit=20`: the most recently finalized sessions, newest first (limit 1..100). */
  @Get()
  async list(
    @Query('limit', new DefaultValuePipe(20), ParseIntPipe) limit: number,
  ): Promise<SessionOutcome[]> {
    return this.outcomes.recentOutcomes(Math.min(Math.max(limit, 1), 100));
  }

  /** `GET /outcomes/:sessionId`: the session's outcome, how its call ended and its recordings. */
  @Get(':sessionId')
  async get(@Param('sessionId') sessionId: string): Promise<SessionRecord> {
    const record = await this.outcomes.findSession(sessionId);
    if (!record) throw new NotFoundException(`No outcome recorded for session "${sessionId}" yet`);
    return record;
  }
}
