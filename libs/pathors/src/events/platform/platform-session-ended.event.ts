import { Type } from 'class-transformer';
import { Equals, ValidateNested, IsObject } from 'class-validator';
import { IsPathorsOptional } from '../optional-field.decorator.js';
import { IsPathorsTimestamp } from '../timestamp.decorator.js';
import { PathorsPlatformSessionEvent } from './pathors-platform-session.event.js';
import { PathorsSessionAnalysis } from './session-analysis.js';

/**
 * `session.ended` of the platform dialect: a session closed, with its post-call analysis. It shares its name with the
 * lifecycle {@link SessionEndedEvent}; tell them apart with `'eventType' in event`.
 */
export class PlatformSessionEndedEvent extends PathorsPlatformSessionEvent {
  /** Discriminator. */
  @Equals('session.ended')
  readonly eventType!: 'session.ended';

  /** When the session closed. */
  @IsPathorsOptional()
  @IsPathorsTimestamp()
  readonly endedAt?: Date;

  /** Last update of the session record. */
  @IsPathorsOptional()
  @IsPathorsTimestamp()
  readonly updatedAt?: Date;

  /** Post-call analysis (blocks present only when enabled on the agent). */
  @IsPathorsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsSessionAnalysis)
  readonly analysis?: PathorsSessionAnalysis;
}
