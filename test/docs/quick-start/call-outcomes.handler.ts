import { Injectable, Logger } from '@nestjs/common';
import { OnPathorsEvent, type CallEndedEvent } from 'nestjs-pathors';

/** Logs how each call ended. */
@Injectable()
export class CallOutcomesHandler {
  private readonly logger = new Logger(CallOutcomesHandler.name);

  @OnPathorsEvent('call.ended')
  onCallEnded(event: CallEndedEvent): void {
    this.logger.log(`Call ${event.sessionId} ended: ${event.callStatus} after ${event.callDuration} s`);
  }
}
