import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsUUID, ValidateNested, IsObject } from 'class-validator';
import { IsPathorsTimestamp } from '../timestamp.decorator.js';
import {
  PATHORS_SESSION_CHANNELS,
  PATHORS_SESSION_DIRECTIONS,
  PATHORS_SESSION_PLATFORMS,
  PATHORS_SESSION_STATES,
  type PathorsSessionChannel,
  type PathorsSessionDirection,
  type PathorsSessionPlatform,
  type PathorsSessionState,
} from './platform-enums.js';
import { PathorsPlatformEvent } from './pathors-platform.event.js';
import { PathorsSessionMetadata } from './session-metadata.js';

/** Fields common to `session.created` and the platform `session.ended`. */
export abstract class PathorsPlatformSessionEvent extends PathorsPlatformEvent {
  /** The session id (UUID); with `eventType`, the idempotency key. */
  @IsUUID('all')
  override readonly id!: string;

  /** Channel: `VOICE` or `CHAT`. */
  @IsIn(PATHORS_SESSION_CHANNELS)
  readonly type!: PathorsSessionChannel;

  /** Surface: `PHONE`, `WEB` or `WHATSAPP`. */
  @IsIn(PATHORS_SESSION_PLATFORMS)
  readonly platform!: PathorsSessionPlatform;

  /** `INBOUND` or `OUTBOUND`. */
  @IsIn(PATHORS_SESSION_DIRECTIONS)
  readonly direction!: PathorsSessionDirection;

  /** Session state at emission. */
  @IsIn(PATHORS_SESSION_STATES)
  readonly state!: PathorsSessionState;

  /** The agent id (UUID). */
  @IsUUID('all')
  readonly agentId!: string;

  /** When the session started. */
  @IsPathorsTimestamp()
  readonly createdAt!: Date;

  /** Most recent activity. */
  @IsOptional()
  @IsPathorsTimestamp()
  readonly lastActivityAt?: Date;

  /** Channel and session metadata, including your correlation ids in `sessionVariables`. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsSessionMetadata)
  readonly metadata?: PathorsSessionMetadata;
}
