import { Injectable } from '@nestjs/common';
import type { PathorsCallStatus } from 'nestjs-pathors';
import { randomUUID } from 'node:crypto';
import { FOLLOW_UP_AGENT, SUPPORT_AGENT, type SampleAgent } from '../config/agents.js';
import { FollowUpsService } from '../follow-ups/follow-ups.service.js';
import { SupportConversations } from '../support/support-conversations.service.js';
import { EmbeddedPathors, type EmbeddedConversation } from './embedded-pathors.js';
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
  /** The agent (registration) that held the conversation. */
  readonly agent: SampleAgent;
  readonly crmContactId: string;
  /** How the call ended (calls only). */
  readonly callStatus?: PathorsCallStatus;
  /** Seconds (calls only). */
  readonly callDuration?: number;
  /** What the customer needed (support conversations only). */
  readonly issue?: string;
  /** How the support agent resolved it (support conversations only). */
  readonly resolution?: string;
  /** The webhooks, in the order delivered. */
  readonly deliveries: readonly DemoDelivery[];
}

/** How follow-up conversations end, in turn (the call status applies to calls only). */
const SCRIPTED_ENDINGS: ReadonlyArray<{ callStatus: PathorsCallStatus; intention: string }> = [
  { callStatus: 'userHangup', intention: 'book a demo' },
  { callStatus: 'agentHangup', intention: 'renew the contract' },
  { callStatus: 'voicemail', intention: 'unknown' },
];

/** What customers ask the support agent, in turn, and how it ends. */
const SUPPORT_CASES: ReadonlyArray<{ issue: string; resolution: string; answer: string }> = [
  {
    issue: 'invoice shows the wrong amount',
    resolution: 'resolved',
    answer: 'I have corrected the invoice; the new one is in your inbox.',
  },
  {
    issue: 'cannot sign in after the password reset',
    resolution: 'escalated',
    answer: 'I have passed this to our account team; they will call you back today.',
  },
];

/** The words of a support conversation about `issue`. */
const supportMessages = (issue: string, answer: string): EmbeddedConversation['messages'] => [
  { role: 'assistant', content: 'Hi, this is Pathors support. What can I help you with?' },
  { role: 'user', content: `My ${issue}.` },
  { role: 'assistant', content: answer },
  { role: 'user', content: 'Thanks.' },
];

/**
 * Plays whole conversations on the embedded simulators, the way they happen in production: the conversation starts
 * through the agent's Pathors project (a follow-up's session or outbound call, a support chat), or, for a support
 * call, on the caller's side; then the simulated person talks to the agent and that project posts the session's
 * lifecycle webhooks to the agent's webhook route.
 */
@Injectable()
export class DemoSessions {
  private played = 0;

  constructor(
    private readonly followUps: FollowUpsService,
    private readonly support: SupportConversations,
    private readonly embedded: EmbeddedPathors,
  ) {}

  /** Starts a conversation with the next demo contact and plays it to its end; resolves once its webhooks were answered. */
  play(request: PlaySessionDto): Promise<PlayedDemoSession> {
    const turn = ++this.played;
    return (request.agent ?? FOLLOW_UP_AGENT) === SUPPORT_AGENT
      ? this.playSupport(request, turn)
      : this.playFollowUp(request, turn);
  }

  private async playFollowUp(request: PlaySessionDto, turn: number): Promise<PlayedDemoSession> {
    const crmContactId = `crm-${1000 + turn}`;
    const sessionId =
      request.kind === 'text'
        ? (await this.followUps.startConversation({ crmContactId, topic: 'contract renewal' })).sessionId
        : await this.startCall(crmContactId, turn);
    const { callStatus, intention } = SCRIPTED_ENDINGS[turn % SCRIPTED_ENDINGS.length];
    const callDuration = 30 + ((turn * 37) % 240);
    const deliveries = await this.embedded.project(FOLLOW_UP_AGENT).play({
      sessionId,
      kind: request.kind,
      callStatus,
      callDuration,
      extractedVariables: { crmContactId, intention },
      duplicates: request.duplicates === true,
      reorder: request.reorder === true,
    });
    const call = request.kind === 'call' ? { callStatus, callDuration } : {};
    return { sessionId, kind: request.kind, agent: FOLLOW_UP_AGENT, crmContactId, ...call, deliveries };
  }

  /** A support chat opened through the support project's API, or a call the customer places to the support line. */
  private async playSupport(request: PlaySessionDto, turn: number): Promise<PlayedDemoSession> {
    const crmContactId = `crm-${1000 + turn}`;
    const { issue, resolution, answer } = SUPPORT_CASES[turn % SUPPORT_CASES.length];
    const sessionId =
      request.kind === 'text'
        ? (await this.support.open({ crmContactId, issue })).sessionId
        : `support-call-${randomUUID()}`;
    const callStatus: PathorsCallStatus = 'agentHangup';
    const callDuration = 45 + ((turn * 29) % 300);
    const deliveries = await this.embedded.project(SUPPORT_AGENT).play({
      sessionId,
      kind: request.kind,
      callStatus,
      callDuration,
      extractedVariables: { crmContactId, issue, resolution },
      messages: supportMessages(issue, answer),
      duplicates: request.duplicates === true,
      reorder: request.reorder === true,
    });
    const call = request.kind === 'call' ? { callStatus, callDuration } : {};
    return {
      sessionId,
      kind: request.kind,
      agent: SUPPORT_AGENT,
      crmContactId,
      ...call,
      issue,
      resolution,
      deliveries,
    };
  }

  /** Calls the contact through the API; the simulator opens the call's session, as Pathors would. */
  private async startCall(crmContactId: string, turn: number): Promise<string> {
    const toNumber = `+1415555${String(turn % 10_000).padStart(4, '0')}`;
    await this.followUps.startCall({ crmContactId, toNumber });
    return this.embedded.project(FOLLOW_UP_AGENT).callSessionTo(toNumber);
  }
}
