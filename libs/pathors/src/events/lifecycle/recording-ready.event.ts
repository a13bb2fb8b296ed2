import { Equals, IsString, IsUrl, ValidateIf } from 'class-validator';
import { PathorsLifecycleEvent } from './pathors-lifecycle.event.js';

/**
 * `recording.ready`: a call's recording finished processing. Call sessions only; fires on success (with a
 * short-lived `recordingUrl`) and on failure (without one).
 */
export class RecordingReadyEvent extends PathorsLifecycleEvent {
  /** Discriminator. */
  @Equals('recording.ready')
  readonly event!: 'recording.ready';

  /** Short-lived URL of the recording; present on success only. Download it promptly. */
  @ValidateIf((event: RecordingReadyEvent) => event.recordingUrl !== undefined)
  @IsString()
  @IsUrl({ require_protocol: true, require_tld: false })
  readonly recordingUrl?: string;

  /** Whether the recording succeeded (a `recordingUrl` is present). */
  hasRecording(): this is RecordingReadyEvent & { readonly recordingUrl: string } {
    return this.recordingUrl !== undefined;
  }
}
