import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedPathorsOptions } from '../pathors-options.resolver.js';
import { PATHORS_RESOLVED_OPTIONS } from '../pathors.constants.js';
import { PathorsConfigurationError } from '../pathors.errors.js';
import { toDeliveryRecordLine, type PathorsDeadLetter } from './pathors-delivery-record.js';
import type { PathorsInbox } from './pathors-inbox.js';

/** Which dead letters {@link PathorsDeadLetterService.list} returns. */
export interface PathorsDeadLetterQuery {
  /**
   * Dead letters to skip, oldest first.
   * @default 0
   */
  offset?: number;
  /**
   * Most dead letters returned.
   * @default 100
   */
  limit?: number;
}

const NO_INBOX =
  'Dead letters exist only with a durable inbox. Set delivery.inbox in PathorsModule options, e.g. ' +
  "new BullMqInbox({ connection }) from 'nestjs-pathors/inbox'.";

/**
 * Lists, replays and exports the deliveries the durable inbox gave up on (after its last attempt).
 * Needs `delivery.inbox`; every method throws a {@link PathorsConfigurationError} without one.
 *
 * @example
 * ```ts
 * // Export to JSON Lines, for `nestjs-pathors replay` or an audit:
 * await pipeline(Readable.from(deadLetters.exportJsonLines()), createWriteStream('dead-letters.jsonl'));
 * // Or put them back in the queue once the bug is fixed:
 * await deadLetters.replayAll();
 * ```
 */
@Injectable()
export class PathorsDeadLetterService {
  private readonly inbox?: PathorsInbox;

  constructor(@Inject(PATHORS_RESOLVED_OPTIONS) options: ResolvedPathorsOptions) {
    this.inbox = options.delivery.inbox;
  }

  /** Dead letters, oldest first. */
  list(query: PathorsDeadLetterQuery = {}): Promise<PathorsDeadLetter[]> {
    return this.requireInbox().listDeadLetters(query.offset ?? 0, query.limit ?? 100);
  }

  /** How many deliveries are dead-lettered. */
  count(): Promise<number> {
    return this.requireInbox().countDeadLetters();
  }

  /**
   * Puts one dead letter back in the queue with fresh attempts. Handlers that had succeeded are still skipped.
   * Resolves `false` when no dead letter has that id.
   */
  replay(id: string): Promise<boolean> {
    return this.requireInbox().replayDeadLetter(id);
  }

  /** Replays every dead letter present when called; resolves the number replayed. */
  async replayAll(): Promise<number> {
    const inbox = this.requireInbox();
    const total = await inbox.countDeadLetters();
    let replayed = 0;
    // Each replay removes the entry from the dead letters, so the first page is always the next one.
    while (replayed < total) {
      const page = await inbox.listDeadLetters(0, Math.min(100, total - replayed));
      const before = replayed;
      for (const deadLetter of page) if (await inbox.replayDeadLetter(deadLetter.id)) replayed++;
      if (replayed === before) break;
    }
    return replayed;
  }

  /**
   * Every dead letter as JSON Lines (one {@link PathorsDeliveryRecordLine} per line, headers that matter and the
   * body, never a secret), read page by page.
   */
  async *exportJsonLines(pageSize = 100): AsyncGenerator<string> {
    const inbox = this.requireInbox();
    for (let offset = 0; ; offset += pageSize) {
      const page = await inbox.listDeadLetters(offset, pageSize);
      for (const deadLetter of page) yield toDeliveryRecordLine(deadLetter);
      if (page.length < pageSize) return;
    }
  }

  private requireInbox(): PathorsInbox {
    if (!this.inbox) throw new PathorsConfigurationError(NO_INBOX);
    return this.inbox;
  }
}
