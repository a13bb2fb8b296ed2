import { Equals, IsNotEmpty, IsNumber, IsString, Min } from 'class-validator';
import { IsPathorsValue } from '../pathors-value.js';
import { PATHORS_CALL_STATUSES, type PathorsCallStatusValue } from './call-status.js';
import { PathorsLifecycleEvent } from './pathors-lifecycle.event.js';

/** `call.ended`: a call has ended. Call sessions only; text sessions never produce it. */
export class CallEndedEvent extends PathorsLifecycleEvent {
  /** Discriminator. */
  @Equals('call.ended')
  readonly event!: 'call.ended';

  /** The project that owns the agent. */
  @IsString()
  @IsNotEmpty()
  readonly projectId!: string;

  /** Final domain status of the call: one of {@link PATHORS_CALL_STATUSES}, or a status Pathors added since. */
  @IsPathorsValue(PATHORS_CALL_STATUSES)
  readonly callStatus!: PathorsCallStatusValue;

  /** Call duration in seconds; 0 for busy, no-answer and invalid-number outcomes. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  readonly callDuration!: number;
}
