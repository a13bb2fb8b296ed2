/**
 * Type-level tests, checked with the whole tree by `npm run test:types` (tsc -p tsconfig.json). Every `@ts-expect-error` line must be a compile error:
 * if one compiled, tsc would fail with "Unused '@ts-expect-error' directive".
 */
import {
  CallEndedEvent,
  OnPathorsEvent,
  PathorsDelivery,
  PathorsLifecycleEvent,
  SessionEndedEvent,
  SessionFinalizedEvent,
  UnknownPathorsEvent,
  type PathorsEvent,
  type PathorsEventFor,
} from 'nestjs-pathors';

export class CorrectHandlers {
  @OnPathorsEvent('call.ended')
  onCallEnded(event: CallEndedEvent, delivery: PathorsDelivery): void {
    void event.callStatus;
    void delivery.idempotencyKey;
  }

  @OnPathorsEvent('call.ended')
  async withoutDelivery(_event: CallEndedEvent): Promise<void> {}

  @OnPathorsEvent('session.finalized')
  onFinalized(event: SessionFinalizedEvent): void {
    if (event.isCall()) {
      const seconds: number = event.callDuration;
      void seconds;
    }
  }

  // A broader parameter type accepts every event it covers.
  @OnPathorsEvent(['call.ended', 'session.finalized'])
  onEither(event: CallEndedEvent | SessionFinalizedEvent): void {
    void event.projectId;
  }

  @OnPathorsEvent(['call.ended', 'session.finalized'])
  onAnyLifecycle(event: PathorsLifecycleEvent): void {
    void event.sessionId;
  }

  // session.ended exists in both dialects: the union narrows on a documented property.
  @OnPathorsEvent('session.ended')
  onSessionEnded(event: PathorsEventFor<'session.ended'>): void {
    if ('eventType' in event) {
      void event.analysis?.summary;
    } else {
      void event.extractedVariables;
    }
  }

  @OnPathorsEvent('*')
  onAnything(event: PathorsEvent | UnknownPathorsEvent): void {
    void event;
  }
}

export class WrongHandlers {
  // @ts-expect-error call.ended handlers receive CallEndedEvent, not SessionFinalizedEvent
  @OnPathorsEvent('call.ended')
  onCallEnded(_event: SessionFinalizedEvent): void {}

  // @ts-expect-error session.ended handlers receive the union of both dialects, not only the lifecycle class
  @OnPathorsEvent('session.ended')
  onSessionEnded(_event: SessionEndedEvent): void {}

  // @ts-expect-error the second parameter is the delivery
  @OnPathorsEvent('call.ended')
  onCallEndedWithWrongDelivery(_event: CallEndedEvent, _delivery: string): void {}

  // @ts-expect-error one of the names does not match the parameter
  @OnPathorsEvent(['call.ended', 'recording.ready'])
  onBoth(_event: CallEndedEvent): void {}

  // @ts-expect-error unknown event names are not accepted by the decorator's type
  @OnPathorsEvent('call.ringing')
  onUnknown(_event: CallEndedEvent): void {}
}

export function narrowing(event: PathorsEventFor<'session.ended'>): void {
  // @ts-expect-error `analysis` exists on the platform dialect only: narrow first
  void event.analysis;
}
