import { IsObject, IsString } from 'class-validator';
import { IsPathorsOptional } from '../optional-field.decorator.js';

/** Channel and session metadata of a platform session event (`metadata`). */
export class PathorsSessionMetadata {
  /** Phone number of the customer, for phone sessions. Treat it as personal data. */
  @IsPathorsOptional()
  @IsString()
  readonly customerPhoneNumber?: string;

  /** Realtime room of the session, when there is one. */
  @IsPathorsOptional()
  @IsString()
  readonly roomName?: string;

  /** The `session_variables` passed at trigger time, echoed verbatim: your correlation ids (`crmContactId`, …). */
  @IsPathorsOptional()
  @IsObject()
  readonly sessionVariables?: Record<string, unknown>;
}
