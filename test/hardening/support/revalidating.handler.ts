import { Injectable } from '@nestjs/common';
import { validateSync } from 'class-validator';
import {
  CallEndedEvent,
  KnowledgeStoreUpdatedEvent,
  MessageAddedEvent,
  OnPathorsEvent,
  PathorsDelivery,
  PlatformSessionEndedEvent,
  RecordingReadyEvent,
  SessionCreatedEvent,
  SessionEndedEvent,
  SessionFinalizedEvent,
  SessionStartedEvent,
  SessionUpdatedEvent,
  SubscriptionUpdatedEvent,
  UnknownPathorsEvent,
  UsageUpdatedEvent,
  type PathorsDialect,
  type PathorsEventFor,
} from 'nestjs-pathors';

/** The test's own name → class table per dialect (from the reference, not the library's registry). */
const EXPECTED_CLASSES: Record<PathorsDialect, Record<string, new () => object>> = {
  lifecycle: {
    'session.ended': SessionEndedEvent,
    'call.ended': CallEndedEvent,
    'session.finalized': SessionFinalizedEvent,
    'recording.ready': RecordingReadyEvent,
    'session.started': SessionStartedEvent,
  },
  platform: {
    'session.created': SessionCreatedEvent,
    'session.ended': PlatformSessionEndedEvent,
    'session.updated': SessionUpdatedEvent,
    'message.added': MessageAddedEvent,
    'usage.updated': UsageUpdatedEvent,
    'subscription.updated': SubscriptionUpdatedEvent,
    'knowledge_store.updated': KnowledgeStoreUpdatedEvent,
  },
};

/** One event a handler received, with every reason it should not have been delivered (empty when it was fine). */
export interface CheckedCall {
  readonly event: unknown;
  readonly delivery: PathorsDelivery;
  readonly violations: readonly string[];
}

/**
 * A catch-all consumer that trusts nothing: it re-validates every event it receives with class-validator and checks
 * the instance, its class, its name and its payload, recording each violation instead of throwing (a throw would
 * turn into a 500 and hide the real finding).
 */
@Injectable()
export class RevalidatingHandler {
  readonly calls: CheckedCall[] = [];

  @OnPathorsEvent('*')
  onAny(event: PathorsEventFor<'*'>, delivery: PathorsDelivery): void {
    this.calls.push({ event, delivery, violations: violationsOf(event, delivery) });
  }
}

function violationsOf(event: unknown, delivery: PathorsDelivery): string[] {
  const violations: string[] = [];
  if (!(delivery instanceof PathorsDelivery)) violations.push('delivery is not a PathorsDelivery');
  const payload: unknown = delivery.payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return [...violations, 'payload is not a JSON object'];
  }
  if (Object.prototype.hasOwnProperty.call(payload, '__proto__'))
    violations.push('payload has a __proto__ key');
  const discriminator = delivery.dialect === 'lifecycle' ? 'event' : 'eventType';
  const other = delivery.dialect === 'lifecycle' ? 'eventType' : 'event';
  const name = (payload as Record<string, unknown>)[discriminator];
  if (typeof name !== 'string' || name.trim() === '')
    violations.push(`${discriminator} is not a non-empty string`);
  if (name !== delivery.eventName)
    violations.push(`delivery names ${delivery.eventName}, payload ${String(name)}`);
  if ((payload as Record<string, unknown>)[other] !== undefined)
    violations.push(`payload carries both ${discriminator} and ${other}`);

  const eventClass = Object.hasOwn(EXPECTED_CLASSES[delivery.dialect], delivery.eventName)
    ? EXPECTED_CLASSES[delivery.dialect][delivery.eventName]
    : undefined;
  if (eventClass === undefined) {
    if (!(event instanceof UnknownPathorsEvent))
      violations.push('an unknown name did not arrive as UnknownPathorsEvent');
    return violations;
  }
  if (!(event instanceof eventClass)) violations.push(`not an instance of ${eventClass.name}`);
  const errors = validateSync(event as object, { forbidUnknownValues: true });
  for (const error of errors)
    violations.push(`invalid ${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`);
  return violations;
}
