import { Injectable, Logger } from '@nestjs/common';
import { OnPathorsEvent, type PathorsEventFor } from 'nestjs-pathors';

/**
 * Logs how each session ended. `session.ended` exists in both webhook dialects, so the handler receives
 * `SessionEndedEvent | PlatformSessionEndedEvent` and narrows on the platform dialect's discriminator, `eventType`.
 */
@Injectable()
export class SessionSummariesHandler {
  private readonly logger = new Logger(SessionSummariesHandler.name);

  @OnPathorsEvent('session.ended')
  onSessionEnded(event: PathorsEventFor<'session.ended'>): void {
    if ('eventType' in event) {
      this.logger.log(`Platform session ${event.id} closed: ${event.analysis?.summary ?? 'no summary'}`);
    } else {
      this.logger.log(`Session ${event.sessionId} ended on node ${event.currentNodeId}`);
    }
  }
}
