import { Type } from 'class-transformer';
import { IsUUID, ValidateNested, IsObject } from 'class-validator';
import { IsPathorsOptional } from '../optional-field.decorator.js';
import { IsPathorsValue } from '../pathors-value.js';
import { IsPathorsTimestamp } from '../timestamp.decorator.js';
import {
  PATHORS_SESSION_CHANNELS,
  PATHORS_SESSION_DIRECTIONS,
  PATHORS_SESSION_PLATFORMS,
  PATHORS_SESSION_STATES,
  type PathorsSessionChannelValue,
  type PathorsSessionDirectionValue,
  type PathorsSessionPlatformValue,
  type PathorsSessionStateValue,
} from './platform-enums.js';
import { PathorsPlatformEvent } from './pathors-platform.event.js';
import { PathorsSessionMetadata } from './session-metadata.js';

/** Fields common to `session.created` and the platform `session.ended`. */
export abstract class PathorsPlatformSessionEvent extends PathorsPlatformEvent {
  /** The session id (UUID); with `eventType`, the idempotency key. */
  @IsUUID('all')
  override readonly id!: string;

  /** Channel: `VOICE` or `CHAT` (or one Pathors added since). */
  @IsPathorsValue(PATHORS_SESSION_CHANNELS)
  readonly type!: PathorsSessionChannelValue;

  /** Surface: `PHONE`, `WEB` or `WHATSAPP` (or one Pathors added since). */
  @IsPathorsValue(PATHORS_SESSION_PLATFORMS)
  readonly platform!: PathorsSessionPlatformValue;

  /** `INBOUND` or `OUTBOUND` (or one Pathors added since). */
  @IsPathorsValue(PATHORS_SESSION_DIRECTIONS)
  readonly direction!: PathorsSessionDirectionValue;

  /** Session state at emission (see {@link PATHORS_SESSION_STATES}). */
  @IsPathorsValue(PATHORS_SESSION_STATES)
  readonly state!: PathorsSessionStateValue;

  /** The agent id (UUID). */
  @IsUUID('all')
  readonly agentId!: string;

  /** When the session started. */
  @IsPathorsTimestamp()
  readonly createdAt!: Date;

  /** Most recent activity. */
  @IsPathorsOptional()
  @IsPathorsTimestamp()
  readonly lastActivityAt?: Date;

  /** Channel and session metadata, including your correlation ids in `sessionVariables`. */
  @IsPathorsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsSessionMetadata)
  readonly metadata?: PathorsSessionMetadata;
}
