import { Equals, IsInt, IsNotEmpty, IsObject, IsString, Min } from 'class-validator';
import { IsPathorsOptional } from '../optional-field.decorator.js';
import { PathorsLifecycleEvent } from './pathors-lifecycle.event.js';

/**
 * `session.ended` (lifecycle dialect): the conversation has ended. For a call, its final status may not be known yet;
 * it comes with `call.ended` and `session.finalized`.
 */
export class SessionEndedEvent extends PathorsLifecycleEvent {
  /** Discriminator. */
  @Equals('session.ended')
  readonly event!: 'session.ended';

  /** Pathway node the agent was on when the conversation ended. */
  @IsString()
  @IsNotEmpty()
  readonly currentNodeId!: string;

  /** Total messages exchanged in the session. */
  @IsInt()
  @Min(0)
  readonly messagesCount!: number;

  /** Variables extracted across the session, keyed by name. */
  @IsObject()
  readonly extractedVariables!: Record<string, unknown>;

  /** @deprecated Legacy alias of `event` (value `"session_ended"`); branch on `event` instead. */
  @IsPathorsOptional()
  @IsString()
  readonly reason?: string;
}
