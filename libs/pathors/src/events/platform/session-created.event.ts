import { Equals } from 'class-validator';
import { PathorsPlatformSessionEvent } from './pathors-platform-session.event.js';

/** `session.created`: a session was initiated (for outbound calls, before pickup). */
export class SessionCreatedEvent extends PathorsPlatformSessionEvent {
  /** Discriminator. */
  @Equals('session.created')
  readonly eventType!: 'session.created';
}
