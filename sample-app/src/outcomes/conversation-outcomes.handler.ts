import { Injectable, Logger } from '@nestjs/common';
import {
  OnPathorsEvent,
  type CallEndedEvent,
  type RecordingReadyEvent,
  type SessionFinalizedEvent,
} from 'nestjs-pathors';
import { FOLLOW_UP_AGENT } from '../config/agents.js';
import { OutcomesRepository, type WriteResult } from './outcomes.repository.js';

/**
 * Records what Pathors reports when a follow-up conversation ends: the follow-up agent's events only
 * (`registration: 'default'`; the support agent's close tickets instead). Each write is idempotent (a unique key per
 * event), so a redelivered webhook is answered 200 without writing twice; the returned {@link WriteResult} shows up in
 * the inspector.
 */
@Injectable()
export class ConversationOutcomesHandler {
  private readonly logger = new Logger(ConversationOutcomesHandler.name);

  constructor(private readonly outcomes: OutcomesRepository) {}

  @OnPathorsEvent('session.finalized', { registration: FOLLOW_UP_AGENT })
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

  @OnPathorsEvent('call.ended', { registration: FOLLOW_UP_AGENT })
  async onCallEnded(event: CallEndedEvent): Promise<WriteResult> {
    return this.outcomes.recordCallEnded(event);
  }

  @OnPathorsEvent('recording.ready', { registration: FOLLOW_UP_AGENT })
  async onRecordingReady(event: RecordingReadyEvent): Promise<WriteResult> {
    if (!event.hasRecording()) this.logger.warn(`Recording of call ${event.sessionId} failed`);
    return this.outcomes.recordRecording(event);
  }
}
