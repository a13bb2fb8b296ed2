/** Event-emitter name of {@link PathorsHandlerFailure}: listen with `@OnEvent(PATHORS_HANDLER_FAILED)`. */
export const PATHORS_HANDLER_FAILED = 'pathors.handler.failed';

/**
 * Emitted on the app's `EventEmitter2` under {@link PATHORS_HANDLER_FAILED} each time an `@OnPathorsEvent()` handler
 * fails, so the app can alert or record it. It carries no payload field beyond the event's identity.
 *
 * @example
 * ```ts
 * @OnEvent(PATHORS_HANDLER_FAILED)
 * alert(failure: PathorsHandlerFailure) {
 *   if (failure.permanent) this.pager.notify(`${failure.handlerId} gave up on ${failure.eventName}`);
 * }
 * ```
 */
export class PathorsHandlerFailure {
  /** `ClassName.methodName` of the handler that failed. */
  readonly handlerId!: string;
  /** The event name. */
  readonly eventName!: string;
  /** The `PathorsModule` registration that received the event (`'default'` for the unnamed one). */
  readonly registration!: string;
  /** The event's idempotency key. */
  readonly idempotencyKey!: string;
  /** The Pathors session the event is about, when it has one. */
  readonly sessionId?: string;
  /** The delivery's message id, when a header carried one. */
  readonly deliveryId?: string;
  /** What the handler threw. */
  readonly error!: unknown;
  /** The handler threw a `PathorsPermanentError`: the event is not retried; otherwise a redelivery runs it again. */
  readonly permanent!: boolean;

  constructor(fields: PathorsHandlerFailure) {
    Object.assign(this, fields);
  }
}
