import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PathorsCallsService, PathorsSessionService } from 'nestjs-pathors';
import { randomUUID } from 'node:crypto';
import { sampleConfig } from '../config/sample.config.js';
import type { StartCallDto, StartConversationDto } from './follow-up.dto.js';
import { FollowUpsRepository } from './follow-ups.repository.js';
import { maskPhoneNumber } from './phone-number.util.js';

/** A text conversation Pathors opened. */
export interface StartedConversation {
  readonly sessionId: string;
  readonly crmContactId: string;
  readonly pathwayId?: string;
}

/** An outbound call Pathors queued. Its session id arrives later, with the call's webhooks. */
export interface QueuedCall {
  readonly queued: true;
  readonly crmContactId: string;
  /** The number called, masked. */
  readonly toNumber: string;
}

/**
 * Starts follow-ups with CRM contacts through the Pathors API and remembers which contact each one is for, so the
 * outcome handlers can attach the contact to what Pathors reports. The contact id also travels as a session / dynamic
 * variable, which Pathors can hand back in its events (the agent's extracted variables, the platform events'
 * `metadata.sessionVariables`).
 */
@Injectable()
export class FollowUpsService {
  private readonly logger = new Logger(FollowUpsService.name);

  constructor(
    private readonly sessions: PathorsSessionService,
    private readonly calls: PathorsCallsService,
    private readonly followUps: FollowUpsRepository,
    @Inject(sampleConfig.KEY) private readonly config: ConfigType<typeof sampleConfig>,
  ) {}

  /** Opens a text session for the contact, with the contact id and topic as session variables. */
  async startConversation(input: StartConversationDto): Promise<StartedConversation> {
    const sessionId = `follow-up-${randomUUID()}`;
    const created = await this.sessions.createSession({
      sessionId,
      variables: { crmContactId: input.crmContactId, topic: input.topic ?? 'general follow-up' },
      provider: 'api',
    });
    await this.followUps.recordConversation(created.sessionId, input.crmContactId);
    this.logger.log(`Opened conversation ${created.sessionId} for contact ${input.crmContactId}`);
    return { sessionId: created.sessionId, crmContactId: input.crmContactId, pathwayId: created.pathwayId };
  }

  /** Queues an outbound call to the contact, with the contact id as a dynamic variable. */
  async startCall(input: StartCallDto): Promise<QueuedCall> {
    const { fromNumber } = this.config;
    if (!fromNumber) {
      throw new ServiceUnavailableException(
        'Outbound calls need PATHORS_FROM_NUMBER: the project number to call from',
      );
    }
    await this.calls.startOutboundCall({
      fromNumber,
      toNumber: input.toNumber,
      dynamicVariables: { crmContactId: input.crmContactId },
    });
    const toNumber = maskPhoneNumber(input.toNumber);
    await this.followUps.recordCall(input.crmContactId, toNumber);
    this.logger.log(`Queued a call to ${toNumber} for contact ${input.crmContactId}`);
    return { queued: true, crmContactId: input.crmContactId, toNumber };
  }
}
