import { IsNotEmpty, IsString } from 'class-validator';

/**
 * Fields common to every platform event (dialect "platform", discriminator `eventType`): the session events of the
 * Pathors platform API, signed with Standard Webhooks headers. Here `type` is the channel, not the event.
 */
export abstract class PathorsPlatformEvent {
  /** The event name: the discriminator of this dialect. */
  abstract readonly eventType: string;

  /** Id of the resource the event is about (for session events, the session UUID and idempotency key). */
  @IsString()
  @IsNotEmpty()
  readonly id!: string;
}
