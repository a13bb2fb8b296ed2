import { Injectable } from '@nestjs/common';
import {
  CallEndedEvent,
  OnPathorsEvent,
  PathorsDelivery,
  RecordingReadyEvent,
  SessionCreatedEvent,
  SessionEndedEvent,
  SessionFinalizedEvent,
  SessionStartedEvent,
  PlatformSessionEndedEvent,
  KnowledgeStoreUpdatedEvent,
  MessageAddedEvent,
  SessionUpdatedEvent,
  SubscriptionUpdatedEvent,
  UsageUpdatedEvent,
  type PathorsEventFor,
} from 'nestjs-pathors';

/** One call a fixture handler received. */
export interface ReceivedCall {
  readonly handler: string;
  readonly event: unknown;
  readonly delivery: PathorsDelivery;
}

/** Fixture consumer: one handler per known event, recording what each received. */
@Injectable()
export class RecordingHandlers {
  readonly calls: ReceivedCall[] = [];
  /** Handler names that throw on their next call. */
  readonly failNext = new Set<string>();

  private record(handler: string, event: unknown, delivery: PathorsDelivery): void {
    this.calls.push({ handler, event, delivery });
    if (this.failNext.delete(handler)) throw new Error(`${handler} failed on purpose`);
  }

  @OnPathorsEvent('session.ended')
  onSessionEnded(event: SessionEndedEvent | PlatformSessionEndedEvent, delivery: PathorsDelivery) {
    this.record('session.ended', event, delivery);
  }
  @OnPathorsEvent('call.ended')
  async onCallEnded(event: CallEndedEvent, delivery: PathorsDelivery) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.record('call.ended', event, delivery);
  }
  @OnPathorsEvent('session.finalized')
  onFinalized(event: SessionFinalizedEvent, delivery: PathorsDelivery) {
    this.record('session.finalized', event, delivery);
  }
  @OnPathorsEvent('recording.ready')
  onRecording(event: RecordingReadyEvent, delivery: PathorsDelivery) {
    this.record('recording.ready', event, delivery);
  }
  @OnPathorsEvent('session.started')
  onStarted(event: SessionStartedEvent, delivery: PathorsDelivery) {
    this.record('session.started', event, delivery);
  }
  @OnPathorsEvent('session.created')
  onCreated(event: SessionCreatedEvent, delivery: PathorsDelivery) {
    this.record('session.created', event, delivery);
  }
  @OnPathorsEvent([
    'session.updated',
    'message.added',
    'usage.updated',
    'subscription.updated',
    'knowledge_store.updated',
  ])
  onPlanned(
    event:
      | SessionUpdatedEvent
      | MessageAddedEvent
      | UsageUpdatedEvent
      | SubscriptionUpdatedEvent
      | KnowledgeStoreUpdatedEvent,
    delivery: PathorsDelivery,
  ) {
    this.record(event.eventType, event, delivery);
  }
}

/** Fixture consumer: a catch-all handler. */
@Injectable()
export class CatchAllHandler {
  readonly calls: ReceivedCall[] = [];

  @OnPathorsEvent('*')
  onAny(event: PathorsEventFor<'*'>, delivery: PathorsDelivery) {
    this.calls.push({ handler: '*', event, delivery });
  }
}
