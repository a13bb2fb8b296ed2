import { Equals, IsInt, IsNotEmpty, IsNumber, IsObject, IsString, Min } from 'class-validator';
import { IsPathorsOptional } from '../optional-field.decorator.js';
import { IsPathorsValue } from '../pathors-value.js';
import { PATHORS_CALL_STATUSES, type PathorsCallStatusValue } from './call-status.js';
import { PathorsLifecycleEvent } from './pathors-lifecycle.event.js';

/** A {@link SessionFinalizedEvent} of a call session: its call fields are present. */
export type CallSessionFinalizedEvent = SessionFinalizedEvent & {
  readonly callStatus: PathorsCallStatusValue;
  readonly callDuration: number;
};

/**
 * `session.finalized`: everything is done for the session; always the last of `session.ended`, `call.ended` and
 * `session.finalized`. Merges both. For text sessions the call fields are absent (`null` counts as absent): use
 * {@link isCall}.
 */
export class SessionFinalizedEvent extends PathorsLifecycleEvent {
  /** Discriminator. */
  @Equals('session.finalized')
  readonly event!: 'session.finalized';

  /** The project that owns the agent. */
  @IsString()
  @IsNotEmpty()
  readonly projectId!: string;

  /** Pathway node the agent was on when the conversation ended. */
  @IsString()
  @IsNotEmpty()
  readonly currentNodeId!: string;

  /** Total messages exchanged in the session. */
  @IsInt()
  @Min(0)
  readonly messagesCount!: number;

  /** Variables extracted across the session. */
  @IsObject()
  readonly extractedVariables!: Record<string, unknown>;

  /** Call sessions only: final status of the call (see {@link PATHORS_CALL_STATUSES}). Absent for text sessions. */
  @IsPathorsOptional()
  @IsPathorsValue(PATHORS_CALL_STATUSES)
  readonly callStatus?: PathorsCallStatusValue;

  /** Call sessions only: call duration in seconds. Absent for text sessions. */
  @IsPathorsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  readonly callDuration?: number;

  /** Whether the session was a call (its call fields are present); narrows the type. */
  isCall(): this is CallSessionFinalizedEvent {
    return this.callStatus !== undefined;
  }
}
