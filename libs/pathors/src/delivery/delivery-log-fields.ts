import type { PathorsDelivery } from './pathors-delivery.js';

/**
 * The fields a log line about one delivery carries beside its message, for log search: which event and which delivery,
 * never its payload. Passed as the logger's last argument, so NestJS 12's `ConsoleLogger` prints them on the line (as
 * JSON fields with `json: true`) and a pino or winston logger receives them as an object.
 */
export interface PathorsDeliveryLogFields {
  readonly eventName: string;
  /** The sender's message id (`webhook-id` / `svix-id`), when the request carried one. */
  readonly deliveryId?: string;
  readonly idempotencyKey: string;
  readonly sessionId?: string;
  readonly registration: string;
}

/** The {@link PathorsDeliveryLogFields} of a delivery; absent ids are left out. */
export function logFieldsOf(
  delivery: Pick<PathorsDelivery, keyof PathorsDeliveryLogFields>,
): PathorsDeliveryLogFields {
  const { eventName, deliveryId, idempotencyKey, sessionId, registration } = delivery;
  return {
    eventName,
    ...(deliveryId === undefined ? {} : { deliveryId }),
    idempotencyKey,
    ...(sessionId === undefined ? {} : { sessionId }),
    registration,
  };
}
