import {
  PATHORS_WEBHOOK_EVENTS,
  type PathorsCallStatus,
  type PathorsPostSessionWebhook,
} from 'nestjs-pathors';
import { PathorsSimulator } from 'nestjs-pathors/testing';
import { randomBytes } from 'node:crypto';
import type { DemoDelivery } from './demo-sessions.service.js';

/** The project number the simulator lets outbound calls start from. */
const DEMO_FROM_NUMBER = '+14155550100';

/** A conversation for the simulator to play to its end. */
export interface EmbeddedConversation {
  /** The session to continue: a follow-up's session id, or the session of an outbound call. */
  readonly sessionId: string;
  readonly kind: 'call' | 'text';
  readonly callStatus: PathorsCallStatus;
  /** Seconds. */
  readonly callDuration: number;
  /** What the agent extracted; the contact id comes back this way. */
  readonly extractedVariables: Record<string, unknown>;
  /** Deliver every webhook twice. */
  readonly duplicates: boolean;
  /** Deliver the webhooks in reverse order. */
  readonly reorder: boolean;
}

/**
 * Pathors in this process, for running the sample app with no account: the `PathorsSimulator` of
 * `nestjs-pathors/testing` serves the API, holds the agent configuration, and posts the lifecycle webhooks of the
 * conversations it plays to the URL the app registered on the agent.
 */
export class EmbeddedPathors {
  private constructor(
    /** The simulator itself: its sessions, calls and the requests it received. */
    readonly simulator: PathorsSimulator,
    private readonly webhookSecret: string,
  ) {}

  /** Starts the simulator on a free port. Without `webhookSecret`, a random one is made for this run. */
  static async start(webhookSecret?: string): Promise<EmbeddedPathors> {
    const simulator = new PathorsSimulator({ phoneNumbers: [DEMO_FROM_NUMBER] });
    await simulator.start();
    return new EmbeddedPathors(simulator, webhookSecret || randomBytes(24).toString('base64url'));
  }

  /** The simulator's base URL. */
  get baseUrl(): string {
    return this.simulator.url;
  }

  /** The environment a cloud setup would have, pointing at the simulator (it wins over the shell's for this boot). */
  environment(): Record<string, string> {
    return {
      PATHORS_API_KEY: this.simulator.apiKey,
      PATHORS_PROJECT_ID: this.simulator.projectId,
      PATHORS_BASE_URL: this.simulator.url,
      PATHORS_WEBHOOK_SECRET: this.webhookSecret,
      PATHORS_FROM_NUMBER: DEMO_FROM_NUMBER,
    };
  }

  /** The agent webhook that sends every lifecycle event to `url` with the shared secret. */
  webhookFor(url: string): PathorsPostSessionWebhook {
    return {
      url,
      headers: [{ key: 'Authorization', value: `Bearer ${this.webhookSecret}` }],
      events: [...PATHORS_WEBHOOK_EVENTS],
    };
  }

  /** The session of the outbound call in progress to `toNumber` (the simulator opens one per queued call). */
  callSessionTo(toNumber: string): string {
    const call = this.simulator
      .outboundCalls()
      .findLast((candidate) => candidate.toNumber === toNumber && candidate.status === 'in-progress');
    if (!call) throw new Error(`The simulator has no call in progress to ${toNumber}`);
    return call.sessionId;
  }

  /** Plays the conversation to its end and delivers its webhooks to the agent's webhook URL. */
  async play(conversation: EmbeddedConversation): Promise<DemoDelivery[]> {
    const played = await this.simulator.playSession({
      sessionId: conversation.sessionId,
      channel: conversation.kind,
      callStatus: conversation.callStatus,
      callDuration: conversation.callDuration,
      extractedVariables: conversation.extractedVariables,
      delivery: {
        order: conversation.reorder ? 'reversed' : 'documented',
        duplicates: conversation.duplicates ? 'all' : undefined,
      },
    });
    return played.deliveries.map(({ event, status, duplicate }) => ({ event, status, duplicate }));
  }

  /** Stops the simulator. */
  async stop(): Promise<void> {
    await this.simulator.stop();
  }
}
