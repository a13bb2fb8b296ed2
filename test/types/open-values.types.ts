/**
 * Type-level tests of open vendor enums, checked by `npm run test:types` (tsc -p tsconfig.json). Every
 * `@ts-expect-error` line must be a compile error: if one compiled, tsc would fail with "Unused '@ts-expect-error'
 * directive".
 */
import {
  isKnownPathorsValue,
  OnPathorsEvent,
  PATHORS_CALL_STATUSES,
  PATHORS_SESSION_STATES,
  PathorsDelivery,
  type CallEndedEvent,
  type PathorsCallStatus,
  type PathorsCallStatusValue,
  type PathorsEventFor,
  type PathorsSentimentValue,
  type PathorsSessionChannelValue,
  type PathorsUnknownValue,
  type SessionCreatedEvent,
} from 'nestjs-pathors';
import { buildCallEnded, buildSessionCreated } from 'nestjs-pathors/testing';

// transferFailed is a known call status; a typo of a known one is not.
export const transferFailed: PathorsCallStatus = 'transferFailed';
// @ts-expect-error 'hungUp' is not a call status this version knows
export const typo: PathorsCallStatus = 'hungUp';

// A status Pathors adds later compiles where the event carries it, and a field is still a string.
export const added: PathorsCallStatusValue = 'callbackScheduled';
export const addedChannel: PathorsSessionChannelValue = 'SMS';
export const addedSentiment: PathorsSentimentValue = 'MIXED';
// @ts-expect-error a call status is a string, not a number
export const numeric: PathorsCallStatusValue = 3;
export const asString: string = added;

// The testing kit builds events with known or new values; the field's type is unchanged.
export const built = buildCallEnded({ callStatus: 'callbackScheduled' });
export const builtStatus: PathorsCallStatusValue = built.callStatus;
export const builtChannel = buildSessionCreated({ type: 'SMS', direction: 'INBOUND' });
// @ts-expect-error the builder checks the JSON type of an open field too
buildSessionCreated({ state: { name: 'OPEN' } });

export class StatusHandlers {
  @OnPathorsEvent('call.ended')
  onCallEnded(event: CallEndedEvent, delivery: PathorsDelivery): string {
    const unknown: readonly PathorsUnknownValue[] = delivery.unknownValues;
    void unknown;
    // A case on a value this version does not list compiles: handle a new status before upgrading.
    if (event.callStatus === 'callbackScheduled') return 'later';
    // Narrowed to the known statuses, a switch narrows each case and can be exhaustive.
    if (isKnownPathorsValue(PATHORS_CALL_STATUSES, event.callStatus)) {
      switch (event.callStatus) {
        case 'transferFailed': {
          const status: 'transferFailed' = event.callStatus;
          return status;
        }
        case 'busy':
        case 'userNoAnswer': {
          // @ts-expect-error narrowed to the case's values: 'busy' | 'userNoAnswer'
          const status: 'busy' = event.callStatus;
          return status;
        }
        default: {
          const status: Exclude<PathorsCallStatus, 'transferFailed' | 'busy' | 'userNoAnswer'> =
            event.callStatus;
          return status;
        }
      }
    }
    // What is left is a status Pathors added: a string.
    const added: string = event.callStatus;
    return added;
  }

  @OnPathorsEvent('session.created')
  onCreated(event: SessionCreatedEvent): void {
    if (isKnownPathorsValue(PATHORS_SESSION_STATES, event.state)) {
      const state: 'OPEN' | 'CLOSED' | 'EXPIRED' = event.state;
      void state;
    }
  }

  @OnPathorsEvent('session.ended')
  onEnded(event: PathorsEventFor<'session.ended'>): void {
    if ('eventType' in event) {
      const sentiment: PathorsSentimentValue | undefined = event.analysis?.sentiment?.conversation.sentiment;
      void sentiment;
    }
  }
}

// An unknown value outside the known list is not narrowed to it.
export function notKnown(status: PathorsCallStatusValue): void {
  if (!isKnownPathorsValue(PATHORS_CALL_STATUSES, status)) {
    // @ts-expect-error a status outside the known list is not a PathorsCallStatus
    const known: PathorsCallStatus = status;
    void known;
  }
}
