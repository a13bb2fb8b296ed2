import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  StreamableFile,
} from '@nestjs/common';
import { PathorsDeadLetterService, type PathorsDeadLetter } from 'nestjs-pathors';
import { Readable } from 'node:stream';
import { PageLimit, PageOffset } from '../common/page-query.js';

/** One dead letter as `GET /dead-letters` lists it: what failed and why, without the body. */
export interface DeadLetterSummary {
  readonly id: string;
  readonly eventName: string;
  readonly idempotencyKey: string;
  readonly receivedAt: string;
  readonly attempts: number;
  readonly failedReason: string;
  readonly failedAt: string | null;
}

/** A page of {@link DeadLetterSummary}, oldest first, with the total count. */
export interface DeadLetterPage {
  readonly total: number;
  readonly deadLetters: DeadLetterSummary[];
}

const summarise = ({
  id,
  record,
  attempts,
  failedReason,
  failedAt,
}: PathorsDeadLetter): DeadLetterSummary => ({
  id,
  eventName: record.eventName,
  idempotencyKey: record.idempotencyKey,
  receivedAt: record.receivedAt,
  attempts,
  failedReason,
  failedAt: failedAt?.toISOString() ?? null,
});

/**
 * The deliveries the BullMQ inbox gave up on after its last attempt, through `PathorsDeadLetterService`: list them,
 * put one back in the queue once the cause is fixed, or export them all for `npx nestjs-pathors replay`. Mounted only
 * with `PATHORS_INBOX=bullmq`.
 */
@Controller('dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: PathorsDeadLetterService) {}

  /** `GET /dead-letters?offset=0&limit=20`: a page of dead letters, oldest first (limit 1..100). */
  @Get()
  async list(@PageOffset() offset: number, @PageLimit() limit: number): Promise<DeadLetterPage> {
    const [total, page] = await Promise.all([
      this.deadLetters.count(),
      this.deadLetters.list({ offset, limit }),
    ]);
    return { total, deadLetters: page.map(summarise) };
  }

  /** `GET /dead-letters/export`: every dead letter as JSON Lines (headers that matter and body, never a secret). */
  @Get('export')
  export(): StreamableFile {
    return new StreamableFile(Readable.from(this.deadLetters.exportJsonLines()), {
      type: 'application/x-ndjson',
      disposition: 'attachment; filename="dead-letters.jsonl"',
    });
  }

  /** `POST /dead-letters/:id/replay`: back in the queue with fresh attempts; handlers that succeeded stay skipped. */
  @Post(':id/replay')
  @HttpCode(HttpStatus.OK)
  async replay(@Param('id') id: string) {
    const replayed = await this.deadLetters.replay(id);
    if (!replayed) throw new NotFoundException(`No dead letter has the id "${id}"`);
    return { replayed: id };
  }
}
