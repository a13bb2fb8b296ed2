import { IsNotEmpty, IsString } from 'class-validator';
import { IsPathorsTimestamp } from '../timestamp.decorator.js';

/**
 * Fields common to every lifecycle event (dialect "lifecycle", discriminator `event`): the events Pathors posts
 * to the agent's `postSessionWebhook` when sessions and calls end.
 */
export abstract class PathorsLifecycleEvent {
  /** The event name: the discriminator of this dialect. */
  abstract readonly event: string;

  /** The Pathors session id: a UUID for calls, the caller's id for API sessions. */
  @IsString()
  @IsNotEmpty()
  readonly sessionId!: string;

  /** When Pathors emitted the event. */
  @IsPathorsTimestamp()
  readonly timestamp!: Date;
}
