import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { PageLimit } from '../common/page-query.js';
import { OutcomesRepository, type SessionOutcome, type SessionRecord } from './outcomes.repository.js';

/** Reads the outcomes the webhook handlers stored. */
@Controller('outcomes')
export class OutcomesController {
  constructor(private readonly outcomes: OutcomesRepository) {}

  /** `GET /outcomes?limit=20`: the most recently finalized sessions, newest first (limit 1..100). */
  @Get()
  async list(@PageLimit() limit: number): Promise<SessionOutcome[]> {
    return this.outcomes.recentOutcomes(limit);
  }

  /** `GET /outcomes/:sessionId`: the session's outcome, how its call ended and its recordings. */
  @Get(':sessionId')
  async get(@Param('sessionId') sessionId: string): Promise<SessionRecord> {
    const record = await this.outcomes.findSession(sessionId);
    if (!record) throw new NotFoundException(`No outcome recorded for session "${sessionId}" yet`);
    return record;
  }
}
