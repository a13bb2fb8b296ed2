import { Equals } from 'class-validator';
import { PathorsLifecycleEvent } from './pathors-lifecycle.event.js';

/**
 * `session.started`: offered by Pathors' own n8n node. Its payload beyond the common fields is undocumented,
 * so every other field it carries is kept on the instance as it came.
 */
export class SessionStartedEvent extends PathorsLifecycleEvent {
  /** Discriminator. */
  @Equals('session.started')
  readonly event!: 'session.started';
}
