import type { PathorsDialect } from '../events/pathors-event.map.js';
import type { PathorsUnknownValue } from '../events/pathors-value.js';

/** What {@link PathorsDelivery} is made of; `unknownValues` defaults to none. */
export type PathorsDeliveryFields = Omit<PathorsDelivery, 'unknownValues'> &
  Partial<Pick<PathorsDelivery, 'unknownValues'>>;

const NO_UNKNOWN_VALUES: readonly PathorsUnknownValue[] = Object.freeze([]);

/**
 * How one event reached the app: what a handler can read beside the event itself, as its second parameter.
 *
 * @example
 * ```ts
 * @OnPathorsEvent('call.ended')
 * onCallEnded(event: CallEndedEvent, delivery: PathorsDelivery) {
 *   this.logger.log(`${event.sessionId} via ${delivery.dialect}, received ${delivery.receivedAt.toISOString()}`);
 * }
 * ```
 */
export class PathorsDelivery {
  /** The event name as sent. */
  readonly eventName!: string;
  /**
   * The `PathorsModule` registration (one Pathors project) whose webhook received the event: the `name` given to
   * `forRoot()` / `forRootAsync()`, or `'default'`.
   */
  readonly registration!: string;
  /** Which webhook dialect carried the event. */
  readonly dialect!: PathorsDialect;
  /** When this app received the request. */
  readonly receivedAt!: Date;
  /** The delivery's message id, when a header carries one (`webhook-id` / `svix-id`). */
  readonly deliveryId?: string;
  /** The key that identifies this event across redeliveries (see docs/delivery.md). */
  readonly idempotencyKey!: string;
  /** The Pathors session the event is about, when it has one. */
  readonly sessionId?: string;
  /** The JSON payload exactly as parsed, before validation turned it into the event instance. */
  readonly payload!: Readonly<Record<string, unknown>>;
  /**
   * Vendor enum values of the event this version of the module does not list (a `callStatus` Pathors added, …), with
   * the dotted path of their field: the event was accepted and carries them as strings. Usually empty; each one is
   * also logged once as a warning. Updating the package may make them known.
   */
  readonly unknownValues!: readonly PathorsUnknownValue[];

  constructor(fields: PathorsDeliveryFields) {
    Object.assign(this, { ...fields, unknownValues: fields.unknownValues ?? NO_UNKNOWN_VALUES });
  }
}
