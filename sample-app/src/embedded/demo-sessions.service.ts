import { Injectable } from '@nestjs/common';
import type { PathorsCallStatus } from 'nestjs-pathors';
import { FollowUpsService } from '../follow-ups/follow-ups.service.js';
import { EmbeddedPathors } from './embedded-pathors.js';
import type { PlaySessionDto } from './play-session.dto.js';

/** One webhook the simulator delivered for a demo session. */
export interface DemoDelivery {
  readonly event: string;
  /** Status this app answered (`null`: no answer). */
  readonly status: number | null;
  /** This was the repeated copy of a duplicated delivery. */
  readonly duplicate: boolean;
}

/** What `POST /demo/sessions` answers. */
export interface PlayedDemoSession {
  readonly sessionId: string;
  readonly kind: 'call' | 'text';
  readonly crmContactId: string;
  /** How the call ended (calls only). */
  readonly callStatus?: PathorsCallStatus;
  /** Seconds (calls only). */
  readonly callDuration?: number;
  /** The webhooks, in the order delivered. */
  readonly deliveries: readonly DemoDelivery[];
}

/** How demo conversations end, in turn (the call status applies to calls only). */
const SCRIPTED_ENDINGS: ReadonlyArray<{ callStatus: PathorsCallStatus; intention: string }> = [
  { callStatus: 'userHangup', intention: 'book a demo' },
  { callStatus: 'agentHangup', intention: 'renew the contract' },
  { callStatus: 'voicemail', intention: 'unknown' },
];

/**
 * Plays whole conversations on the embedded simulator, the way they happen in production: the follow-up starts
 * through the Pathors API (a session or an outbound call), then the simulated contact talks to the agent and Pathors
 * posts the session's lifecycle webhooks to this app.
 */
@Injectable()
export class DemoSessions {
  private played = 0;

  constructor(
    private readonly followUps: FollowUpsService,
    private readonly embedded: EmbeddedPathors,
  ) {}

  /** Starts a follow-up with the next demo contact and plays it to its end; resolves once its webhooks were answered. */
  async play(request: PlaySessionDto): Promise<PlayedDemoSession> {
    const turn = ++this.played;
    const crmContactId = `crm-${1000 + turn}`;
    const sessionId =
      request.kind === 'text'
        ? (await this.followUps.startConversation({ crmContactId, topic: 'contract renewal' })).sessionId
        : await this.startCall(crmContactId, turn);
    const { callStatus, intention } = SCRIPTED_ENDINGS[turn % SCRIPTED_ENDINGS.length];
    const callDuration = 30 + ((turn * 37) % 240);
    const deliveries = await this.embedded.play({
      sessionId,
      kind: request.kind,
      callStatus,
      callDuration,
      extractedVariables: { crmContactId, intention },
      duplicates: request.duplicates === true,
      reorder: request.reorder === true,
    });
    const call = request.kind === 'call' ? { callStatus, callDuration } : {};
    return { sessionId, kind: request.kind, crmContactId, ...call, deliveries };
  }

  /** Calls the contact through the API; the simulator opens the call's session, as Pathors would. */
  private async startCall(crmContactId: string, turn: number): Promise<string> {
    const toNumber = `+1415555${String(turn % 10_000).padStart(4, '0')}`;
    await this.followUps.startCall({ crmContactId, toNumber });
    return this.embedded.callSessionTo(toNumber);
  }
}
