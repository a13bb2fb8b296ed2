import { Equals, IsString, IsUrl } from 'class-validator';
import { IsPathorsOptional } from '../optional-field.decorator.js';
import { PathorsLifecycleEvent } from './pathors-lifecycle.event.js';

/**
 * `recording.ready`: a call's recording finished processing. Call sessions only; fires on success (with a
 * short-lived `recordingUrl`) and on failure (without one, or with `recordingUrl: null`).
 */
export class RecordingReadyEvent extends PathorsLifecycleEvent {
  /** Discriminator. */
  @Equals('recording.ready')
  readonly event!: 'recording.ready';

  /** Short-lived URL of the recording; present on success only (`null` counts as absent). Download it promptly. */
  @IsPathorsOptional()
  @IsString()
  @IsUrl({ require_protocol: true, require_tld: false })
  readonly recordingUrl?: string;

  /** Whether the recording succeeded (a `recordingUrl` is present). */
  hasRecording(): this is RecordingReadyEvent & { readonly recordingUrl: string } {
    return this.recordingUrl !== undefined;
  }
}
