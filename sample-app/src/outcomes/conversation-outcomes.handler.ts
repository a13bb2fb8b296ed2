import { Injectable, Logger } from '@nestjs/common';
import {
  OnPathorsEvent,
  type CallEndedEvent,
  type RecordingReadyEvent,
  type SessionFinalizedEvent,
} from 'nestjs-pathors';
import { OutcomesRepository, type WriteResult } from './outcomes.repository.js';

/**
 * Records what Pathors reports when a conversation ends. Each write is idempotent (a unique key per event), so a
 * redelivered webhook is answered 200 without writing twice; the returned {@link WriteResult} shows up in the inspector.
 */
@Injectable()
export class ConversationOutcomesHandler {
  private readonly logger = new Logger(ConversationOutcomesHandler.name);

  constructor(private readonly outcomes: OutcomesRepository) {}

  @OnPathorsEvent('session.finalized')
  async onSessionFinalized(event: SessionFinalizedEvent): Promise<WriteResult> {
    const result = await this.outcomes.recordFinalized(event);
    if (event.isCall()) {
      this.logger.log(
        `Call ${event.sessionId} finalized: ${event.callStatus}, ${event.callDuration}s (${result})`,
      );
    } else {
      this.logger.log(
        `Text session ${event.sessionId} finalized after ${event.messagesCount} messages (${result})`,
      );
    }
    return result;
  }

  @OnPathorsEvent('call.ended')
  async onCallEnded(event: CallEndedEvent): Promise<WriteResult> {
    return this.outcomes.recordCallEnded(event);
  }

  @OnPathorsEvent('recording.ready')
  async onRecordingReady(event: RecordingReadyEvent): Promise<WriteResult> {
    if (!event.hasRecording()) this.logger.warn(`Recording of call ${event.sessionId} failed`);
    return this.outcomes.recordRecording(event);
  }
}
