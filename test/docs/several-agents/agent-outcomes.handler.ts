import { Injectable, Logger } from '@nestjs/common';
import {
  CallEndedEvent,
  OnPathorsEvent,
  PathorsClients,
  PathorsDelivery,
  SessionFinalizedEvent,
  type PathorsProjectClients,
} from 'nestjs-pathors';

/** Handles both agents' events: sales calls alone, every finalized session whichever agent had it. */
@Injectable()
export class AgentOutcomes {
  private readonly logger = new Logger(AgentOutcomes.name);
  private readonly support: PathorsProjectClients;

  constructor(clients: PathorsClients) {
    this.support = clients.get('support');
  }

  @OnPathorsEvent('call.ended', { registration: 'sales' })
  onSalesCall(event: CallEndedEvent) {
    this.logger.log(`Sales call ${event.sessionId} ended: ${event.callStatus}`);
  }

  @OnPathorsEvent('session.finalized')
  onFinalized(event: SessionFinalizedEvent, delivery: PathorsDelivery) {
    this.logger.log(`${delivery.registration} session ${event.sessionId} finalized`);
  }

  /** The support agent's project, e.g. to open a follow-up conversation there. */
  get supportSessions() {
    return this.support.sessions;
  }
}
