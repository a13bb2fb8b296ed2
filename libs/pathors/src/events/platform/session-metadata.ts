import { IsObject, IsOptional, IsString } from 'class-validator';

/** Channel and session metadata of a platform session event (`metadata`). */
export class PathorsSessionMetadata {
  /** Phone number of the customer, for phone sessions. Treat it as personal data. */
  @IsOptional()
  @IsString()
  readonly customerPhoneNumber?: string;

  /** Realtime room of the session, when there is one. */
  @IsOptional()
  @IsString()
  readonly roomName?: string;

  /** The `session_variables` passed at trigger time, echoed verbatim: your correlation ids (`crmContactId`, …). */
  @IsOptional()
  @IsObject()
  readonly sessionVariables?: Record<string, unknown>;
}
