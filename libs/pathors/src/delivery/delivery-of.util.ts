import type { ParsedKnownEvent, ParsedUnknownEvent } from '../events/pathors-event.parser.js';
import { idempotencyKeyOf, sessionIdOf } from './idempotency-key.js';
import { PathorsDelivery } from './pathors-delivery.js';

/** The {@link PathorsDelivery} of a parsed payload, received directly by the webhook or replayed from the inbox. */
export function deliveryOf(
  parsed: ParsedKnownEvent | ParsedUnknownEvent,
  payload: Readonly<Record<string, unknown>>,
  deliveryId: string | undefined,
  receivedAt: Date,
  registration: string,
): PathorsDelivery {
  return new PathorsDelivery({
    eventName: parsed.name,
    registration,
    dialect: parsed.dialect,
    receivedAt,
    deliveryId,
    idempotencyKey: idempotencyKeyOf(parsed.dialect, parsed.name, payload, deliveryId, registration),
    sessionId: sessionIdOf(parsed.dialect, parsed.name, payload),
    payload,
    unknownValues: parsed.kind === 'known' ? parsed.unknownValues : undefined,
  });
}
