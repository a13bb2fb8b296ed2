import type { PathorsDeadLetter, PathorsDeliveryRecord } from './pathors-delivery-record.js';

/** Processes one recorded delivery; throwing makes the inbox retry it (and dead-letter it after the last attempt). */
export type PathorsInboxProcessor = (record: PathorsDeliveryRecord) => Promise<void>;

/**
 * A durable queue between the webhook and the handlers. With an inbox configured (`delivery.inbox`), the webhook
 * authenticates and validates a delivery, persists it here and answers 202 at once; workers (on any replica)
 * process it with retries, and dead-letter it after the last attempt.
 *
 * `BullMqInbox` from `nestjs-pathors/inbox` implements it on BullMQ; extend this class for another queue.
 */
export abstract class PathorsInbox {
  /** Persists a delivery. Resolves only once it is durable: the webhook answers 2xx after that. */
  abstract enqueue(record: PathorsDeliveryRecord): Promise<void>;

  /** Starts handing persisted deliveries to `processor` (called once, when the app boots). */
  abstract start(processor: PathorsInboxProcessor): Promise<void>;

  /** Stops taking new deliveries and waits up to `timeoutMs` for those being processed (app shutdown). */
  abstract stop(timeoutMs: number): Promise<void>;

  /** Releases connections (after {@link PathorsInbox.stop}). */
  abstract close(): Promise<void>;

  /** Dead letters, oldest first, from `offset`, at most `limit`. */
  abstract listDeadLetters(offset: number, limit: number): Promise<PathorsDeadLetter[]>;

  /** Number of dead letters. */
  abstract countDeadLetters(): Promise<number>;

  /**
   * Number of deliveries persisted and not processed yet (waiting, waiting for a retry, or running): the
   * `pathors.inbox.depth` gauge. This default answers `undefined` (unknown), which leaves the gauge out.
   */
  countPending(): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }

  /**
   * Resolves when the queue can be reached, rejects with the reason otherwise: what `PathorsHealthIndicator`'s
   * `isInboxHealthy()` reports. This default always resolves.
   */
  ping(): Promise<void> {
    return Promise.resolve();
  }

  /** Puts a dead letter back in the queue with fresh attempts; `false` when no dead letter has that id. */
  abstract replayDeadLetter(id: string): Promise<boolean>;
}
