/** One handler run during a delivery, as the inspector saw it. */
export interface HandlerRun {
  /** `ClassName.methodName`. */
  readonly handler: string;
  readonly status: 'succeeded' | 'failed';
  /** `duplicate` when the handler found its outcome already stored and wrote nothing. */
  readonly result?: 'recorded' | 'duplicate';
}

/** A validation problem the webhook answered 400 for. */
export interface ValidationIssue {
  readonly path: string;
  readonly reason: string;
}

/** What the inspector shows for one webhook request. */
export interface DeliveryTrace {
  /** Sequence number, increasing. */
  readonly id: number;
  readonly receivedAt: string;
  /**
   * The agent whose webhook received the request: its `PathorsModule` registration (`default`, `support`), as the
   * handlers' `PathorsDelivery.registration` says; for a request refused before any handler ran, the route's.
   */
  readonly registration: string;
  /** The event name, when the body had one. */
  readonly event?: string;
  readonly sessionId?: string;
  readonly dialect?: 'lifecycle' | 'platform';
  /** The HTTP status the webhook answered. */
  readonly status: number;
  readonly durationMs: number;
  readonly handlers: readonly HandlerRun[];
  /**
   * Writes skipped because the outcome was already stored, plus 1 when nestjs-pathors itself dropped the delivery
   * as a redelivery (answered 200 without running a handler).
   */
  readonly duplicatesDropped: number;
  readonly issues: readonly ValidationIssue[];
  /** The refusal message of a 4xx/5xx answer. */
  readonly error?: string;
}
