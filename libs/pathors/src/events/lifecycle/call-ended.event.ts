import { Equals, IsIn, IsNotEmpty, IsNumber, IsString, Min } from 'class-validator';
import { PATHORS_CALL_STATUSES, type PathorsCallStatus } from './call-status.js';
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

  /** Final domain status of the call. */
  @IsIn(PATHORS_CALL_STATUSES)
  readonly callStatus!: PathorsCallStatus;

  /** Call duration in seconds; 0 for busy, no-answer and invalid-number outcomes. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  readonly callDuration!: number;
}
