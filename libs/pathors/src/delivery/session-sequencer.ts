import { Logger } from '@nestjs/common';
import { idempotencyKeyOf } from './idempotency-key.js';
import type { PathorsDelivery } from './pathors-delivery.js';
import type { PathorsEventDispatcher } from './pathors-event.dispatcher.js';
import type { PathorsIdempotencyStore } from './pathors-idempotency.store.js';

const CALL_PREDECESSORS = ['session.ended', 'call.ended'] as const;
const TEXT_PREDECESSORS = ['session.ended'] as const;
const POLL_MS = 25;

/**
 * Holds a lifecycle `session.finalized` until the same session's `session.ended` (and, for a call, `call.ended`)
 * are done in the idempotency store, or until `holdMs` passed. Reading the store, not process memory, makes the
 * order hold across replicas. Other events and other sessions pass straight through.
 */
export class SessionSequencer {
  private readonly logger = new Logger(SessionSequencer.name);

  constructor(
    private readonly store: PathorsIdempotencyStore,
    private readonly dispatcher: PathorsEventDispatcher,
    private readonly holdMs: number,
  ) {}

  /** Resolves when `delivery` may reach its handlers. */
  async awaitPredecessors(delivery: PathorsDelivery): Promise<void> {
    if (
      delivery.dialect !== 'lifecycle' ||
      delivery.eventName !== 'session.finalized' ||
      !delivery.sessionId
    ) {
      return;
    }
    const sessionId = delivery.sessionId;
    // Call sessions carry callStatus/callDuration in session.finalized; text sessions have no call.ended to wait for.
    const isCall = 'callStatus' in delivery.payload || 'callDuration' in delivery.payload;
    const keys = (isCall ? CALL_PREDECESSORS : TEXT_PREDECESSORS)
      // An event without handlers is never recorded done: waiting for it would always cost holdMs.
      .filter((name) => this.dispatcher.handlerCount(name) > 0)
      .map((name) => idempotencyKeyOf('lifecycle', name, { sessionId }, undefined));
    if (keys.length === 0) return;

    const deadline = Date.now() + this.holdMs;
    for (;;) {
      const done = await this.store.areDone(keys);
      if (done.every(Boolean)) return;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const missing = keys.filter((_, index) => !done[index]).map((key) => key.split(':').pop());
        this.logger.warn(
          `session.finalized of session ${sessionId} held ${this.holdMs} ms without ${missing.join(' and ')}; ` +
            'handing it to its handlers now (raise delivery.ordering.holdMs to wait longer)',
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, remaining)));
    }
  }
}
